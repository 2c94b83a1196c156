"""Polling cost and detection latency: the learned watcher, the old one, the vendor's loop.

For several generation-time distributions (8 s as on the vendor page, 50 s, 50 ± 20 s of
pure noise, 50 s with an sd of 20 s explained by the durations asked for, 200 s) and 1, 5
and 10 generations in flight, against the simulator on a virtual clock
shared by client and server (so a 200 s generation takes no real time, and the simulator
decides when each generation completes, exactly as it would in real time):

- vendor: the loop from the vendor's documentation, one per generation: GET the
  generation at once, then every 3 s until it is final;
- old: the `Watcher` without a predictor (first look at 8 s, 1.5 s around it, then 3 s);
- learned: the `Watcher` with a `FinishPredictor` fed from the cache (the
  `history` generations of a round run before measuring, as the app feeds it from its
  cache), then learning from each generation it sees finishing;
- cold: the same, with no history at all (a first session).

GET/min counts the polling GETs over the time something was in flight; "max/min" is the
most GETs in any sliding minute. Detection latency is the clock time at which the poller
saw the final state, minus the `completedAt` the server reports.

    python bench/polling.py [--rounds 6] [--only 50s]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fttui.api import ApiKey, FinetuningClient, RateLimiter, SubmissionJournal, Watcher
from fttui.api.models import Generation, GenerationRequest
from fttui.api.timing import FinishPredictor
from fttui.clock import VirtualClock, holding
from fttui.session.following import make_watcher
from fttui.sim.server import start

VENDOR_INTERVAL = 3.0
BY_DURATION = (10.0, 0.5, 1.2)  # 10 s + 0.5 s per second of track, +-1.2 s
DURATIONS = (10, 150)  # asked for evenly in this range: 15-85 s, mean 50 s, sd 20 s


@dataclass(frozen=True)
class Spread:
    """How the simulator decides a generation's time (see docs/simulator.md)."""

    seconds: tuple[float, float] | None = None  # mean, plus or minus (uniform noise)
    by_duration: tuple[float, float, float] | None = None  # base, per second, plus or minus


DISTRIBUTIONS: dict[str, Spread] = {
    "8s": Spread(),  # the vendor page's 6.0-8.4 s (+0.8 s upload)
    "50s": Spread(seconds=(50.0, 1.2)),
    "50±20s noise": Spread(seconds=(50.0, 20.0)),  # 30-70 s whatever was asked
    "50±20s by duration": Spread(by_duration=BY_DURATION),
    "200s": Spread(seconds=(200.0, 5.0)),
}
METHODS = ("vendor", "old", "learned", "cold")
HISTORY = 6  # finished generations in the cache before measuring "learned"


class Counting(httpx.AsyncBaseTransport):
    """Counts polling GETs (with their clock time) and 429 answers."""

    def __init__(self, clock: VirtualClock) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.clock = clock
        self.gets: list[float] = []
        self.too_many = 0
        self.counting = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.counting and request.method == "GET":
            self.gets.append(self.clock.monotonic())
        self.too_many += response.status_code == 429
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Outcome:
    gets: list[float]
    in_flight_seconds: float
    latencies: list[float]
    too_many: int

    @property
    def per_minute(self) -> float:
        return len(self.gets) / (self.in_flight_seconds / 60.0)

    @property
    def most_in_a_minute(self) -> int:
        return max((sum(t <= s < t + 60 for s in self.gets) for t in self.gets), default=0)

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.latencies, n=10)[-1] if len(self.latencies) > 1 else 0.0


async def run(method: str, spread: Spread, in_flight: int, rounds: int) -> Outcome:
    clock = VirtualClock()
    sim = start(
        clock=clock,
        speed=1.0,
        seed=in_flight,
        generation_seconds=spread.seconds,
        generation_by_duration=spread.by_duration,
    )
    for account in sim.state.accounts.values():
        account.queue_depth = max(account.queue_depth, in_flight)  # 10 in flight: beyond v1.2's 5
    counting = Counting(clock)
    latencies: list[float] = []
    in_flight_seconds = 0.0
    try:
        client = FinetuningClient(
            ApiKey(sim.demo_key), sim.base_url, clock=clock, limiter=RateLimiter(clock),
            journal=SubmissionJournal(Path(tempfile.mkdtemp())), rng=random.Random(in_flight),
            transport=counting,
        )  # fmt: skip
        detected: dict[str, asyncio.Future[float]] = {}

        def seen(generation: Generation) -> None:
            future = detected.get(generation.id)
            if generation.is_final and future is not None and not future.done():
                assert generation.completed_at is not None
                # Detection time on the shared clock, minus the server's completion time.
                future.set_result((clock.now() - generation.completed_at).total_seconds())

        predictor = FinishPredictor() if method in ("learned", "cold") else None
        if predictor is not None:  # the session's own watcher, as the app and CLI build it
            watcher = make_watcher(client, predictor=predictor, on_update=seen)
        else:
            watcher = Watcher(client, on_update=seen)
        runner = asyncio.create_task(watcher.run()) if method != "vendor" else None
        vendor = httpx.AsyncClient(
            base_url=sim.base_url, headers={"X-API-Key": sim.demo_key}, transport=counting
        )

        async def vendor_loop(gen_id: str) -> None:
            while True:
                with holding(clock):
                    answer = await vendor.get(f"/v1/generations/{gen_id}")
                if answer.status_code == 200:
                    data = Generation.model_validate(answer.json()["data"])
                    if data.is_final:
                        seen(data)
                        return
                await clock.sleep(VENDOR_INTERVAL)

        loops: list[asyncio.Task[None]] = []
        # The cache's history: enough finished generations for a steady forecast.
        warm_up = -(-HISTORY // in_flight) if method == "learned" else 0
        for round_number in range(warm_up + rounds):
            measuring = round_number >= warm_up
            counting.counting = measuring
            created = []
            for n in range(in_flight):
                fields: dict[str, object] = {"tags": f"bench round {round_number} take {n}"}
                if spread.by_duration is not None:
                    # The same requests for every poller (history rounds: others).
                    asked = random.Random(f"{in_flight}:{round_number - warm_up}:{n}")
                    fields["duration"] = asked.randint(*DURATIONS)
                request = GenerationRequest.from_fields(fields)
                created.append(await client.create_generation(request))
            started = clock.monotonic()
            loop = asyncio.get_running_loop()
            for item in created:
                detected[item.id] = loop.create_future()
                if method == "vendor":
                    loops.append(asyncio.create_task(vendor_loop(item.id)))
                else:
                    watcher.watch(item.as_generation())
            found = [await detected[item.id] for item in created]
            if measuring:
                latencies += found
                in_flight_seconds += clock.monotonic() - started
            await clock.sleep(5)  # between rounds, nothing is in flight
        if runner is not None:
            runner.cancel()
        await vendor.aclose()
        await client.aclose()
    finally:
        sim.close()
    return Outcome(counting.gets, in_flight_seconds, latencies, counting.too_many)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--only", choices=list(DISTRIBUTIONS), default=None)
    parser.add_argument("--in-flight", type=int, nargs="*", default=[1, 5, 10])
    args = parser.parse_args()
    print(f"Polling, {args.rounds} rounds per row (virtual clock shared with the simulator)")
    print()
    print("| generations | in flight | poller | GET/min | max in a minute | median detect "
          "| p90 detect | 429s | vendor ÷ it (GET/min) |")  # fmt: skip
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, spread in DISTRIBUTIONS.items():
        if args.only is not None and name != args.only:
            continue
        for in_flight in args.in_flight:
            outcomes = {m: asyncio.run(run(m, spread, in_flight, args.rounds)) for m in METHODS}
            vendor = outcomes["vendor"]
            for method, o in outcomes.items():
                print(
                    f"| {name} | {in_flight} | {method} | {o.per_minute:.1f} "
                    f"| {o.most_in_a_minute} | {o.median:.2f} s | {o.p90:.2f} s | {o.too_many} "
                    f"| {vendor.per_minute / o.per_minute:.1f}× |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
