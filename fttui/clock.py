"""Time, injectable. Production uses the system clock; tests use a virtual one.

Rate limits, backoff, polling and the simulator's generation progress all read time
through a `Clock`, so a test can run "ten minutes" of traffic without sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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


SYSTEM_CLOCK = SystemClock()


def holding(clock: Clock) -> AbstractContextManager[object]:
    """Keep a virtual clock still while real work (a network round trip) is under way.

    A no-op for any clock without `busy()`, so production code may call it freely.
    """
    busy = getattr(clock, "busy", None)
    if callable(busy):
        held: AbstractContextManager[object] = busy()
        return held
    return nullcontext()


class VirtualClock:
    """A discrete-event clock: time jumps to the next sleeper's deadline once nothing
    else can run.

    Every `sleep()` registers a deadline. A helper task on the event loop lets ready
    tasks run first (a few loop turns), and when the only thing left is waiting on this
    clock, it jumps straight to the earliest deadline and wakes those sleepers. Real
    work that the loop cannot see, such as an HTTP round trip to a simulator thread, is
    wrapped in `busy()` so time stands still until it finishes. Concurrent sleepers
    therefore see one consistent timeline: two tasks sleeping 3 s each both wake at
    +3 s, not at +3 and +6.

    `advance()` moves time by hand (waking sleepers that fall due). Reads are safe from
    another thread (the simulator's), which only calls `monotonic()` and `now()`.
    """

    # Loop turns the helper lets pass before deciding that everyone is waiting.
    IDLE_TURNS = 20

    def __init__(self, start: datetime | None = None) -> None:
        self._start_wall = start or datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._busy = 0
        self._changes = 0
        self._driver: asyncio.Task[None] | None = None
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start_wall + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking every sleeper that falls due."""
        with self._lock:
            self._elapsed += max(0.0, seconds)
        self._wake_due()

    def advance_to(self, instant: float) -> None:
        """Move time forward to `instant` on the monotonic scale (never backwards)."""
        self.advance(instant - self._elapsed)

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of virtual time; returns at once (after a yield) for zero."""
        self.slept.append(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._elapsed + seconds, next(self._order), future))
        self._changes += 1
        self._ensure_driver(loop)
        await future

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Hold time still while work the event loop cannot see is under way."""
        self._busy += 1
        self._changes += 1
        try:
            yield
        finally:
            self._busy -= 1
            self._changes += 1

    @property
    def sleepers(self) -> int:
        """How many tasks are waiting on this clock."""
        return sum(1 for _, _, f in self._sleepers if not f.done())

    def _wake_due(self) -> None:
        while self._sleepers and self._sleepers[0][0] <= self._elapsed:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        self._changes += 1

    def _ensure_driver(self, loop: asyncio.AbstractEventLoop) -> None:
        driver = self._driver
        if driver is not None and not driver.done() and driver.get_loop() is loop:
            return
        self._driver = loop.create_task(self._drive(), name="virtual-clock")

    async def _drive(self) -> None:
        while True:
            # Drop sleepers whose task was cancelled.
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                return
            seen = self._changes
            for _ in range(self.IDLE_TURNS):
                await asyncio.sleep(0)
            if self._busy:
                # A real round trip is under way: give it real time to finish.
                await asyncio.sleep(0.0005)
                continue
            if seen != self._changes:
                continue  # something happened; look again before jumping
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if self._sleepers:
                deadline = self._sleepers[0][0]
                with self._lock:
                    self._elapsed = max(self._elapsed, deadline)
                self._wake_due()
