"""`fttui export`: the cached library as CSV or JSON, on stdout or into a new file.

It reads the cache, so it works offline and without a key; `--sync` first brings the
whole history into the cache from the server. An existing FILE is never overwritten
without `--force`. Only argparse is imported at module level (see `fttui.cli`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fttui.cli.session import Target

STATUS_CHOICES = ("pending", "processing", "completed", "failed")


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    export = commands.add_parser(
        "export", parents=parents, help="write every cached generation as CSV or JSON"
    )
    export.add_argument("file", nargs="?", metavar="FILE", help="where to write (default: stdout)")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    export.add_argument("--status", choices=STATUS_CHOICES, help="only generations in this state")
    export.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    export.add_argument(
        "--sync", action="store_true", help="first fetch the whole history from the server"
    )


def cmd_export(args: argparse.Namespace) -> int:
    from fttui.cli.commands import _fail
    from fttui.cli.exit_codes import ExitCode
    from fttui.cli.session import SetupError, settings_from
    from fttui.session.export import export_library
    from fttui.store import GenerationStore

    destination = Path(args.file).expanduser() if args.file else None
    if destination is not None and destination.exists() and not args.force:
        _fail(f"{destination} exists already; add --force to overwrite it")
        return ExitCode.USAGE
    try:
        settings = settings_from(args)
    except SetupError as exc:
        _fail(str(exc))
        return ExitCode.USAGE
    if getattr(args, "demo", False):
        from fttui import locations

        locations.use_demo_profile()  # the demo's own cache, as the demo app shows it
    if args.sync:
        code = _sync(args)
        if code != ExitCode.OK:
            return code
    with GenerationStore() as store:
        text, count = export_library(
            store, args.format, status=args.status, music_folder=_music_folder(settings)
        )
    if destination is None:
        sys.stdout.write(text)
        return ExitCode.OK
    from fttui.atomic import write_atomic

    try:
        write_atomic(destination, text)
    except OSError as exc:
        _fail(f"cannot write {destination}: {exc.strerror}")
        return ExitCode.TRANSPORT
    noun = "generation" if count == 1 else "generations"
    print(f"exported {count:,} {noun} to {destination}", file=sys.stderr)
    return ExitCode.OK


def _music_folder(settings: object) -> Path | None:
    from fttui import locations

    folder = getattr(settings, "download_dir", None)
    return folder if isinstance(folder, Path) else locations.music_dir()


def _sync(args: argparse.Namespace) -> int:
    """Page the whole history into the cache (`fttui list --all`'s reads, cached)."""
    from fttui.api import errors
    from fttui.api.client import FinetuningClient
    from fttui.cli.commands import _fail, _report
    from fttui.cli.exit_codes import ExitCode
    from fttui.cli.session import SetupError, open_target
    from fttui.store import GenerationStore, Library

    async def walk(target: Target) -> None:
        async with FinetuningClient(target.key, target.base_url) as client:
            with GenerationStore() as store:
                library = Library(store, client)
                await library.refresh_newest()
                while await library.load_more():
                    pass

    try:
        with open_target(args) as target:
            asyncio.run(walk(target))
    except SetupError as exc:
        _fail(str(exc))
        return ExitCode.AUTH if exc.auth else ExitCode.USAGE
    except errors.FttuiError as exc:
        return _report(exc)
    return ExitCode.OK


STANDALONE: dict[str, Callable[[argparse.Namespace], int]] = {"export": cmd_export}
