"""Headless commands that manage the library: `delete`, `playlists`, `playlist ...`.

Bulk commands print both what was done and what was not, each with its reason; the exit
code is 0 when every item was done and 6 (not found) when any was not.
Only argparse is imported at module level: `build_parser` runs before the app's first frame.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fttui.api.bulk import BulkResult
    from fttui.api.client import FinetuningClient
    from fttui.cli.session import Target

Command = Callable[["FinetuningClient", argparse.Namespace, "Target"], Awaitable[int]]


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    delete = commands.add_parser(
        "delete", parents=parents, help="delete generations for good (asks first)"
    )
    delete.add_argument("ids", nargs="+", metavar="ID")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask (needed in scripts)")

    commands.add_parser("playlists", parents=parents, help="list your playlists")
    # Options go after the action: the action's own defaults would hide them here.
    playlist = commands.add_parser("playlist", parents=parents, help="one playlist's tracks")
    actions = playlist.add_subparsers(dest="playlist_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=parents, help="a playlist and its tracks")
    show.add_argument("playlist_id", metavar="PLAYLIST")
    for name, text in (("add", "add tracks"), ("remove", "take tracks out")):
        action = actions.add_parser(name, parents=parents, help=text)
        action.add_argument("playlist_id", metavar="PLAYLIST")
        action.add_argument("ids", nargs="+", metavar="TRACK")
    move = actions.add_parser("move", parents=parents, help="move tracks to another playlist")
    move.add_argument("playlist_id", metavar="PLAYLIST")
    move.add_argument("ids", nargs="+", metavar="TRACK")
    move.add_argument("--to", dest="target_id", metavar="PLAYLIST", required=True)


def _confirmed(count: int) -> bool | None:
    """The user's answer on a terminal; None when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        return None
    noun = "generation" if count == 1 else "generations"
    print(f"Delete {count} {noun} permanently? [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        return False
    return answer.strip().lower() in ("y", "yes")


async def cmd_delete(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.cli import commands
    from fttui.cli.exit_codes import ExitCode

    ids = list(dict.fromkeys(args.ids))
    if not args.yes:
        answer = _confirmed(len(ids))
        if answer is None:
            commands._fail("nothing deleted: add --yes to delete without a terminal to ask on")
            return ExitCode.USAGE
        if not answer:
            commands._fail("nothing deleted")
            return ExitCode.OK
    result = await client.delete_generations(ids)
    return _report_bulk(result, "deleted", args.json)


async def cmd_playlists(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.cli import output
    from fttui.cli.exit_codes import ExitCode

    playlists = await client.list_playlists()
    if args.json:
        output.emit_json(
            {"playlists": [p.model_dump(mode="json", by_alias=True) for p in playlists]}
        )
        return ExitCode.OK
    rows = [("ID", "TRACKS", "PUBLIC", "NAME")]
    for item in playlists:
        rows.append(
            (
                output.printable(item.id),
                str(item.track_count if item.track_count is not None else "-"),
                {True: "yes", False: "no", None: "-"}[item.is_public],
                output.printable(item.display_name),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + row[3])
    return ExitCode.OK


async def cmd_playlist(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    from fttui.cli import output
    from fttui.cli.exit_codes import ExitCode

    action = args.playlist_command
    if action == "show":
        playlist = await client.get_playlist(args.playlist_id)
        if args.json:
            output.emit_json(playlist)
        else:
            print(f"{output.printable(playlist.display_name)} ({playlist.id})")
            if playlist.description:
                print(output.printable(playlist.description))
            print(output.generation_rows(playlist.tracks))
        return ExitCode.OK
    result: BulkResult
    if action == "add":
        result = await client.add_to_playlist(args.playlist_id, args.ids)
        verb = "added"
    elif action == "remove":
        result = await client.remove_from_playlist(args.playlist_id, args.ids)
        verb = "removed"
    else:
        result = await client.move_tracks(args.playlist_id, args.ids, args.target_id)
        verb = "moved"
    return _report_bulk(result, verb, args.json)


def _report_bulk(result: BulkResult, verb: str, as_json: bool) -> int:
    """Both lists, on stdout (JSON: `{verb: [...], "errors": [...]}`); 6 if any failed."""
    from fttui.cli import output
    from fttui.cli.exit_codes import ExitCode

    failed = result.failed
    if as_json:
        errors = [{"id": i, "error": why} for i, why in failed.items()]
        output.emit_json({verb: result.succeeded, "errors": errors})
    else:
        for item in result.succeeded:
            print(f"{verb}: {output.printable(item)}")
        for item, why in failed.items():
            print(f"not {verb}: {output.printable(item)} ({output.printable(why)})")
    if result.lost_answer_note:
        print(output.error_line(result.lost_answer_note), file=sys.stderr)
    return ExitCode.NOT_FOUND if failed else ExitCode.OK


COMMANDS: dict[str, Command] = {
    "delete": cmd_delete,
    "playlists": cmd_playlists,
    "playlist": cmd_playlist,
}
