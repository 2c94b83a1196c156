"""One watcher for every generation in progress: batched, adaptive polling.

The vendor's example polls each generation every 3 s: 20 requests a minute for each,
so four at once exceed the API's 60. The watcher instead makes one request per tick
for all of them (one GET when a single generation is in flight, the newest page of
the list otherwise), never ticks more often than every 3 s, makes no request at all
while nothing is in flight, and takes its first look near the expected finish.

Given a `FinishPredictor` (fed from the cache's finished generations, and learning from
each one seen finishing), the expected finish is the user's own: each generation's
forecast (by its length and kind) says how many of its ends are due by each moment, and
the watcher plans its looks over all of them together (`plan_looks`): none before the
first end is due, most where most ends are due, never more than 12 in any minute. A
fresh generation's forecast counts from when the watcher was handed it (just after its
POST), not from createdAt, which has whole seconds only. Past its forecast, a generation
is looked at less and less often. A generation still in progress after 5 minutes is
reported stalled and still looked at now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from fttui.api.errors import AuthError, FttuiError, NotFound
from fttui.api.limiter import Priority
from fttui.api.models import Generation, GenerationPage
from fttui.api.timing import STALLED_AFTER, Due, FinishPredictor, Forecast, plan_looks
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

# With a predictor:
LEARNED_BUDGET = 12  # polling requests in any sliding minute
TIGHT_INTERVAL = 0.5  # the shortest gap between two looks, inside the forecast window
BURST = 4  # looks that can be spent at once, for generations without a forecast; the rest...
SAVED = 8  # ...of the budget refills evenly, up to this many saved while waiting
FRESH_WITHIN = 2.0  # createdAt this recent: handed over just after its POST
UNKNOWN_FIRST_LOOK = 8.0  # before any history: the vendor page's generation...
UNKNOWN_STEP = 0.15  # ...then look again after this share of its age (1.5 s to 10 s)
STALLED_INTERVAL = 30.0  # in progress for STALLED_AFTER: still looked at, this often
SURPRISES = 0.02  # the share of ends taken to fall just past their forecast
LATE = 3.0  # past its forecast, looked at again within 3x max(2 s, half its lateness, width/4)

_T = TypeVar("_T")
_UNSET = object()


class GenerationSource(Protocol):
    """What the watcher needs of a client (a `FinetuningClient`, or a stand-in)."""

    @property
    def clock(self) -> Clock: ...

    async def get_generation(
        self, generation_id: str, *, priority: Priority = ...
    ) -> Generation: ...

    async def list_generations(
        self, *, limit: int = ..., priority: Priority = ...
    ) -> GenerationPage: ...


@dataclass(frozen=True)
class WatchTimeout:
    """The watcher gave up on a generation that stayed in progress too long.

    This is a local verdict, not a server status: `last_seen` is what the server said.
    """

    generation_id: str
    last_seen: Generation | None
    waited: float
    stalled: bool = False
    """True for `on_stalled`: still followed, only slower than it should be."""


@dataclass
class _Watched:
    id: str
    since: float
    due: float
    expected_end: float
    reported: str | None = None
    last: Generation | None = None
    created: float | None = None  # createdAt on the monotonic scale, when known
    window: tuple[float, float] | None = None  # the forecast end, monotonic
    stalled: bool = False
    forecast: Forecast | None = None
    start: float = 0.0  # the forecast's zero, monotonic...
    start_spread: float = 0.0  # ...give or take this (createdAt's whole seconds)
    started_at: datetime | None = None  # wall time of `start`, for a fresh generation
    checked: float = 0.0  # last seen in progress, monotonic


class Watcher:
    """Polls every watched generation until it is final, reporting each change once.

    Updates arrive through `on_update` and `updates()`; a generation given up on
    through `on_timeout`; one in progress for 5 minutes (still followed) through
    `on_stalled`; one the server no longer has through `on_gone` (its id; without
    `on_gone`, its NotFound goes to `on_error`); an authentication error (which stops
    polling until `watch()` or `resume()` is called) through `on_error`. Run `run()` as
    a background task.

    With `predictor`, first looks follow the user's own generation times (see the
    module); `timeout` then defaults to None: never give up while the server says
    the generation is in progress.
    """

    def __init__(
        self,
        client: GenerationSource,
        *,
        clock: Clock | None = None,
        on_update: Callable[[Generation], None] | None = None,
        on_timeout: Callable[[WatchTimeout], None] | None = None,
        on_error: Callable[[FttuiError], None] | None = None,
        on_gone: Callable[[str], None] | None = None,
        on_stalled: Callable[[WatchTimeout], None] | None = None,
        interval: float = INTERVAL,
        timeout: float | object | None = _UNSET,
        predictor: FinishPredictor | None = None,
    ) -> None:
        self._client = client
        self._clock = clock or client.clock
        self.on_update = on_update
        self.on_timeout = on_timeout
        self.on_error = on_error
        self.on_gone = on_gone
        self.on_stalled = on_stalled
        self.predictor = predictor
        self._interval = interval
        if timeout is _UNSET:
            timeout = None if predictor is not None else TIMEOUT
        self._timeout: float | None = timeout if isinstance(timeout, (int, float)) else None
        self._budget = LEARNED_BUDGET if predictor is not None else BUDGET
        # A bucket of BURST looks refilled at (budget - BURST)/min: never more than the
        # budget in any minute, and never a minute-long wait for an exhausted budget.
        self._tokens = float(BURST)
        self._tokens_at = self._clock.monotonic()
        self._items: dict[str, _Watched] = {}
        self._queues: list[asyncio.Queue[Generation]] = []
        self._wake = asyncio.Event()
        self._paused = False
        self._last_tick: float | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._missing_turn = 0
        self._sent: deque[float] = deque()
        self._plan: list[float] | None = None  # planned looks; None: to plan again
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
            item = _Watched(gen_id, now, end + FIRST_LOOK_MARGIN, end, reported, None)
            if self.predictor is not None:
                self._forecast(item, generation if isinstance(generation, Generation) else None)
            self._items[gen_id] = item
            self._plan = None
        self._paused = False
        self._wake.set()

    def _forecast(self, item: _Watched, generation: Generation | None) -> None:
        """Where its end should fall (or, before any history, a cautious first look)."""
        assert self.predictor is not None
        now = self._clock.monotonic()
        created = now
        item.start, item.checked = now, now
        if generation is not None and generation.created_at is not None:
            age = max(0.0, (self._clock.now() - generation.created_at).total_seconds())
            created = now - age
            if age <= FRESH_WITHIN:
                # Just POSTed: counted from now, exactly, not from a whole-second createdAt.
                item.started_at = self._clock.now()
            else:  # found running (e.g. at start-up): createdAt is all there is
                item.start, item.start_spread = created, 1.0
        item.created = created
        length = None if generation is None else generation.length_seconds
        forecast: Forecast | None = self.predictor.predict(
            length, None if generation is None else generation.type
        )
        item.forecast = forecast
        if forecast is None:
            item.window = None
            item.expected_end = created + UNKNOWN_FIRST_LOOK
            item.due = max(now, item.expected_end)
            return
        item.window = (item.start + forecast.first, item.start + forecast.last + item.start_spread)
        item.expected_end = item.start + forecast.likely + item.start_spread / 2
        item.due = math.inf  # planned with the others (`_planned_look`)

    def _share_by(self, item: _Watched, at: float) -> float:
        """The share of `item`'s forecast ends due by clock time `at`."""
        assert item.forecast is not None
        offset = at - item.start
        if not item.start_spread:
            return item.forecast.share_by(offset)
        spread, share_by = item.start_spread, item.forecast.share_by
        return (
            share_by(offset) + 2 * share_by(offset - spread / 2) + share_by(offset - spread)
        ) / 4

    def _due(self, item: _Watched) -> Due | None:
        """`item` for the planner, as last seen (None: no forecast, or stalled)."""
        if item.forecast is None or item.window is None:
            return None
        age = item.checked - (item.created if item.created is not None else item.since)
        if age >= STALLED_AFTER:
            return None
        low, high = item.window
        checked = item.checked
        # Past the forecast the end is taken to come soon, less surely the later it is,
        # so looks thin out; a few ends in each forecast are counted there too, so the
        # budget is never all spent inside the forecast.
        late = checked >= high
        inside = 0.0 if late else 1.0 - SURPRISES  # the share of ends in the forecast
        scale = TIGHT_INTERVAL * 4  # just past the forecast; once late, longer and longer
        if late:
            scale = max(scale, (checked - high) * 0.5, (high - low) / 4)
        late_from = max(checked, high)

        def ends_by(at: float) -> float:
            after = 1.0 - math.exp(-max(0.0, at - late_from) / scale)
            return (inside * self._share_by(item, at) if inside else 0.0) + (1 - inside) * after

        seen = ends_by(checked)
        if seen >= 0.999:
            return None

        def share_by(at: float) -> float:
            return max(0.0, ends_by(at) - seen) / (1.0 - seen)

        return Due(share_by, checked if late else max(checked, low), late_from + LATE * scale)

    def _planned_look(self, now: float) -> float:
        """The next look planned for the generations with a forecast (inf: none)."""
        dues = [(item, due) for item in self._items.values() if (due := self._due(item))]
        if not dues:
            return math.inf
        if self._plan is None:
            not_before = now if self._last_tick is None else self._last_tick + TIGHT_INTERVAL
            self._plan = plan_looks(
                now,
                [due for _, due in dues],
                self._sent,
                budget=self._budget,
                gap=TIGHT_INTERVAL,
                not_before=not_before,
            )
        # Whatever the plan, each is looked at by the end of its forecast: an end the
        # forecast did not see coming is then followed as late, not left to a far look.
        latest = min(due.stop for _, due in dues)
        return min([latest, *self._plan[:1]])

    def _next_look(self, item: _Watched, now: float) -> float:
        """When to look at a generation still in progress (with a predictor)."""
        age = now - (item.created if item.created is not None else item.since)
        if age >= STALLED_AFTER:
            return now + STALLED_INTERVAL
        if item.window is None:
            return now + min(10.0, max(NEAR_INTERVAL, age * UNKNOWN_STEP))
        return math.inf  # planned with the others

    def _refill(self) -> None:
        now = self._clock.monotonic()
        rate = (self._budget - BURST) / 60.0
        # Saved up past the burst only under the sliding minute's hard cap (`next_tick_at`).
        self._tokens = min(float(SAVED), self._tokens + (now - self._tokens_at) * rate)
        self._tokens_at = now

    @property
    def stalled(self) -> frozenset[str]:
        """Ids of followed generations in progress for 5 minutes or more."""
        return frozenset(i.id for i in self._items.values() if i.stalled)

    def forget(self, generation_id: str) -> None:
        """Stop following a generation (nothing more is reported for it)."""
        self._items.pop(generation_id, None)
        self._plan = None

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
        now = self._clock.monotonic()
        while self._sent and self._sent[0] <= now - 60.0:
            self._sent.popleft()
        budget = self._budget
        due = min(item.due for item in self._items.values())
        if self.predictor is not None:
            # Generations without a forecast (no history yet) spend a refilling bucket;
            # the others, late ones too, are planned together within the budget.
            self._refill()
            if self._tokens < 1.0 and due < math.inf:
                due = max(due, now + (1.0 - self._tokens) * 60.0 / (budget - BURST))
            due = min(due, self._planned_look(now))
        if self._last_tick is not None:
            gap = TIGHT_INTERVAL if self.predictor is not None else NEAR_INTERVAL
            due = max(due, self._last_tick + min(self._interval, gap))
        if len(self._sent) >= budget:
            # Never more than the budget's requests in any minute.
            due = max(due, self._sent[len(self._sent) - budget] + 60.0)
        return max(due, self._retry_at)

    async def tick(self) -> None:
        """Look at every watched generation once; errors back off, never escape."""
        if not self._items:
            return
        self._last_tick = self._clock.monotonic()
        self._plan = None  # what this look sees changes the plan
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
        self._mark_stalled()

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
            if self._items.pop(gen_id, None) is not None and self.on_gone is not None:
                self._call(self.on_gone, gen_id)
            elif self.on_gone is None:
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
                self._learn(generation, item)
                self._emit(generation)
            return
        if status != item.reported:
            item.reported = status
            self._emit(generation)
        if self.predictor is not None:
            item.checked = now
            item.due = self._next_look(item, now)
            return
        late = now - item.expected_end
        if late > SLOW_AFTER:
            item.due = now + SLOW_INTERVAL
        elif -NEAR_WINDOW < late < NEAR_WINDOW:
            item.due = now + min(self._interval, NEAR_INTERVAL)
        else:
            item.due = now + self._interval

    def _count(self) -> None:
        if self.predictor is not None:
            self._refill()
            self._tokens = max(0.0, self._tokens - 1.0)  # planned looks leave no debt
        self.requests += 1
        self._sent.append(self._clock.monotonic())

    def _learn(self, generation: Generation, item: _Watched) -> None:
        """A generation seen finishing teaches the predictor its time."""
        if self.predictor is None or generation.status.lower() != "completed":
            return
        seconds = generation.generation_time
        ended = generation.completed_at
        total = None
        if item.started_at is not None and ended is not None:
            # Followed from its POST: its run from then, on the scale forecasts use.
            total = (ended - item.started_at).total_seconds()
            if seconds is not None:
                self.predictor.learn_overhead(total - seconds)
        elif generation.created_at is not None and ended is not None:
            total = (ended - generation.created_at).total_seconds()
        if seconds is None and total is not None:
            # A list item has no generationTime: the whole run, less the usual overhead.
            seconds = total - self.predictor.overhead
        if seconds is not None:
            self.predictor.learn([(generation.length_seconds, generation.type, seconds)])

    def _mark_stalled(self) -> None:
        now = self._clock.monotonic()
        for item in list(self._items.values()):
            waited = now - (item.created if item.created is not None else item.since)
            if item.stalled or waited < STALLED_AFTER:
                continue
            item.stalled = True
            log.info("watcher: %s in progress for %.0fs", item.id, waited)
            if self.on_stalled is not None:
                self._call(self.on_stalled, WatchTimeout(item.id, item.last, waited, stalled=True))

    def _expire(self) -> None:
        if self._timeout is None:
            return
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
