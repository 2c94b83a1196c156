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
from fttui.cli import create, doctor, export, library
from fttui.cli.exit_codes import ExitCode

STATUS_CHOICES = ("pending", "processing", "completed", "failed")


GLOBAL_OPTIONS_TITLE = "global options (before or after the command)"


def _global_options(*, on_command: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (like git, kubectl).

    On a command's own parser they default to SUPPRESS: an option left out after the
    command must not overwrite the value given before it (argparse copies a
    sub-command's defaults over the top level's).
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if on_command else value

    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group(GLOBAL_OPTIONS_TITLE)
    group.add_argument(
        "--base-url",
        default=default(None),
        help="API base URL (default: $FTTUI_BASE_URL or https://pub.finetuning.ai)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="run against an embedded simulator on this machine (no key needed)",
    )
    group.add_argument("--theme", default=default(None), help="Textual theme for the app")
    group.add_argument(
        "--player",
        choices=("auto", "miniaudio", "simpleaudio", "null"),
        default=default(None),
        help="audio backend for previews (default: auto)",
    )
    group.add_argument(
        "--json", action="store_true", default=default(False), help="print JSON for scripts"
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, one sub-command per headless action."""
    common = _global_options(on_command=True)
    parser = argparse.ArgumentParser(
        prog="fttui",
        description="A terminal client for the finetuning.ai music-generation API. "
        "With no command it starts the app. Global options go before or after the "
        "command: `fttui --demo list` and `fttui list --demo` are the same.",
        parents=[_global_options(on_command=False)],
        epilog="The API key comes from $FINETUNING_API_KEY or the config file "
        "(the app asks for it once). It is never taken as a flag.",
    )
    parser.add_argument("--version", action="version", version=f"fttui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("me", parents=[common], help="account, plan and remaining credits")

    generate = commands.add_parser(
        "generate", parents=[common], help="create a generation (uses one credit)"
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

    listing = commands.add_parser("list", parents=[common], help="list generations")
    listing.add_argument("--limit", type=int, default=20, help="1-100 per page (default 20)")
    pages = listing.add_mutually_exclusive_group()
    pages.add_argument("--offset", type=int, default=0)
    pages.add_argument("--all", action="store_true", help="every page, newest first")
    listing.add_argument("--status", choices=STATUS_CHOICES)
    listing.add_argument("--type", choices=("music", "instrumental"), help="only this kind")

    show = commands.add_parser("show", parents=[common], help="one generation in full")
    show.add_argument("id")

    download = commands.add_parser(
        "download", parents=[common], help="save a finished generation's audio"
    )
    download.add_argument("id", nargs="?", help="the generation (leave out with --all)")
    download.add_argument("path", nargs="?", help="folder or file (default: the music folder)")
    download.add_argument(
        "--all", action="store_true", help="every finished track not saved yet, into FOLDER"
    )
    download.add_argument(
        "--status", choices=("completed",), default="completed", help="with --all: completed"
    )

    for module in (create, library, doctor, export):
        module.add_parsers(commands, [common])

    # `fttui sim ...` is dispatched before this parser (see `main`): this is its entry
    # in --help.
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
    args, unknown = parser.parse_known_args(args_list)
    if args.command == "sim":
        parser.error("`fttui sim` takes its own options only: put nothing before `sim`")
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command is None:
        if args.json:
            parser.error("--json needs a command, e.g. `fttui list --json`")
        from fttui.cli.launch import launch_app

        return launch_app(args)
    from fttui.cli.commands import run_command

    return run_command(args)


__all__ = ["ExitCode", "build_parser", "main"]

if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
