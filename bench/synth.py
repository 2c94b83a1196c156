"""How fast the simulator renders a track: synthesis plus encoding, against encoding alone.

The simulator renders each finished generation's MP3 on its first request; a slow
render holds back every test that plays audio and the demo's first play. For 30 s, 60 s
and 180 s tracks this prints the render time, its share of the track's length, and its
ratio to the baseline measured in the same run: encoding the same length of silence
(the MP3 encoder's own cost, which no synthesis can avoid).

    .venv/bin/python bench/synth.py
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable

from fttui.sim import mp3
from fttui.sim.synth import SAMPLE_RATE, Track

RUNS = 3


def _best(work: Callable[[], object]) -> float:
    """The fastest of RUNS runs (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    print(f"{'track':>6} {'render s':>9} {'of real time':>13} {'x encode-only':>14}")
    for seconds in (30, 60, 180):
        track = Track(seconds, 60, "F#", "minor", "7", 9)
        silence = array("h", bytes(seconds * SAMPLE_RATE * 2))
        render = _best(lambda: mp3.render(track, "Bench"))  # noqa: B023 - used at once
        baseline = _best(lambda: mp3.encode(silence))  # noqa: B023 - used at once
        print(f"{seconds:>5}s {render:>9.3f} {render / seconds:>12.1%} {render / baseline:>14.2f}")
    print(f"(best of {RUNS} runs each)")


if __name__ == "__main__":
    main()
