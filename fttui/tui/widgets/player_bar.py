"""The player bar: what plays, how far along, the volume, and what went wrong.

It never touches the player: the app hands it states (`show`) and, for the moving
position, a function to read the latest one (`poll`). A timer reads it a few times a
second only while something plays; idle, paused or stopped, it costs nothing.

What reaches the terminal is only what changed on screen. The time changes once a
second and the progress bar moves with it; Textual rewrites a changed line from the
left edge of the widget that holds the change, so the bar is drawn by small parts (the
title, the time, the progress bar in a few chunks) and only the parts whose text
changed are redrawn: a playing track is a trickle of bytes over a slow SSH link.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from fttui.audio.player import PlayerState
from fttui.tui.text import clean, minutes_seconds

REFRESH_HZ = 4.0
"""Reads of the position a second: the shown second flips at most 1/4 s late."""
CHUNKS = 12
"""Parts the progress bar is drawn in: a moving tip redraws one of them, not the line."""
IDLE_HINT = Text("No track · select a finished generation and press space", style="dim")
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


def _position_text(state: PlayerState) -> str:
    return f"  {minutes_seconds(state.position_s)}"


class _Part(Widget):
    """One piece of the bar's text; redrawn only when that text changes."""

    DEFAULT_CSS = """
    _Part {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = Text()

    def set(self, text: Text) -> None:
        if text == self.text:
            return
        resized = text.cell_len != self.text.cell_len
        self.text = text
        self.refresh(layout=resized)  # "9:59" to "10:00": the time's part widens

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.text.cell_len

    def render(self) -> Text:
        # Its style as a span, as in the whole bar's `render`: a base style would read
        # "yellow" as the CSS colour, not as the theme's ANSI yellow.
        text = Text.assemble(self.text)
        text.truncate(max(1, self.size.width), overflow="ellipsis")
        return text


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
    PlayerBar > Horizontal {
        height: 1;
    }
    PlayerBar #position, PlayerBar #length {
        width: auto;
    }
    PlayerBar #message {
        display: none;
    }
    PlayerBar.-message #message {
        display: block;
    }
    PlayerBar.-message .chunk {
        display: none;
    }
    """

    # Not repainted itself: its parts are (see `_sync`), each only when its text changes.
    state: reactive[PlayerState] = reactive(PlayerState, always_update=False, repaint=False)

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
        self._title = _Part(id="title")
        self._position = _Part(id="position")
        self._length = _Part(id="length")
        self._message = _Part(id="message")
        self._chunks = [_Part(classes="chunk") for _ in range(CHUNKS)]

    def compose(self) -> ComposeResult:
        yield Horizontal(self._title, self._position, self._length)
        yield Horizontal(*self._chunks, self._message)

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / REFRESH_HZ, self._tick, pause=True)
        self.watch_state(self.state)
        # Textual sets `is_mounted` only once every mount handler has run, so the `_sync`
        # above drew nothing: without this the idle hint could stay blank until the
        # first resize or state change.
        self.call_after_refresh(self._sync)

    def on_resize(self) -> None:
        self.call_after_refresh(self._sync)  # the chunks' new widths are known by then

    def show(self, state: PlayerState) -> None:
        """Display `state` (call from the app's player subscription)."""
        self.state = state

    def watch_state(self, state: PlayerState) -> None:
        # Idle, the bar is one line of hint: small terminals keep a row for the list.
        self.set_class(state.status == "idle" and not state.message, "-idle")
        self._sync()
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

    def _sync(self) -> None:
        """Hand each part its text; the parts whose text is the same draw nothing."""
        if not self.is_mounted:
            return
        state = self.state
        if state.status == "idle" and not state.message:
            self._title.set(IDLE_HINT)
            self._position.set(Text())
            self._length.set(Text())
            return
        self._title.set(self._title_text(state))
        # The moving time apart from what stays: only its few cells are redrawn.
        position, length = self._clock_text(state).divide([len(_position_text(state))])
        self._position.set(position)
        self._length.set(length)
        second = self._second_line(state, self.size.width)
        hidden = self.has_class("-message")  # the message hid the progress bar's parts
        self.set_class(second is not None, "-message")
        if second is not None:
            self._message.set(second)
            return
        if hidden:
            # Shown again, the parts have no width until the next layout: drawn then too,
            # or the line would stay empty until the next change (a stopped track's).
            self.call_after_refresh(self._sync)
        bar = progress_line(float(round(state.position_s)), state.duration_s, self.size.width)
        left = 0
        for chunk in self._chunks:
            width = chunk.size.width
            chunk.set(bar[left : left + width])
            left += width

    @staticmethod
    def _title_text(state: PlayerState) -> Text:
        icon = _ICONS.get(state.status, "?")
        return Text(f"{icon} ", style="bold").append(clean(state.title) or "—", style="bold")

    @staticmethod
    def _clock_text(state: PlayerState) -> Text:
        volume = "muted" if state.muted else f"vol {round(state.volume * 100)}%"
        modes = "".join(
            f"  {word}"
            for word, on in (
                (state.queue_position, bool(state.queue_position)),
                ("repeat", state.repeat),
                ("shuffle", state.shuffle),
            )
            if on
        )
        return Text(
            f"{_position_text(state)} / {minutes_seconds(state.duration_s)}  {volume}{modes}",
            style="dim",
        )

    def render(self) -> Text:
        """The whole bar as one text (what the parts show, read by tests and pictures)."""
        state = self.state
        width = max(0, self.size.width)
        if state.status == "idle" and not state.message:
            return IDLE_HINT.copy()
        right = self._clock_text(state)
        title = self._title_text(state)
        title.truncate(max(1, width - right.cell_len), overflow="ellipsis")
        top = Text.assemble(title, " " * max(0, width - title.cell_len - right.cell_len), right)
        second = self._second_line(state, width)
        if second is None:
            second = progress_line(float(round(state.position_s)), state.duration_s, width)
        return Text("\n").join([top, second])

    @staticmethod
    def _second_line(state: PlayerState, width: int) -> Text | None:
        """The message in place of the progress bar, if there is one."""
        if state.device_ok is False:
            line = Text(f"{clean(state.message)} · {NO_DEVICE_HINT}", style="bold yellow")
        elif state.status == "error":
            line = Text(clean(state.message), style="bold red")
        elif state.message:
            line = Text(clean(state.message), style="italic")
        else:
            return None
        line.truncate(max(1, width), overflow="ellipsis")  # one line, whatever the width
        return line
