"""The conditions that last and block or explain: offline, rate limited, queue full,
no credits left, plan without API access, no key, an unconfirmed submission.

The session owns them; a front end only shows them (the TUI's banner renders a
`Conditions`, it does not keep its own). Each has a kind, so a new one replaces an old
one of the same kind and clearing one leaves the others.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from fttui.session.text import clean

# Light on purpose: the banner imports this before the first frame.

BLOCKING: dict[str, str] = {
    "plan": "Your plan has no API access.",
    "credits": "No generations left this month: submit is off until credits return.",
    "rate": "Rate limited: wait for the countdown.",
    "key": "No working API key: press ctrl+k to enter one.",
    "unconfirmed": "A submission's outcome is unknown: checking before re-sending.",
}
"""Condition kinds during which submitting is off, and the reason shown at the form."""


@dataclass(frozen=True)
class Condition:
    """One line: what to say, how loud, and whole seconds left when it counts down."""

    kind: str
    template: str
    """What to say; "{seconds}" in it is replaced by the seconds left."""
    severity: str = "warning"
    seconds: int | None = None

    @property
    def text(self) -> str:
        """The line as shown now."""
        left = "" if self.seconds is None else str(self.seconds)
        return self.template.replace("{seconds}", left)

    @property
    def blocks_submit(self) -> bool:
        return self.kind in BLOCKING


class Conditions:
    """The conditions in force, in the order they were first set."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Condition] = {}

    def __iter__(self) -> Iterator[Condition]:
        return iter(list(self._by_kind.values()))

    def __bool__(self) -> bool:
        return bool(self._by_kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_kind

    @property
    def kinds(self) -> set[str]:
        return set(self._by_kind)

    @property
    def counting(self) -> bool:
        """Some condition counts down (a front end needs a one-second tick)."""
        return any(condition.seconds is not None for condition in self._by_kind.values())

    def text_of(self, kind: str) -> str:
        """The line shown for `kind` (empty if it is not in force)."""
        condition = self._by_kind.get(kind)
        return "" if condition is None else condition.text

    def set(
        self, kind: str, text: str, *, severity: str = "warning", seconds: float | None = None
    ) -> Condition:
        """Put `kind` in force; with `seconds`, "{seconds}" in `text` counts down to zero."""
        left = None if seconds is None else max(1, math.ceil(seconds))
        # "{seconds}" is ours; braces in server text must not be taken for it.
        safe = clean(text).replace("{", "(").replace("}", ")")
        template = safe.replace("(seconds)", "{seconds}") if seconds is not None else safe
        condition = Condition(kind, template, severity, left)
        self._by_kind[kind] = condition
        return condition

    def clear(self, kind: str) -> bool:
        """End `kind`; True if it was in force."""
        return self._by_kind.pop(kind, None) is not None

    def tick(self) -> list[str]:
        """One second passed: count down; returns the kinds whose countdown ended (they end)."""
        finished: list[str] = []
        for kind, condition in list(self._by_kind.items()):
            if condition.seconds is None:
                continue
            if condition.seconds <= 1:
                finished.append(kind)
                del self._by_kind[kind]
            else:
                self._by_kind[kind] = replace(condition, seconds=condition.seconds - 1)
        return finished

    def submit_blocked_reason(self) -> str:
        """Why submitting is off now, in the user's words; empty when it is not."""
        for kind, reason in BLOCKING.items():
            if kind in self._by_kind:
                return reason
        return ""
