"""Sliding-window counters for the two per-user rate limits.

Times are the injected clock's `monotonic()` seconds, never scaled by `--speed`.
"""

from __future__ import annotations

import math
from collections import deque

REQUESTS_PER_MINUTE = 60
CREATIONS_PER_MINUTE = 10
WINDOW_SECONDS = 60.0


class SlidingWindow:
    """At most `limit` events in any `window` seconds."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._events: deque[float] = deque()

    def _forget(self, now: float) -> None:
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()

    def used(self, now: float) -> int:
        """Events still inside the window at `now`."""
        self._forget(now)
        return len(self._events)

    def remaining(self, now: float) -> int:
        return max(0, self.limit - self.used(now))

    def is_full(self, now: float) -> bool:
        return self.used(now) >= self.limit

    def record(self, now: float) -> None:
        self._forget(now)
        self._events.append(now)

    def retry_after(self, now: float) -> int:
        """Whole seconds (≥ 1) until the window has room for one more event."""
        self._forget(now)
        if len(self._events) < self.limit:
            return 1
        # The slot frees when the event that would make room leaves the window.
        frees_at = self._events[len(self._events) - self.limit] + self.window
        return max(1, math.ceil(frees_at - now))


class UserLimits:
    """The 60 requests/min and 10 creations/min windows of one user."""

    def __init__(self) -> None:
        self.requests = SlidingWindow(REQUESTS_PER_MINUTE)
        self.creations = SlidingWindow(CREATIONS_PER_MINUTE)
