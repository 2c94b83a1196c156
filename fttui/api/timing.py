"""When will a generation finish? Learned from the user's own finished generations.

The live API's generations take far longer than the vendor page's 7.2 s, and how long
depends on the track's length and kind. The predictor keeps the recent
(duration, kind, generationTime) of finished generations (from the cache at start-up,
then from each one seen finishing) and forecasts where, in seconds after the start, a
new one should end: where the lengths vary, along a line fitted to time against length
(a fixed cost plus time per second of track), so the spread the lengths explain does not
widen the forecast; what is left is the service's own noise.

`plan_looks` then spends a polling budget over the forecasts of everything in flight:
one look sees them all, so looks go where the most ends are due, never more than the
budget in any minute.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

KEEP = 60  # recent samples per kind: the service's speed drifts, old runs stop counting
FEW = 5  # below this many samples the window is widened
STALLED_AFTER = 300.0  # in progress this long: "may have failed silently" (CONTRACT v1.2)
DEFAULT_OVERHEAD = 1.0  # start to completedAt, beyond generationTime (upload, rounding)
MIN_BLUR = 0.25  # seconds: each past run stands for ends this close to it, at least

Sample = tuple[float | None, str | None, float]
"""(duration asked for in seconds or None, kind or None, generationTime in seconds)."""


@dataclass(frozen=True)
class Forecast:
    """Seconds after the start: the end is likely at `likely`, almost surely in low..high.

    `knots` (seconds, share of ends by then), when given, is the whole spread of the
    past runs (each blurred a little), so looks can go where ends are densest; without
    them the ends are taken as even over low..high.
    """

    low: float
    likely: float
    high: float
    knots: tuple[tuple[float, float], ...] = field(default=(), compare=False)

    @property
    def first(self) -> float:
        """No end is expected before this."""
        return self.knots[0][0] if self.knots else self.low

    @property
    def last(self) -> float:
        """No end is expected after this (past it, the generation is late)."""
        return self.knots[-1][0] if self.knots else self.high

    def share_by(self, seconds: float) -> float:
        """The share of ends expected by `seconds` after the start (0 to 1)."""
        knots = self.knots or ((self.low, 0.0), (self.high, 1.0))
        if seconds <= knots[0][0]:
            return 0.0
        if seconds >= knots[-1][0]:
            return 1.0
        at = bisect.bisect_right(knots, (seconds, math.inf))
        (x0, y0), (x1, y1) = knots[at - 1], knots[at]
        return y0 if x1 <= x0 else y0 + (y1 - y0) * (seconds - x0) / (x1 - x0)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _line(kept: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(base, seconds per second of track) through (length, time): the median of the
    pairwise slopes (one odd run cannot tilt it), never negative."""
    slopes = [
        (t2 - t1) / (l2 - l1)
        for n, (l1, t1) in enumerate(kept)
        for l2, t2 in kept[n + 1 :]
        if abs(l2 - l1) >= 1.0
    ]
    slope = max(0.0, statistics.median(slopes)) if slopes else 0.0
    base = statistics.median(t - slope * length for length, t in kept)
    return base, slope


def _knots(ends: list[float], blur: float) -> tuple[tuple[float, float], ...]:
    """The share of ends by each time, each past end spread evenly over +-`blur`."""
    points = sorted({e - blur for e in ends} | {e + blur for e in ends})
    share = 1.0 / len(ends)
    return tuple(
        (x, sum(share * min(1.0, max(0.0, (x - (e - blur)) / (2 * blur))) for e in ends))
        for x in points
    )


class FinishPredictor:
    """Forecasts a generation's end from the durations and times of finished ones."""

    def __init__(self, samples: Iterable[Sample] = ()) -> None:
        self._samples: dict[str, deque[tuple[float | None, float]]] = {}
        self._overheads: deque[float] = deque(maxlen=KEEP)
        self.learn(samples)

    def learn(self, samples: Iterable[Sample]) -> None:
        """Add finished generations' (duration, kind, generationTime), oldest first."""
        for duration, kind, seconds in samples:
            if seconds is None or not seconds > 0:
                continue
            length = duration if duration is not None and duration > 0 else None
            self._samples.setdefault(kind or "music", deque(maxlen=KEEP)).append((length, seconds))

    def learn_overhead(self, seconds: float) -> None:
        """End (completedAt) - start - generationTime of one finished generation; the
        start is when the client began following a fresh one (a little after createdAt)."""
        if -5.0 <= seconds < 120:
            self._overheads.append(seconds)

    @property
    def overhead(self) -> float:
        return statistics.median(self._overheads) if self._overheads else DEFAULT_OVERHEAD

    def __len__(self) -> int:
        return sum(len(kept) for kept in self._samples.values())

    def predict(self, duration: float | None, kind: str | None) -> Forecast | None:
        """Where the end should fall, or None before any history."""
        kept = self._samples.get(kind or "music") or [
            s for kept in self._samples.values() for s in kept
        ]
        if not kept:
            return None
        times = [seconds for _, seconds in kept]
        known = [(length, seconds) for length, seconds in kept if length is not None]
        lengths = [length for length, _ in known]
        varied = len(known) == len(kept) and max(lengths) > 1.2 * min(lengths)
        if duration is not None and duration > 0 and varied:
            # Lengths vary: a fixed cost plus time per second of track carries over, and
            # only what the line leaves unexplained spreads the forecast.
            base, slope = _line(known)
            expected = base + slope * duration
            times = [max(0.1, expected + t - (base + slope * length)) for length, t in known]
        low, likely, high = (_quantile(times, q) for q in (0.1, 0.5, 0.9))
        ends = sorted(times)
        gap = (ends[-1] - ends[0]) / (len(ends) - 1) if len(ends) > 1 else 0.0
        blur = max(MIN_BLUR, gap)
        if len(times) < FEW:
            low, high = low * 0.8, high * 1.25  # little evidence: a wider window
            blur = max(blur, likely - low, high - likely)
        overhead = self.overhead
        knots = tuple((x + overhead, share) for x, share in _knots(ends, blur))
        return Forecast(low + overhead, likely + overhead, high + overhead, knots)


# --- spending a polling budget over what is in flight -------------------------------------


@dataclass(frozen=True)
class Due:
    """One generation in flight, as the planner sees it: the share of its ends expected
    by each clock time, counted from `start` (when it was last seen in progress) to
    `stop` (past which it is late)."""

    share_by: Callable[[float], float]
    start: float
    stop: float


PLAN_STEP = 0.25  # seconds between two candidate looks
PLAN_CELLS = 600  # at most this many candidates (a coarser step beyond)
WORTH = 0.1  # a look must save this many seconds of expected lateness, summed
MINUTE = 60.0


def _fits(times: list[float], at: float, budget: int, gap: float) -> bool:
    """Whether a look at `at` keeps every minute to `budget` looks, `gap` apart."""
    i = bisect.bisect_left(times, at)
    if (i > 0 and at - times[i - 1] < gap) or (i < len(times) and times[i] - at < gap):
        return False
    near = [*times[max(0, i - budget) : i], at, *times[i : i + budget]]
    # budget + 1 looks in a row must span a minute or more (a little more: float time).
    return all(near[k + budget] - near[k] >= MINUTE + 0.01 for k in range(len(near) - budget))


def plan_looks(
    now: float,
    dues: Sequence[Due],
    sent: Sequence[float],
    *,
    budget: int,
    gap: float,
    not_before: float,
) -> list[float]:
    """When to look, for the least expected lateness summed over `dues`, never more than
    `budget` looks in any minute (counting those `sent`) nor two within `gap`.

    One look sees every generation, so what counts is how many ends are due by each
    time, all generations together. Looks are added one at a time where each saves the
    most (a look at t sees the ends since the look before t, which the look after would
    have seen), while one still saves at least `WORTH` seconds. The first look of the
    plan is the one to make; the rest are planned again after it.
    """
    if not dues:
        return []
    begin = max(now, not_before)
    end = max(d.stop for d in dues)
    step = max(PLAN_STEP, (end - begin) / PLAN_CELLS)
    cells = max(1, math.ceil((end - begin) / step) + 1)
    times = [begin + k * step for k in range(cells)]
    # Ends due by each candidate (cumulative), all generations together.
    due_by = [0.0] * cells
    for due in dues:
        first = max(0, min(cells - 1, math.floor((due.start - begin) / step)))
        for k in range(first, cells):
            due_by[k] += due.share_by(times[k])
    planned: list[int] = []  # candidate indices, sorted
    taken = sorted(t for t in sent if t > now - MINUTE)
    chosen: set[int] = set()
    refused: set[int] = set()
    while True:
        # What no planned look sees is seen by a late look, once the budget allows one.
        tail = end + max(1.0, step)
        if len(taken) >= budget:
            tail = max(tail, taken[-budget] + MINUTE + 0.01)
        gains: list[tuple[float, int]] = []
        below = 0.0  # ends due by the planned look before the candidate
        nxt = 0  # position in `planned` of the first planned look after the candidate
        for k in range(cells):
            while nxt < len(planned) and planned[nxt] <= k:
                below = due_by[planned[nxt]]
                nxt += 1
            if k in refused or k in chosen:
                continue
            after = times[planned[nxt]] if nxt < len(planned) else tail
            gain = (after - times[k]) * (due_by[k] - below)
            if gain >= WORTH:
                gains.append((gain, k))
        if not gains:
            break
        gains.sort(reverse=True)
        for _, k in gains:
            if _fits(taken, times[k], budget, gap):
                bisect.insort(planned, k)
                chosen.add(k)
                bisect.insort(taken, times[k])
                break
            refused.add(k)  # a look only gets less possible as others are planned
        else:
            break
    return [times[k] for k in planned]
