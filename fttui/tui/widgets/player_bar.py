"""The player bar: what plays, how far along, the volume, and what went wrong.

It never touches the player: the app hands it states (`show`) and, for the moving
position, a function to read the latest one (`poll`). A timer refreshes it a few
times a second only while something plays; idle, paused or stopped, it costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from fttui.audio.player import PlayerState
from fttui.tui.text import clean, minutes_seconds

REFRESH_HZ = 4.0
NO_DEVICE_HINT = "c: copy link, d: download"  # short: it shares a line at 80 columns
_ICONS = {
    "idle": "·",
    "loading": "…",
    "playing": "▶",
    "paused": "⏸",
    "stopped": "■",
    "error": "!",
}


def progress_line(position_s: float, duration_s: float | None, width: int) -> Text:
    """A bar `width` cells wide, in half-cell steps: "━━━━╸────"."""
    if width <= 0:
        return Text()
    if not duration_s or duration_s <= 0:
        return Text("─" * width, style="dim")
    halves = round(2 * width * min(1.0, max(0.0, position_s / duration_s)))
    full, half = divmod(halves, 2)
    done = "━" * full + ("╸" if half else "")
    return Text.assemble((done, "bold cyan"), ("─" * (width - len(done)), "dim"))


class PlayerBar(Widget):
    """Two lines: title with time and volume, then the progress bar or a message."""

    DEFAULT_CSS = """
    PlayerBar {
        height: 2;
        padding: 0 1;
        background: $boost;
    }
    PlayerBar.-idle {
        height: 1;
    }
    """

    state: reactive[PlayerState] = reactive(PlayerState, always_update=False)

    def __init__(
        self,
        poll: Callable[[], PlayerState] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._poll = poll
        self._timer: Timer | None = None
        self.ticking = False  # whether the refresh timer runs (only while playing)

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / REFRESH_HZ, self._tick, pause=True)
        self.watch_state(self.state)

    def show(self, state: PlayerState) -> None:
        """Display `state` (call from the app's player subscription)."""
        self.state = state

    def watch_state(self, state: PlayerState) -> None:
        # Idle, the bar is one line of hint: small terminals keep a row for the list.
        self.set_class(state.status == "idle" and not state.message, "-idle")
        if self._timer is None:
            return
        wanted = state.active and self._poll is not None
        if wanted != self.ticking:
            self.ticking = wanted
            if wanted:
                self._timer.resume()
            else:
                self._timer.pause()

    def _tick(self) -> None:
        if self._poll is not None:
            self.state = self._poll()

    def render(self) -> Text:
        state = self.state
        width = max(0, self.size.width)
        if state.status == "idle" and not state.message:
            return Text("No track · select a finished generation and press space", style="dim")
        icon = _ICONS.get(state.status, "?")
        right = Text(
            f"  {minutes_seconds(state.position_s)} / {minutes_seconds(state.duration_s)}"
            f"  vol {round(state.volume * 100)}%",
            style="dim",
        )
        title = Text(f"{icon} ", style="bold").append(clean(state.title) or "—", style="bold")
        title.truncate(max(1, width - right.cell_len), overflow="ellipsis")
        top = Text.assemble(title, " " * max(0, width - title.cell_len - right.cell_len), right)
        return Text("\n").join([top, self._second_line(state, width)])

    @staticmethod
    def _second_line(state: PlayerState, width: int) -> Text:
        if state.device_ok is False:
            line = Text(f"{clean(state.message)} · {NO_DEVICE_HINT}", style="bold yellow")
        elif state.status == "error":
            line = Text(clean(state.message), style="bold red")
        elif state.message:
            line = Text(clean(state.message), style="italic")
        else:
            return progress_line(state.position_s, state.duration_s, width)
        line.truncate(max(1, width), overflow="ellipsis")  # one line, whatever the width
        return line
