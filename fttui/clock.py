"""Time, injectable. Production uses the system clock; tests use a virtual one.

Rate limits, backoff, polling and the simulator's generation progress all read time
through a `Clock`, so a test can run "ten minutes" of traffic without sleeping.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""

    def now(self) -> datetime:
        """The current UTC wall time (timezone-aware)."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""


class SystemClock:
    """Real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock:
    """Time that moves only when told to, or when someone sleeps on it.

    `sleep()` advances the clock by the requested amount at once and yields to the
    event loop, so code under test runs through its waits instantly while every
    duration it measures stays consistent. Thread-safe enough for a simulator thread
    that only reads it.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start_wall = start or datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)
        self._elapsed = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start_wall + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        self._elapsed += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)
