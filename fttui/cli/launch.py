"""Starting the app: resolve settings and key, start the demo simulator if asked."""

from __future__ import annotations

import argparse
import sys

from fttui import locations
from fttui.cli.exit_codes import ExitCode
from fttui.cli.session import SetupError, open_demo, open_target


def launch_app(args: argparse.Namespace) -> int:
    """Run the Textual app until the user quits; returns the exit code."""
    from fttui.logging_setup import configure_logging

    if args.demo:
        locations.use_demo_profile()
    configure_logging()
    try:
        if args.demo:
            # The simulator starts once the app has drawn its first frame (see
            # `DemoSimulator`); until then the app says it is connecting.
            with open_demo(args) as (settings, key, simulator):
                # Imported only where the app starts: headless commands never pay for Textual.
                from fttui.tui.app import run_app

                return run_app(
                    settings=settings, key=key, base_url="", demo=True, start_demo=simulator.start
                )
        with open_target(args, need_key=False) as target:
            from fttui.tui.app import run_app

            return run_app(
                settings=target.settings, key=target.key, base_url=target.base_url, demo=False
            )
    except SetupError as exc:
        print(f"fttui: {exc}", file=sys.stderr)
        return ExitCode.AUTH if exc.auth else ExitCode.USAGE
