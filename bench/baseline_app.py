"""The baseline for bench/startup.py: a bare Textual app with a Header and a Footer.

Run as a script; the footer's command-palette hint ("palette") is drawn with the first
frame, as it is in fttui's main screen.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header


class Baseline(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()


if __name__ == "__main__":
    Baseline().run()
