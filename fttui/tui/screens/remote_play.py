"""When sound cannot play here (SSH, no device): copy the link, open it, or download.

Dismissed with "download" when the user asks for the file (the app saves it, since a
screen never fetches anything), "copied" after copying the link, or None.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from fttui.audio.remote import strip_controls
from fttui.tui.text import clean

RemoteChoice = Literal["copied", "download"]


def link_text(url: str) -> Text:
    """The URL as a clickable OSC 8 link (terminals without links show it plainly)."""
    target = strip_controls(url)
    return Text(target, style=Style(link=target, underline=True))


class RemotePlayScreen(ModalScreen[RemoteChoice | None]):
    """Offers what works for a remote user instead of playing on the wrong machine."""

    DEFAULT_CSS = """
    RemotePlayScreen { align: center middle; }
    RemotePlayScreen > Vertical {
        width: 80%;
        max-width: 100;
        height: auto;
        padding: 1 2;
        border: round $accent;
        background: $surface;
    }
    RemotePlayScreen #remote-link { margin: 1 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy link"),
        Binding("d", "download", "Download"),
        Binding("escape", "dismiss(None)", "Close"),
    ]

    def __init__(self, title: str, url: str, reason: str) -> None:
        super().__init__()
        self._title = title
        self._url = strip_controls(url)
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(clean(self._title) or "—", style="bold"), id="remote-title")
            yield Static(Text(clean(self._reason), style="italic"), id="remote-reason")
            yield Static(link_text(self._url), id="remote-link")
            yield Static(
                Text("c copy the link to your clipboard · d download · esc close", style="dim")
            )

    def action_copy(self) -> None:
        """Put the URL on the user's own clipboard (OSC 52, through the terminal)."""
        self.app.copy_to_clipboard(self._url)
        self.notify("Link copied to your clipboard (if your terminal allows OSC 52)")
        self.dismiss("copied")

    def action_download(self) -> None:
        """Ask the app to save the file."""
        self.dismiss("download")
