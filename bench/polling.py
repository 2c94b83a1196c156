"""Polling cost and detection latency: fttui's watcher against the vendor's loop.

For 1 to 5 generations in flight, in one run, against the simulator on a virtual clock
shared by client and server (so minutes take a second, and the simulator decides when
each generation completes, exactly as it would in real time):

- fttui: one `Watcher` for all of them (batched, first look near the expected finish,
  then every 3 s at most);
- vendor: the loop from the vendor's documentation, one per generation: GET the
  generation at once, then every 3 s until it is final.

Requests per minute count the polling GETs over the time something was in flight.
Detection latency is the clock time at which the poller saw the final state, minus the
`completedAt` the server reports (the instant the generation ended on the same clock).

    python bench/polling.py [--rounds 10]
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
from fttui.clock import VirtualClock, holding
from fttui.sim.server import start

VENDOR_INTERVAL = 3.0


class Counting(httpx.AsyncBaseTransport):
    """Counts polling GETs and 429 answers."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.gets = 0
        self.too_many = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.gets += request.method == "GET"
        self.too_many += response.status_code == 429
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Outcome:
    requests: int
    in_flight_seconds: float
    latencies: list[float]
    too_many: int

    @property
    def per_minute(self) -> float:
        return self.requests / (self.in_flight_seconds / 60.0)

    @property
    def median_latency(self) -> float:
        return statistics.median(self.latencies)


async def run(method: str, in_flight: int, rounds: int) -> Outcome:
    clock = VirtualClock()
    sim = start(clock=clock, speed=1.0, seed=in_flight)
    counting = Counting()
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

        watcher = Watcher(client, on_update=seen)
        runner = asyncio.create_task(watcher.run()) if method == "fttui" else None
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
        for round_number in range(rounds):
            created = []
            for n in range(in_flight):
                request = GenerationRequest(tags=f"bench round {round_number} take {n}")
                created.append(await client.create_generation(request))
            started = clock.monotonic()
            loop = asyncio.get_running_loop()
            for item in created:
                detected[item.id] = loop.create_future()
                if method == "fttui":
                    watcher.watch(item.as_generation())
                else:
                    loops.append(asyncio.create_task(vendor_loop(item.id)))
            latencies += [await detected[item.id] for item in created]
            in_flight_seconds += clock.monotonic() - started
            await clock.sleep(5)  # between rounds, nothing is in flight
        if runner is not None:
            runner.cancel()
        await vendor.aclose()
        await client.aclose()
    finally:
        sim.close()
    return Outcome(counting.gets, in_flight_seconds, latencies, counting.too_many)


async def measure(in_flight: int, rounds: int) -> tuple[Outcome, Outcome]:
    return await run("fttui", in_flight, rounds), await run("vendor", in_flight, rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    print(f"Polling, {args.rounds} rounds per row (virtual clock shared with the simulator)")
    print()
    print("| in flight | fttui req/min | vendor req/min | vendor ÷ fttui "
          "| fttui median detect | vendor median detect | 429s fttui / vendor |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for in_flight in range(1, 6):
        ours, theirs = asyncio.run(measure(in_flight, args.rounds))
        print(
            f"| {in_flight} | {ours.per_minute:.1f} | {theirs.per_minute:.1f} "
            f"| {theirs.per_minute / ours.per_minute:.1f}× | {ours.median_latency:.2f} s "
            f"| {theirs.median_latency:.2f} s | {ours.too_many} / {theirs.too_many} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
