"""The lyrics of the track playing, in a panel over the player bar.

The API sends no lyrics back: the ones shown are those fttui kept when it sent them
(the cache, through the session). The panel follows the player, so when the queue
moves on it shows the next track's lyrics; it never takes the keyboard when it opens,
so whatever the user was doing goes on (tab or a click reaches it to scroll).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from fttui.tui.text import clean, literal

if TYPE_CHECKING:
    # Annotations only: the list's pane is in the first frame, the player comes after it.
    from fttui.audio.player import Player, PlayerState

NOTHING_PLAYING = "Nothing is playing: select a finished generation and press space."

MAX_SHARE = 0.4
"""The most of the terminal's height the panel takes (long lyrics scroll)."""
FRAME_WIDTH = 5
"""Cells of a line that are not text: the border, the padding and the scrollbar."""

LyricsOf = Callable[[str], str | None]
"""The kept lyrics of a generation, by its id (None: none kept)."""


def no_lyrics(title: str) -> str:
    """What the panel says for a track whose lyrics fttui does not have."""
    return f"No lyrics kept for “{clean(title)}”: fttui keeps only the lyrics it sent."


class LyricsPanel(VerticalScroll):
    """The kept lyrics of the player's track, scrollable, following the queue."""

    DEFAULT_CSS = """
    LyricsPanel {
        height: 3;  /* fitted to the lyrics by `_fit` */
        border: round $primary-muted;
        border-title-color: $text-primary;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    LyricsPanel:focus {
        border: round $primary;
    }
    """

    # Undescribed: the list's `L` is the key the help, the palette and the README name;
    # this one closes the panel when it has the keyboard (for scrolling).
    BINDINGS: ClassVar[list[BindingType]] = [Binding("L", "close", show=False)]

    def __init__(
        self,
        player: Player,
        lyrics_of: LyricsOf,
        *,
        return_to: Widget | None = None,
        id: str | None = None,
    ) -> None:
        """`return_to`: the widget that gets the keyboard back when the panel closes
        while it has it (the one that had it when the panel opened)."""
        super().__init__(id=id)
        self._player = player
        self._lyrics_of = lyrics_of
        self._return_to = return_to
        self._unsubscribe: Callable[[], None] | None = None
        self._shown: tuple[str | None, str] | None = None  # (track id, title) on show
        self._content = Text()
        self.text = ""
        """What the panel says now, as plain text (read by tests)."""

    def compose(self) -> ComposeResult:
        yield Static(id="lyrics-text")

    def on_mount(self) -> None:
        self.border_subtitle = "L hides"
        self._unsubscribe = self._player.subscribe(self.follow)
        self.follow(self._player.state)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def follow(self, state: PlayerState) -> None:
        """Show the lyrics of `state`'s track, when it is another one than shown."""
        shown = (state.track_id, state.title)
        if shown == self._shown or self._unsubscribe is None:
            return  # the same track, or not (any longer) on screen
        self._shown = shown
        body = self.query_one("#lyrics-text", Static)
        if state.track_id is None:
            self.border_title = "Lyrics"
            content = Text(NOTHING_PLAYING, style="dim")
        else:
            self.border_title = Text("Lyrics · ").append(literal(state.title))
            lyrics = self._lyrics_of(state.track_id)
            if lyrics and lyrics.strip():
                content = literal(lyrics, single_line=False)
            else:
                content = Text(no_lyrics(state.title), style="dim")
        self._content = content
        self.text = content.plain
        body.update(content)
        self._fit()
        self.scroll_home(animate=False)  # a new song starts at its first line

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """As tall as the lyrics, up to a share of the terminal: the list keeps its room.
        (Set here: an auto height inside the auto-high player slot would not be capped.)"""
        size = self.app.size
        inner = max(1, size.width - FRAME_WIDTH)
        lines = len(self._content.wrap(self.app.console, inner))
        rows = min(lines + 2, max(3, int(size.height * MAX_SHARE)))
        if self.styles.height is None or self.styles.height.value != rows:
            self.styles.height = rows

    def action_close(self) -> None:
        """Hide the panel (the `L` that showed it, pressed while it has the keyboard)."""
        back = self._return_to
        self.remove()
        if back is not None and back.is_attached:
            back.focus()


def toggle_lyrics(slot: Widget, player: Player, lyrics_of: LyricsOf) -> bool:
    """Show the lyrics panel at the top of `slot` (over the player bar), or hide it if
    it is there; True when it is shown now."""
    shown = slot.query(LyricsPanel)
    if shown:
        shown.remove()
        return False
    # Before the bar when it is there (the app mounts it just after the first frame).
    panel = LyricsPanel(player, lyrics_of, return_to=slot.app.focused, id="lyrics")
    slot.mount(panel, before=0 if slot.children else None)
    return True
