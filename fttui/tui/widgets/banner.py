"""A strip above the panes for conditions that last: offline, rate limited, queue full,
no credits left, plan without API access.

It renders a `fttui.session.conditions.Conditions`: what is in force, and what blocks
submitting, is decided there (no Textual); the banner draws the lines and ticks a
countdown once a second only while something counts down (an idle one costs no redraws).
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from fttui.session.conditions import Conditions

_STYLES = {"error": "bold red", "warning": "bold yellow", "information": "bold"}


class Banner(Widget):
    """Zero or more lines, one per active condition; hidden when there is none."""

    class CountdownFinished(Message):
        """The countdown of `kind` reached zero."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, *, conditions: Conditions | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        # The state is the session's; this widget only shows it and ticks its countdowns.
        self.conditions = conditions if conditions is not None else Conditions()
        self._timer: Timer | None = None

    @property
    def kinds(self) -> set[str]:
        return self.conditions.kinds

    def text_of(self, kind: str) -> str:
        """The line shown for `kind` (empty if it is not shown): for tests and the help."""
        return self.conditions.text_of(kind)

    def set(
        self, kind: str, text: str, *, severity: str = "warning", seconds: float | None = None
    ) -> None:
        """Show `text` for `kind`; with `seconds`, "{seconds}" in it counts down to zero."""
        self.conditions.set(kind, text, severity=severity, seconds=seconds)
        self._sync()

    def clear(self, kind: str) -> None:
        """Stop showing `kind`."""
        if self.conditions.clear(kind):
            self._sync()

    def changed(self) -> None:
        """The conditions it renders changed elsewhere (the session): redraw."""
        self._sync()

    def tick(self) -> None:
        """One second passed: count down, and announce every countdown that ended."""
        finished = self.conditions.tick()
        self._sync()
        for kind in finished:
            self.post_message(self.CountdownFinished(kind))

    def _sync(self) -> None:
        counting = self.conditions.counting
        if counting and self._timer is None:
            self._timer = self.set_interval(1.0, self.tick)
        elif not counting and self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.display = bool(self.conditions)
        self.refresh(layout=True)

    def render(self) -> Text:
        lines = [
            Text(condition.text, style=_STYLES.get(condition.severity, "bold"))
            for condition in self.conditions
        ]
        return Text("\n").join(lines)
