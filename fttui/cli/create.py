"""Headless commands that make sounds other than songs: `instrumental` and `sfx`.

Only argparse is imported at module level: `build_parser` runs before the app's first
frame. Both creating commands go through the journal like `generate` (never sent twice).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fttui.api.client import FinetuningClient
    from fttui.api.sound_effects import SoundEffect
    from fttui.cli.session import Target

Command = Callable[["FinetuningClient", argparse.Namespace, "Target"], Awaitable[int]]

SFX_STATUSES = ("pending", "processing", "completed", "failed")


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    instrumental = commands.add_parser(
        "instrumental", parents=parents, help="create an instrumental, no vocals (one credit)"
    )
    instrumental.add_argument("prompt", help="what it should sound like")
    instrumental.add_argument("--duration", metavar="SECONDS", help="30-210, in 15 s steps")
    instrumental.add_argument("--seed", help="whole number, for a reproducible result")
    instrumental.add_argument(
        "--no-enhance",
        dest="enhance",
        action="store_false",
        help="use the prompt verbatim (the server enhances it otherwise)",
    )
    instrumental.add_argument("--webhook", metavar="URL", help="https URL the server POSTs to")

    # Options go after the action: the action's own defaults would hide them here.
    sfx = commands.add_parser("sfx", parents=parents, help="sound effects (100 a day)")
    actions = sfx.add_subparsers(dest="sfx_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=parents, help="create a 1-8 s sound effect")
    create.add_argument("prompt", help="what it should sound like")
    create.add_argument("--duration", metavar="SECONDS", help="1-8, in 0.5 s steps")
    create.add_argument("--no-enhance", dest="enhance", action="store_false")
    create.add_argument("--webhook", metavar="URL", help="https URL the server POSTs to")
    listing = actions.add_parser("list", parents=parents, help="list sound effects")
    listing.add_argument("--limit", type=int, default=20, help="1-100 (default 20)")
    listing.add_argument("--offset", type=int, default=0)
    listing.add_argument("--status", choices=SFX_STATUSES)
    show = actions.add_parser("show", parents=parents, help="one sound effect")
    show.add_argument("id")
    download = actions.add_parser("download", parents=parents, help="save a sound effect")
    download.add_argument("id")
    download.add_argument("path", nargs="?", help="folder or file (default: the music folder)")


async def cmd_instrumental(
    client: FinetuningClient, args: argparse.Namespace, target: Target
) -> int:
    from fttui.api.instrumental import InstrumentalRequest
    from fttui.cli import commands, output
    from fttui.cli.exit_codes import ExitCode

    fields = {
        "prompt": args.prompt,
        "duration": args.duration,
        "seed": args.seed,
        "enhance": args.enhance,
        "webhook": args.webhook,
    }
    request = InstrumentalRequest.from_fields({k: v for k, v in fields.items() if v is not None})
    created = await commands._create_once(client, request)
    if created is None:
        return ExitCode.UNCONFIRMED
    if args.json:
        output.emit_json(created)
    else:
        print(output.created_text(created))
    return ExitCode.OK


async def cmd_sfx(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    return await _SFX[args.sfx_command](client, args, target)


async def _sfx_create(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.api.sound_effects import SoundEffectRequest
    from fttui.cli import commands
    from fttui.cli.exit_codes import ExitCode

    fields = {
        "prompt": args.prompt,
        "duration": args.duration,
        "enhance": args.enhance,
        "webhook": args.webhook,
    }
    request = SoundEffectRequest.from_fields({k: v for k, v in fields.items() if v is not None})
    created = await commands._create_once(client, request)
    if created is None:
        return ExitCode.UNCONFIRMED
    _print_effect(created, args.json)
    return ExitCode.OK


async def _sfx_list(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.cli import output
    from fttui.cli.exit_codes import ExitCode

    page = await client.list_sound_effects(limit=args.limit, offset=args.offset, status=args.status)
    if args.json:
        output.emit_json(page)
        return ExitCode.OK
    rows = [("ID", "STATUS", "LENGTH", "CREATED", "PROMPT")]
    for effect in page.sound_effects:
        rows.append(
            (
                output.printable(effect.id),
                output.printable(effect.status),
                f"{effect.duration:g} s" if effect.duration is not None else "-",
                effect.created_at.strftime("%Y-%m-%d %H:%M") if effect.created_at else "-",
                output.printable(effect.prompt or "-"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + row[4])
    if page.has_more:
        print(f"(more: --offset {page.next_offset})")
    return ExitCode.OK


async def _sfx_show(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.cli.exit_codes import ExitCode

    _print_effect(await client.get_sound_effect(args.id), args.json)
    return ExitCode.OK


async def _sfx_download(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.audio.track import Track
    from fttui.cli import commands
    from fttui.cli.exit_codes import ExitCode

    effect = await client.get_sound_effect(args.id)
    if effect.status != "completed" or not effect.audio_url:
        commands._fail(f"{effect.id} has no audio yet (status: {effect.status})")
        return ExitCode.NOT_FOUND
    track = Track(
        id=effect.id,
        title=effect.prompt or effect.id,
        audio_url=effect.audio_url,
        duration_s=effect.duration,
        prompt=effect.prompt,
        created_at=effect.created_at.isoformat() if effect.created_at else None,
    )
    try:
        saved = await commands._save_track(track, args.path, target)
    except commands.DownloadFailure as failure:
        commands._fail(failure.message)
        return failure.code
    return commands.report_saved(effect.id, saved, as_json=args.json)


def _print_effect(effect: SoundEffect, as_json: bool) -> None:
    from fttui.cli import output

    if as_json:
        output.emit_json(effect)
        return
    lines = [
        f"id:        {output.printable(effect.id)}",
        f"status:    {output.printable(effect.status)}",
        f"prompt:    {output.printable(effect.prompt or '-')}",
        f"duration:  {f'{effect.duration:g} s' if effect.duration is not None else '-'}",
        f"audio:     {output.printable(effect.audio_url or '-')}",
    ]
    if effect.error_message:
        lines.append(f"error:     {output.printable(effect.error_message)}")
    if effect.daily_remaining is not None:
        lines.append(f"left today: {effect.daily_remaining}")
    print("\n".join(lines))


_SFX: dict[str, Command] = {
    "create": _sfx_create,
    "list": _sfx_list,
    "show": _sfx_show,
    "download": _sfx_download,
}

COMMANDS: dict[str, Command] = {"instrumental": cmd_instrumental, "sfx": cmd_sfx}
