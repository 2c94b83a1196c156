"""Starting the app: resolve settings and key, start the demo simulator if asked."""

from __future__ import annotations

import argparse
import sys

from fttui import locations
from fttui.cli.exit_codes import ExitCode
from fttui.cli.session import SetupError, open_demo, open_target

NO_TERMINAL = (
    "fttui: the app needs a terminal; for scripts use the headless commands (fttui --help)"
)


def _fail(message: str) -> None:
    # Imported here: the output module brings the API's models, which the app's first
    # frame does without.
    from fttui.cli.output import error_line

    print(error_line(message), file=sys.stderr)


def _in_a_terminal() -> bool:
    # Textual reads keys from stdin and draws on stderr; stdout redirected means a
    # script is capturing output. Without a terminal it would write escape codes forever.
    streams = (sys.stdin, sys.stdout, sys.stderr)
    return all(stream is not None and stream.isatty() for stream in streams)


def launch_app(args: argparse.Namespace) -> int:
    """Run the Textual app until the user quits; returns the exit code."""
    if not _in_a_terminal():
        print(NO_TERMINAL, file=sys.stderr)
        return ExitCode.USAGE
    from fttui.logging_setup import configure_logging

    configure_logging()
    # What was put right on the way (a key file others could read): shown in the app,
    # where the user is looking, rather than on a terminal the app is about to cover.
    notices: list[str] = []
    try:
        if args.demo:
            locations.use_demo_profile()
            # The simulator starts once the app has drawn its first frame (see
            # `DemoSimulator`); until then the app says it is connecting.
            with open_demo(args) as (settings, key, simulator):
                # Imported only where the app starts: headless commands never pay for Textual.
                from fttui.tui.app import run_app

                return run_app(
                    settings=settings, key=key, base_url="", demo=True, start_demo=simulator.start
                )
        with open_target(args, need_key=False, warn=notices.append) as target:
            from fttui.tui.app import run_app

            return run_app(
                settings=target.settings,
                key=target.key,
                base_url=target.base_url,
                demo=False,
                notices=notices,
            )
    except locations.LocationError as exc:
        _fail(str(exc))
        return ExitCode.USAGE
    except SetupError as exc:
        _fail(str(exc))
        return ExitCode.AUTH if exc.auth else ExitCode.USAGE
