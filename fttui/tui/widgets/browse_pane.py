"""The right-hand pane: the generations list over the detail, and the player keys.

The player keys are bound here rather than on the screen because most of them (space,
s, d, c, +, -) are also text: bound on the screen they would fire from any focused
widget of the form that does not consume them (a button, a checkbox). Here they work
wherever the user browses (the table, the detail) and nowhere else; the search box
takes printable keys for itself before any binding sees them.

The actions are the app's (`app.`): the pane only says which key means what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from fttui.audio.controls import LARGE_SEEK_S, SMALL_SEEK_S, VOLUME_STEP
from fttui.tui.widgets.generation_detail import GenerationDetail
from fttui.tui.widgets.generation_list import GenerationList
from fttui.tui.widgets.lyrics_panel import toggle_lyrics

if TYPE_CHECKING:
    from fttui.session.session import Session
    from fttui.tui.playback import Playback


def _seek(seconds: float) -> str:
    return f"app.seek({seconds!r})"


class BrowsePane(Vertical):
    """The list of generations above the detail of the selected one."""

    # Only play/pause in the footer: at 80 columns the screen's own keys and `?` need
    # the room. Every one is in the help (?) and the command palette.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "app.play_pause", "Play/pause"),
        Binding("s", "app.stop", "Stop", show=False),
        Binding(
            "left_square_bracket", _seek(-SMALL_SEEK_S), f"Seek back {SMALL_SEEK_S:g} s", show=False
        ),
        Binding(
            "right_square_bracket",
            _seek(SMALL_SEEK_S),
            f"Seek forward {SMALL_SEEK_S:g} s",
            show=False,
        ),
        Binding(
            "left_curly_bracket", _seek(-LARGE_SEEK_S), f"Seek back {LARGE_SEEK_S:g} s", show=False
        ),
        Binding(
            "right_curly_bracket",
            _seek(LARGE_SEEK_S),
            f"Seek forward {LARGE_SEEK_S:g} s",
            show=False,
        ),
        Binding("plus,equals_sign", f"app.volume({VOLUME_STEP!r})", "Volume up", show=False),
        Binding("minus", f"app.volume({-VOLUME_STEP!r})", "Volume down", show=False),
        Binding("full_stop", "app.step(1)", "Next track", show=False),
        Binding("comma", "app.step(-1)", "Previous track", show=False),
        Binding("d", "app.download", "Download", show=False),
        Binding("c", "app.copy_link", "Copy link", show=False),
        Binding("m", "mute", "Mute or unmute", show=False),
        Binding("R", "repeat", "Repeat the queue on or off", show=False),
        Binding("S", "shuffle", "Shuffle the queue on or off", show=False),
        Binding("L", "lyrics", "Lyrics of the track playing", show=False),
    ]

    def _playback(self) -> Playback | None:
        # The app builds its player just after the first frame: a key before that waits.
        try:
            playback: Playback = getattr(self.app, "playback")  # noqa: B009 (the app's type would be a cycle)
        except (AttributeError, RuntimeError):
            return None
        return playback

    def action_mute(self) -> None:
        """Silence the player, or bring its sound back."""
        if (playback := self._playback()) is not None:
            playback.toggle_mute()

    def action_repeat(self) -> None:
        """Start the queue over after its last track, or stop there."""
        if (playback := self._playback()) is not None:
            playback.toggle_repeat()

    def action_shuffle(self) -> None:
        """Play the rest of the queue in a random order, or in list order."""
        if (playback := self._playback()) is not None:
            playback.toggle_shuffle()

    def action_lyrics(self) -> None:
        """Show the kept lyrics of the track playing over the player bar, or hide them."""
        if (playback := self._playback()) is None:
            return
        slot = self.screen.query("#player-slot")
        toggle_lyrics(slot.first() if slot else self, playback.player, self._kept_lyrics)

    def _kept_lyrics(self, generation_id: str) -> str | None:
        """The lyrics fttui kept for a generation: the cache's (through the session),
        else those of the track the player loaded."""
        session: Session | None = getattr(self.screen, "session", None)
        cached = session.cached(generation_id) if session is not None else None
        if cached is not None and cached.parameters.lyrics:
            return cached.parameters.lyrics
        playback = self._playback()
        track = playback.player.track if playback is not None else None
        return track.lyrics if track is not None and track.id == generation_id else None

    @on(GenerationList.Opened)
    def _opened(self, event: GenerationList.Opened) -> None:
        # Not stopped: the screen fetches the full detail (and, when narrow, opens its
        # screen). Side by side, Enter moves the keyboard to the detail, visibly.
        detail = self.query_one(GenerationDetail)
        if detail.display and detail.region.area:
            detail.scroll_home(animate=False)
            detail.focus()

    def compose(self) -> ComposeResult:
        listing = GenerationList(id="list")
        listing.border_title = "Generations"
        yield listing
        detail = GenerationDetail(id="detail")
        detail.border_title = "Detail"
        yield detail
