"""A strip above the panes for conditions that last: offline, rate limited, queue full,
no credits left, plan without API access.

Each condition has a kind, so a new one replaces an old one of the same kind and
clearing one leaves the others. A countdown ticks once a second only while something
is counting down: an idle banner costs no redraws.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from fttui.tui.text import clean

_STYLES = {"error": "bold red", "warning": "bold yellow", "information": "bold"}


class Banner(Widget):
    """Zero or more lines, one per active condition; hidden when there is none."""

    class CountdownFinished(Message):
        """The countdown of `kind` reached zero."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # kind → (severity, text with an optional "{seconds}" slot, seconds left or None)
        self._conditions: dict[str, tuple[str, str, int | None]] = {}
        self._timer: Timer | None = None

    @property
    def kinds(self) -> set[str]:
        return set(self._conditions)

    def text_of(self, kind: str) -> str:
        """The line shown for `kind` (empty if it is not shown): for tests and the help."""
        if kind not in self._conditions:
            return ""
        _, template, seconds = self._conditions[kind]
        return template.replace("{seconds}", str(seconds if seconds is not None else ""))

    def set(
        self, kind: str, text: str, *, severity: str = "warning", seconds: float | None = None
    ) -> None:
        """Show `text` for `kind`; with `seconds`, "{seconds}" in it counts down to zero."""
        left = None if seconds is None else max(1, math.ceil(seconds))
        # "{seconds}" is ours; braces in server text must not be taken for it.
        safe = clean(text).replace("{", "(").replace("}", ")")
        template = safe.replace("(seconds)", "{seconds}") if seconds is not None else safe
        self._conditions[kind] = (severity, template, left)
        self._sync()

    def clear(self, kind: str) -> None:
        """Stop showing `kind`."""
        if self._conditions.pop(kind, None) is not None:
            self._sync()

    def tick(self) -> None:
        """One second passed: count down, and announce every countdown that ended."""
        finished: list[str] = []
        for kind, (severity, template, left) in list(self._conditions.items()):
            if left is None:
                continue
            if left <= 1:
                finished.append(kind)
                del self._conditions[kind]
            else:
                self._conditions[kind] = (severity, template, left - 1)
        self._sync()
        for kind in finished:
            self.post_message(self.CountdownFinished(kind))

    def _sync(self) -> None:
        counting = any(left is not None for _, _, left in self._conditions.values())
        if counting and self._timer is None:
            self._timer = self.set_interval(1.0, self.tick)
        elif not counting and self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.display = bool(self._conditions)
        self.refresh(layout=True)

    def render(self) -> Text:
        lines = [
            Text(self.text_of(kind), style=_STYLES.get(severity, "bold"))
            for kind, (severity, _, _) in self._conditions.items()
        ]
        return Text("\n").join(lines)
