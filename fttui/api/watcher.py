"""One watcher for every generation in progress: batched, adaptive polling.

The vendor's example polls each generation every 3 s: 20 requests a minute for each,
so four at once exceed the API's 60. The watcher instead makes one request per tick
for all of them (one GET when a single generation is in flight, the newest page of
the list otherwise), never ticks more often than every 3 s, makes no request at all
while nothing is in flight, and takes its first look near the expected finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

from fttui.api.client import FinetuningClient
from fttui.api.errors import AuthError, FttuiError, NotFound
from fttui.api.limiter import Priority
from fttui.api.models import Generation
from fttui.clock import Clock

log = logging.getLogger(__name__)

EXPECTED_SECONDS = 8.0  # the vendor page's generation takes 7.2 s
FIRST_LOOK_MARGIN = 0.5  # look just after the expected finish, not just before
INTERVAL = 3.0  # between two looks at a generation, once it is past its expected finish
NEAR_INTERVAL = 1.5  # ...and just around the expected finish, while the budget allows
NEAR_WINDOW = 4.5  # how long after the expected finish "around it" lasts
BUDGET = 20  # polling requests in any sliding minute, whatever the number in flight
SLOW_AFTER = 60.0  # this long past the expected finish, look less often...
SLOW_INTERVAL = 10.0  # ...every this many seconds
TIMEOUT = 600.0  # give up on a generation still in progress after this long
MAX_BACKOFF = 60.0
MISSING_PER_TICK = 2  # ids not in the newest page, fetched one by one per tick

_T = TypeVar("_T")


@dataclass(frozen=True)
class WatchTimeout:
    """The watcher gave up on a generation that stayed in progress too long.

    This is a local verdict, not a server status: `last_seen` is what the server said.
    """

    generation_id: str
    last_seen: Generation | None
    waited: float


@dataclass
class _Watched:
    id: str
    since: float
    due: float
    expected_end: float
    reported: str | None = None
    last: Generation | None = None


class Watcher:
    """Polls every watched generation until it is final, reporting each change once.

    Updates arrive through `on_update` and `updates()`; a generation given up on
    through `on_timeout`; an authentication error (which stops polling until `watch()`
    or `resume()` is called) through `on_error`. Run `run()` as a background task.
    """

    def __init__(
        self,
        client: FinetuningClient,
        *,
        clock: Clock | None = None,
        on_update: Callable[[Generation], None] | None = None,
        on_timeout: Callable[[WatchTimeout], None] | None = None,
        on_error: Callable[[FttuiError], None] | None = None,
        interval: float = INTERVAL,
        timeout: float = TIMEOUT,
    ) -> None:
        self._client = client
        self._clock = clock or client.clock
        self.on_update = on_update
        self.on_timeout = on_timeout
        self.on_error = on_error
        self._interval = interval
        self._timeout = timeout
        self._items: dict[str, _Watched] = {}
        self._queues: list[asyncio.Queue[Generation]] = []
        self._wake = asyncio.Event()
        self._paused = False
        self._last_tick: float | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._missing_turn = 0
        self._sent: deque[float] = deque()
        self.requests = 0
        """Requests made so far (for measurements)."""

    # --- what to watch ------------------------------------------------------------

    def watch(self, generation: Generation | str, expected_seconds: float | None = None) -> None:
        """Follow a generation until it is final; `expected_seconds`: its expected run.

        A generation already final (a POST that answered `completed`, a submission
        reconciled after it ended) is reported at once, from this call, and not polled:
        whoever waits for its end hears of it like any other.
        """
        now = self._clock.monotonic()
        expected = EXPECTED_SECONDS if expected_seconds is None else max(0.0, expected_seconds)
        if isinstance(generation, Generation):
            if generation.is_final:
                self._items.pop(generation.id, None)
                self._emit(generation)
                return
            gen_id = generation.id
            if generation.created_at is not None:
                # Already running for a while (e.g. found in progress at start-up);
                # a fresh one counts from now (createdAt has whole seconds only).
                age = (self._clock.now() - generation.created_at).total_seconds()
                if age > 2.0:
                    expected = max(0.0, expected - age)
            reported: str | None = generation.status.lower()
        else:
            gen_id, reported = generation, None
        if gen_id not in self._items:
            end = now + expected
            self._items[gen_id] = _Watched(
                gen_id, now, end + FIRST_LOOK_MARGIN, end, reported, None
            )
        self._paused = False
        self._wake.set()

    def forget(self, generation_id: str) -> None:
        """Stop following a generation (nothing more is reported for it)."""
        self._items.pop(generation_id, None)

    def resume(self) -> None:
        """Poll again after an authentication error (e.g. once the key was replaced)."""
        self._paused = False
        self._wake.set()

    @property
    def in_flight(self) -> frozenset[str]:
        """Ids of the generations being followed."""
        return frozenset(self._items)

    @property
    def paused(self) -> bool:
        """True after an authentication error, until `watch()` or `resume()`."""
        return self._paused

    async def updates(self) -> AsyncIterator[Generation]:
        """Every reported change, as it happens (each subscriber gets all of them)."""
        queue: asyncio.Queue[Generation] = asyncio.Queue()
        self._queues.append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.remove(queue)

    # --- the loop -----------------------------------------------------------------

    async def run(self) -> None:
        """Poll forever: idle (no requests) while nothing is in flight."""
        while True:
            self._wake.clear()
            if not self._items or self._paused:
                await self._wake.wait()
                continue
            now = self._clock.monotonic()
            wait = self.next_tick_at() - now
            if wait > 0:
                await self._sleep_or_wake(wait)
                continue
            await self.tick()

    def next_tick_at(self) -> float:
        """Clock time of the next tick, given what is watched."""
        due = min(item.due for item in self._items.values())
        if self._last_tick is not None:
            due = max(due, self._last_tick + min(self._interval, NEAR_INTERVAL))
        now = self._clock.monotonic()
        while self._sent and self._sent[0] <= now - 60.0:
            self._sent.popleft()
        if len(self._sent) >= BUDGET:
            # Never more than BUDGET requests in any minute (<= 20/min as promised).
            due = max(due, self._sent[len(self._sent) - BUDGET] + 60.0)
        return max(due, self._retry_at)

    async def tick(self) -> None:
        """Look at every watched generation once; errors back off, never escape."""
        if not self._items:
            return
        self._last_tick = self._clock.monotonic()
        try:
            await self._look()
        except AuthError as exc:
            self._paused = True
            self._report_error(exc)
        except FttuiError as exc:
            self._back_off(exc)
        except Exception as exc:  # a bug must not end polling for the whole app
            log.exception("watcher: unexpected error")
            self._back_off(exc)
        else:
            self._failures = 0
            self._retry_at = 0.0
        self._expire()

    async def _look(self) -> None:
        ids = list(self._items)
        seen: dict[str, Generation | None] = {}
        if len(ids) == 1:
            seen[ids[0]] = await self._get(ids[0])
        else:
            limit = min(100, max(20, len(ids) + 10))
            self._count()
            page = await self._client.list_generations(limit=limit, priority=Priority.BACKGROUND)
            seen = {g.id: g for g in page.generations if g.id in self._items}
            missing = [i for i in ids if i not in seen]
            if missing:
                # Older than the newest page: fetch a few one by one, in turn.
                start = self._missing_turn % len(missing)
                self._missing_turn += 1
                for gen_id in (missing[start:] + missing[:start])[:MISSING_PER_TICK]:
                    seen[gen_id] = await self._get(gen_id)
        for gen_id, generation in seen.items():
            if generation is not None:
                await self._observe(gen_id, generation)

    async def _get(self, gen_id: str) -> Generation | None:
        """One generation, or None (reported, and no longer watched) if it is gone."""
        self._count()
        try:
            return await self._client.get_generation(gen_id, priority=Priority.BACKGROUND)
        except NotFound as exc:
            self._items.pop(gen_id, None)
            self._report_error(exc)
            return None

    async def _observe(self, gen_id: str, generation: Generation) -> None:
        item = self._items.get(gen_id)
        if item is None:
            return
        item.last = generation
        status = generation.status.lower()
        now = self._clock.monotonic()
        if generation.is_final:
            if status == "failed" and generation.error_message is None:
                # Only the single-generation answer carries the error's text.
                with contextlib.suppress(FttuiError):
                    generation = await self._get(gen_id) or generation
            if self._items.pop(gen_id, None) is not None:
                self._emit(generation)
            return
        if status != item.reported:
            item.reported = status
            self._emit(generation)
        late = now - item.expected_end
        if late > SLOW_AFTER:
            item.due = now + SLOW_INTERVAL
        elif -NEAR_WINDOW < late < NEAR_WINDOW:
            item.due = now + min(self._interval, NEAR_INTERVAL)
        else:
            item.due = now + self._interval

    def _count(self) -> None:
        self.requests += 1
        self._sent.append(self._clock.monotonic())

    def _expire(self) -> None:
        now = self._clock.monotonic()
        for item in list(self._items.values()):
            if now - item.since >= self._timeout:
                del self._items[item.id]
                verdict = WatchTimeout(item.id, item.last, now - item.since)
                log.warning("watcher: gave up on %s after %.0fs", item.id, verdict.waited)
                if self.on_timeout is not None:
                    self._call(self.on_timeout, verdict)

    def _back_off(self, exc: BaseException) -> None:
        self._failures += 1
        wait = min(MAX_BACKOFF, self._interval * 2 ** min(self._failures, 6))
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, (int, float)):
            wait = max(wait, float(retry_after))
        self._retry_at = self._clock.monotonic() + wait
        log.info("watcher: %s; next look in %.0fs", type(exc).__name__, wait)

    def _emit(self, generation: Generation) -> None:
        for queue in self._queues:
            queue.put_nowait(generation)
        if self.on_update is not None:
            self._call(self.on_update, generation)

    def _report_error(self, exc: FttuiError) -> None:
        if self.on_error is not None:
            self._call(self.on_error, exc)

    @staticmethod
    def _call(callback: Callable[[_T], None], value: _T) -> None:
        try:
            callback(value)
        except Exception:  # a listener's bug must not stop the watcher
            log.exception("watcher: a listener failed")

    async def _sleep_or_wake(self, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()
