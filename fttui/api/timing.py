"""When will a generation finish? Learned from the user's own finished generations.

The live API's generations take far longer than the vendor page's 7.2 s, and how long
depends on the track's length and kind. The predictor keeps the recent
(duration, kind, generationTime) of finished generations (from the cache at start-up,
then from each one seen finishing) and forecasts a window, in seconds after `createdAt`,
in which a new one should end: the watcher wakes at the window and looks often only
inside it.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

KEEP = 60  # recent samples per kind: the service's speed drifts, old runs stop counting
FEW = 5  # below this many samples the window is widened
STALLED_AFTER = 300.0  # in progress this long: "may have failed silently" (CONTRACT v1.2)
DEFAULT_OVERHEAD = 1.0  # createdAt to completedAt, beyond generationTime (upload, rounding)

Sample = tuple[float | None, str | None, float]
"""(duration asked for in seconds or None, kind or None, generationTime in seconds)."""


@dataclass(frozen=True)
class Forecast:
    """Seconds after `createdAt`: the end is likely at `likely`, almost surely in low..high."""

    low: float
    likely: float
    high: float


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


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
        """completedAt - createdAt - generationTime of one finished generation."""
        if 0 <= seconds < 120:
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
        lengths = [length for length, _ in kept if length is not None]
        varied = len(lengths) == len(kept) and max(lengths) > 1.2 * min(lengths)
        if duration is not None and duration > 0 and varied:
            # Lengths vary: the time per second of track is what carries over.
            times = [seconds / length * duration for length, seconds in kept if length]
        low, likely, high = (_quantile(times, q) for q in (0.1, 0.5, 0.9))
        if len(times) < FEW:
            low, high = low * 0.8, high * 1.25  # little evidence: a wider window
        overhead = self.overhead
        return Forecast(low + overhead, likely + overhead, high + overhead)
