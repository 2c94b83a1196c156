"""When sound cannot play here (SSH, no device): copy the link, open it, or download.

Dismissed with "download" when the user asks for the file (the app saves it, since a
screen never fetches anything), "play" to play here anyway (an SSH session into one's
own machine, with its speakers), "copied" after copying the link, or None.

`RemoteFileScreen` follows a download over SSH: the file is on the remote machine, and
the `scp` line that fetches it is one key away from the user's own clipboard.
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

RemoteChoice = Literal["copied", "download", "play"]

OSC52_HINT = "Nothing there? Your terminal ignores OSC 52; in tmux, `set -g set-clipboard on`."
"""Said with every copy: OSC 52 fails silently where the terminal or tmux ignores it."""
LINK_COPIED = "Audio link copied to your clipboard. " + OSC52_HINT


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
        Binding("p", "dismiss('play')", "Play here anyway"),
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
                Text(
                    "c copy the link to your clipboard · d download · p play here anyway"
                    " · esc close",
                    style="dim",
                )
            )

    def action_copy(self) -> None:
        """Put the URL on the user's own clipboard (OSC 52, through the terminal)."""
        self.app.copy_to_clipboard(self._url)
        self.notify(LINK_COPIED, markup=False)
        self.dismiss("copied")

    def action_download(self) -> None:
        """Ask the app to save the file."""
        self.dismiss("download")


class RemoteFileScreen(ModalScreen[None]):
    """A download over SSH: where the file is, and the `scp` line to fetch it."""

    DEFAULT_CSS = RemotePlayScreen.DEFAULT_CSS.replace("RemotePlayScreen", "RemoteFileScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy the scp line"),
        Binding("escape", "dismiss(None)", "Close"),
    ]

    def __init__(self, title: str, path: str, host: str, scp: str) -> None:
        super().__init__()
        self.said = (
            f"Saved on the remote machine ({clean(host)}), not on yours: {clean(path)}."
            " To copy it to yours, run this on your own machine:"
        )
        self._title = title
        self._scp = strip_controls(scp)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(clean(self._title) or "—", style="bold"), id="remote-title")
            yield Static(Text(self.said, style="italic"), id="remote-reason")
            yield Static(Text(self._scp, style="bold"), id="remote-link")
            yield Static(Text("c copy this line to your clipboard · esc close", style="dim"))

    def action_copy(self) -> None:
        """Put the scp line on the user's own clipboard (OSC 52, through the terminal)."""
        self.app.copy_to_clipboard(self._scp)
        self.notify("scp line copied: paste it on your own machine. " + OSC52_HINT, markup=False)
        self.dismiss(None)
