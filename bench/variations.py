"""A batch of variations: time to all sent, and refusals caused, on queues of 2 and 5.

Against the simulator on a virtual clock shared by client and server (generations take
~8 s of it, as on the vendor page), ten takes of one form are sent. fttui never probes
for the queue's size (the API never says it: `queueDepth` is a count), so a batch keeps
no more in progress than it knows the queue holds:

- batch, first: a fresh account, nothing known, no history: one at a time;
- batch, later: the next batch, with the first one's history cached (it ran one at a
  time, so still one at a time: nothing was learned, since nothing was refused);
- batch, after a QUEUE_FULL: the user's own single submit met a full queue earlier
  (not counted here: the user caused it), which taught the size;
- batch, size stated: `queue_capacity` in the config;
- naive (the baseline): send each take at once, and on a QUEUE_FULL wait its
  Retry-After and send again (what a loop around the vendor's example would do).

"refusals" counts the POST answers QUEUE_FULL or GENERATION_RATE_LIMITED to the batch;
"GETs" the reads it made to find room. Times are virtual seconds from the batch's start.

    python bench/variations.py [--takes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
from fttui.session.batch import BatchFolder, BatchPlan, BatchSender, at_once_for, plan_batch
from fttui.session.conditions import Conditions
from fttui.session.submitting import Submitting
from fttui.sim.server import start
from fttui.store import GenerationStore


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

    def reset(self) -> None:
        self.refusals, self.codes, self.gets = 0, [], 0

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Row:
    method: str
    queue: int
    at_once: str
    seconds: float
    refusals: int
    gets: int
    codes: str


async def _run(method: str, queue: int, takes: int, folder: BatchFolder, store: Path) -> Row:
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
        cache = GenerationStore(store)
        try:
            await client.me()
            if method == "batch, after a QUEUE_FULL":
                await _fill_the_queue_by_hand(client, queue, clock)
            counting.reset()
            began = clock.monotonic()
            at_once = "-"
            if method.startswith("batch"):
                configured = queue if method == "batch, size stated" else None
                chosen = at_once_for(folder, cache, now=clock.now(), configured=configured)
                at_once = chosen.text
                await BatchSender(client, plan, folder=folder, at_once=chosen).run()
            else:
                await _naive(client, plan, clock)
            seconds = clock.monotonic() - began
            refusals, gets = counting.refusals, counting.gets
            await clock.sleep(120.0)  # all finished: cached as the app would have them
            cache.upsert((await client.list_generations(limit=100)).generations)
        finally:
            cache.close()
            await client.aclose()
            sim.close()
    codes = ", ".join(sorted(set(counting.codes))) or "-"
    return Row(method, queue, at_once, seconds, refusals, gets, codes)


async def _fill_the_queue_by_hand(
    client: FinetuningClient, queue: int, clock: VirtualClock
) -> None:
    """The user sends one more than the queue holds, one at a time from the form (what
    the refusal teaches goes to the batch folder of `FTTUI_HOME`, as in the app)."""
    submitting = Submitting(Conditions(), lambda _: None)
    form = GenerationRequest.from_fields({"tags": "by hand", "duration": 30})
    for n in range(queue + 1):
        await submitting.submit(client, form.model_copy(update={"seed": n}))
    await clock.sleep(120.0)  # they finish, and the minute's budget is back


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
    print("| queue | method | at once | time to all sent | refusals caused | which | GETs |")
    print("| ---: | --- | --- | ---: | ---: | --- | ---: |")
    methods = (
        "batch, first",
        "batch, later",
        "batch, after a QUEUE_FULL",
        "batch, size stated",
        "naive",
    )
    for queue in (2, 5):
        with tempfile.TemporaryDirectory() as kept:
            # One account: what a batch learns and the history it leaves, the next one uses.
            os.environ["FTTUI_HOME"] = kept  # never the user's own data
            folder = BatchFolder()
            store = Path(kept) / "cache.db"
            for method in methods:
                row = asyncio.run(_run(method, queue, args.takes, folder, store))
                print(
                    f"| {row.queue} | {row.method} | {row.at_once} | {row.seconds:.1f} s |"
                    f" {row.refusals} | {row.codes} | {row.gets} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
