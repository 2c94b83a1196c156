"""A batch of variations: time to all sent, and refusals caused, on queues of 2 and 5.

Against the simulator on a virtual clock shared by client and server (generations take
~8 s of it, as on the vendor page), ten takes of one form are sent:

- batch, first: `BatchSender` on an account whose queue capacity fttui has not seen
  yet (the API never says it: `queueDepth` is a count); the first QUEUE_FULL teaches it,
  and it is kept in the batch folder;
- batch, later: the next batch, with what the first one learned;
- naive (the baseline, same run): send each take at once, and on a QUEUE_FULL wait its
  Retry-After and send again (what a loop around the vendor's example would do).

"refusals" counts the POST answers QUEUE_FULL or GENERATION_RATE_LIMITED; "GETs" the
reads each made to find room. Times are virtual seconds from the first POST's start.

    python bench/variations.py [--takes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fttui.api import ApiKey, FinetuningClient, RateLimiter, SubmissionJournal
from fttui.api.errors import QueueFull
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.session.batch import BatchFolder, BatchPlan, BatchSender, plan_batch
from fttui.sim.server import start


class Counting(httpx.AsyncBaseTransport):
    """Counts POST refusals (429) and GETs."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.refusals = 0
        self.codes: list[str] = []
        self.gets = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and response.status_code == 429:
            await response.aread()
            self.refusals += 1
            self.codes.append(response.json().get("error", {}).get("code", "?"))
        elif request.method == "GET":
            self.gets += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Row:
    method: str
    queue: int
    seconds: float
    refusals: int
    gets: int
    codes: str


async def _run(method: str, queue: int, takes: int, folder: BatchFolder) -> Row:
    clock = VirtualClock()
    sim = start(clock=clock, speed=1.0)
    sim.state.account(sim.demo_key).queue_depth = queue
    counting = Counting()
    with tempfile.TemporaryDirectory() as journal:
        client = FinetuningClient(
            ApiKey(sim.demo_key),
            sim.base_url,
            clock=clock,
            limiter=RateLimiter(clock),
            journal=SubmissionJournal(Path(journal)),
            rng=random.Random(1),
            transport=counting,
        )
        form = GenerationRequest.from_fields({"tags": "lofi piano", "duration": 30})
        now = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)
        plan = plan_batch(form, "seed", takes, now=now, rng=random.Random(2))
        try:
            await client.me()
            counting.gets = 0
            began = clock.monotonic()
            if method.startswith("batch"):
                await BatchSender(client, plan, folder=folder).run()
            else:
                await _naive(client, plan, clock)
            seconds = clock.monotonic() - began
        finally:
            await client.aclose()
            sim.close()
    codes = ", ".join(sorted(set(counting.codes))) or "-"
    return Row(method, queue, seconds, counting.refusals, counting.gets, codes)


async def _naive(client: FinetuningClient, plan: BatchPlan, clock: VirtualClock) -> None:
    for take in plan.takes:
        while True:
            try:
                await client.create_generation(take.request, wait=True)
                break
            except QueueFull as exc:
                await clock.sleep(float(exc.retry_after or 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--takes", type=int, default=10)
    args = parser.parse_args()
    print("| queue | method | time to all sent | refusals caused | which | GETs to find room |")
    print("| ---: | --- | ---: | ---: | --- | ---: |")
    for queue in (2, 5):
        with tempfile.TemporaryDirectory() as kept:
            folder = BatchFolder(Path(kept))  # what the first batch learns, the later one uses
            for method in ("batch, first", "batch, later", "naive"):
                row = asyncio.run(_run(method, queue, args.takes, folder))
                print(
                    f"| {row.queue} | {row.method} | {row.seconds:.1f} s | {row.refusals} |"
                    f" {row.codes} | {row.gets} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
