"""The whole-history backfill on a 10,000-generation account: time, pace, submit delay.

Against the simulator on a virtual clock shared by client and server (an hour of pacing
takes seconds of real time). Two ways to cache the whole history, each from an empty
cache, while the user submits a generation every 2 minutes (virtual time):

- eager (the baseline): the list's own `load_more` in a loop at a person's priority,
  as fast as the rate limiter lets it (what "scroll to the end" would cost);
- backfill: `HistoryBackfill`, at most 10 list requests a minute, background priority,
  pausing 10 s after each of the user's requests.

"req/min max" is the most list requests in any sliding minute; "submit delay" is the
clock time from asking to submit to the answer (the server's own time is zero on this
clock, so any delay is fttui's own waiting).

    python bench/backfill.py [--generations 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fttui.api import ApiKey, FinetuningClient, RateLimiter, SubmissionJournal
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.session.backfill import HistoryBackfill
from fttui.sim.server import start
from fttui.store import GenerationStore, Library

SUBMIT_EVERY = 120.0


class Counting(httpx.AsyncBaseTransport):
    """Counts list GETs with their clock time."""

    def __init__(self, clock: VirtualClock) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.clock = clock
        self.lists: list[float] = []
        self.too_many = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "GET" and request.url.path == "/v1/generations":
            self.lists.append(self.clock.monotonic())
        self.too_many += response.status_code == 429
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Outcome:
    seconds: float
    cached: int
    lists: list[float]
    submit_delays: list[float]
    too_many: int

    @property
    def max_per_minute(self) -> int:
        times = self.lists
        return max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0)

    @property
    def per_minute(self) -> float:
        return len(self.lists) / (self.seconds / 60) if self.seconds else 0.0


async def measure(method: str, generations: int) -> Outcome:
    clock = VirtualClock()
    sim = start(clock=clock, speed=1.0, generations=generations, seed=3)
    counting = Counting(clock)
    delays: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = GenerationStore(Path(folder) / "cache.db")
        client = FinetuningClient(
            ApiKey(sim.demo_key), sim.base_url, clock=clock, limiter=RateLimiter(clock),
            journal=SubmissionJournal(Path(folder) / "journal"), rng=random.Random(1),
            transport=counting,
        )  # fmt: skip
        try:
            walk: Callable[[], Awaitable[None]]
            if method == "backfill":
                walk = HistoryBackfill(client, store, clock, lambda _: None).run
            else:
                library = Library(store, client, clock=clock)

                async def eager() -> None:
                    while await library.load_more():
                        pass

                walk = eager
            started = clock.monotonic()
            task = asyncio.create_task(walk())
            n = 0
            while not task.done():
                sleeper = asyncio.create_task(clock.sleep(SUBMIT_EVERY))
                await asyncio.wait({task, sleeper}, return_when=asyncio.FIRST_COMPLETED)
                if task.done():
                    sleeper.cancel()
                    break
                asked = clock.monotonic()
                tags = f"made during the walk {n}"
                await client.create_generation(GenerationRequest.from_fields({"tags": tags}))
                delays.append(clock.monotonic() - asked)
                n += 1
            await task
            seconds = clock.monotonic() - started
            cached = store.count()
        finally:
            await client.aclose()
            store.close()
            sim.close()
    return Outcome(seconds, cached, counting.lists, delays, counting.too_many)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=10_000)
    args = parser.parse_args()
    results = {m: asyncio.run(measure(m, args.generations)) for m in ("eager", "backfill")}
    base = results["eager"]
    print(f"Whole history of {args.generations:,} generations (virtual clock)")
    print(
        "| method | cached | time | list requests | req/min avg | req/min max | 429s "
        "| submits | submit delay max | time vs eager |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        delay = max(r.submit_delays, default=0.0)
        ratio = f"{r.seconds / base.seconds:.1f}x" if base.seconds else "—"
        print(
            f"| {name} | {r.cached:,} | {r.seconds:,.0f} s | {len(r.lists):,} "
            f"| {r.per_minute:.1f} | {r.max_per_minute} | {r.too_many} "
            f"| {len(r.submit_delays)} | {delay:.2f} s | {ratio} |"
        )


if __name__ == "__main__":
    main()
