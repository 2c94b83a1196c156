"""The `fttui` command line: the app by default, headless commands for scripts and SSH.

Nothing here imports Textual at module level: `fttui list` in a script starts fast, and
the layering check (import-linter) keeps it that way.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from fttui import __version__
from fttui.cli import create, doctor, library
from fttui.cli.exit_codes import ExitCode

STATUS_CHOICES = ("pending", "processing", "completed", "failed")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, one sub-command per headless action."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--base-url",
        default=None,
        help="API base URL (default: $FTTUI_BASE_URL or https://pub.finetuning.ai)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="run against an embedded simulator on this machine (no key needed)",
    )
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON for scripts")

    parser = argparse.ArgumentParser(
        prog="fttui",
        description="A terminal client for the finetuning.ai music-generation API. "
        "With no command it starts the app.",
        parents=[common],
        epilog="The API key comes from $FINETUNING_API_KEY or the config file "
        "(the app asks for it once). It is never taken as a flag.",
    )
    parser.add_argument("--version", action="version", version=f"fttui {__version__}")
    parser.add_argument("--theme", default=None, help="Textual theme for the app")
    parser.add_argument(
        "--player",
        choices=("auto", "miniaudio", "simpleaudio", "null"),
        default=None,
        help="audio backend for previews (default: auto)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("me", parents=[common, output], help="account, plan and remaining credits")

    generate = commands.add_parser(
        "generate", parents=[common, output], help="create a generation (uses one credit)"
    )
    generate.add_argument("tags", nargs="?", help="music description, e.g. 'lofi piano rain'")
    generate.add_argument("--tags", dest="tags_option", metavar="TEXT", help="same as TAGS")
    lyrics = generate.add_mutually_exclusive_group()
    lyrics.add_argument("--lyrics", metavar="TEXT")
    lyrics.add_argument(
        "--lyrics-file", metavar="PATH", help="read lyrics from a file ('-': stdin)"
    )
    generate.add_argument("--duration", metavar="SECONDS", help="10-180 (default 60)")
    generate.add_argument("--bpm", help="60-200 (default 120)")
    generate.add_argument("--language", help="en ja de fr es zh ko pt it ru")
    generate.add_argument("--key", help="C C# D ... B (flats such as Eb are accepted)")
    generate.add_argument("--scale", help="major or minor")
    generate.add_argument(
        "--time-signature", dest="timesignature", metavar="BEATS", help="2-7 (default 4)"
    )
    generate.add_argument("--seed", help="whole number, for a reproducible result")
    generate.add_argument(
        "--webhook", metavar="URL", help="https URL the server POSTs the result to"
    )
    waiting = generate.add_mutually_exclusive_group()
    waiting.add_argument("--wait", action="store_true", help="follow it until it ends")
    waiting.add_argument(
        "--no-wait", dest="wait", action="store_false", help="return at once (the default)"
    )
    generate.add_argument(
        "--download",
        nargs="?",
        const="",
        metavar="DIR",
        help="with --wait: save the audio (to DIR, default the music folder)",
    )

    listing = commands.add_parser("list", parents=[common, output], help="list generations")
    listing.add_argument("--limit", type=int, default=20, help="1-100 per page (default 20)")
    pages = listing.add_mutually_exclusive_group()
    pages.add_argument("--offset", type=int, default=0)
    pages.add_argument("--all", action="store_true", help="every page, newest first")
    listing.add_argument("--status", choices=STATUS_CHOICES)
    listing.add_argument("--type", choices=("music", "instrumental"), help="only this kind")

    show = commands.add_parser("show", parents=[common, output], help="one generation in full")
    show.add_argument("id")

    download = commands.add_parser(
        "download", parents=[common, output], help="save a finished generation's audio"
    )
    download.add_argument("id")
    download.add_argument("path", nargs="?", help="folder or file (default: the music folder)")

    for module in (create, library, doctor):
        module.add_parsers(commands, [common, output])

    commands.add_parser(
        "sim",
        help="run the API simulator on this machine (see `fttui sim --help`)",
        add_help=False,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `fttui` script and `python -m fttui`."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sim"]:
        from fttui.sim.server import main as sim_main

        return sim_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        from fttui.cli.launch import launch_app

        return launch_app(args)
    from fttui.cli.commands import run_command

    return run_command(args)


__all__ = ["ExitCode", "build_parser", "main"]

if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
