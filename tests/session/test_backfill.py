"""The whole-history backfill: the entire history cached within 10 list requests a
minute, paused while the user acts, a submit never delayed, progress told as events.

The simulator and the client share a virtual clock: minutes of pacing take no real time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import pytest

from fttui.api.client import FinetuningClient
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey
from fttui.api.limiter import RateLimiter
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.session.backfill import HistoryBackfill, HistoryProgress
from fttui.sim.server import RunningSim
from fttui.store import GenerationStore
from tests.api.conftest import CountingTransport

HISTORY = 420  # eight and a bit list pages


@pytest.fixture
def big_sim(sim_factory: Callable[..., RunningSim], clock: VirtualClock) -> RunningSim:
    return sim_factory(clock=clock, speed=1.0, generations=HISTORY)


@pytest.fixture
async def client(
    big_sim: RunningSim, clock: VirtualClock, tmp_path: Path, counting: CountingTransport
) -> AsyncIterator[FinetuningClient]:
    made = FinetuningClient(
        ApiKey(big_sim.demo_key),
        big_sim.base_url,
        clock=clock,
        limiter=RateLimiter(clock),
        journal=SubmissionJournal(tmp_path / "journal"),
        rng=random.Random(7),
        transport=counting,
    )
    yield made
    await made.aclose()


@pytest.fixture
def counting() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
def store(tmp_path: Path) -> GenerationStore:
    return GenerationStore(tmp_path / "cache.db")


def most_in_a_minute(times: list[float]) -> int:
    """The most requests in any 60 s window (a request at t counts until t + 60)."""
    return max((sum(1 for t in times if start <= t < start + 60) for start in times), default=0)


async def test_the_whole_history_is_cached_within_ten_requests_a_minute(
    client: FinetuningClient,
    store: GenerationStore,
    clock: VirtualClock,
    big_sim: RunningSim,
    counting: CountingTransport,
) -> None:
    seen: list[HistoryProgress] = []
    backfill = HistoryBackfill(client, store, clock, seen.append)
    await backfill.run()
    server = big_sim.state.generations(big_sim.demo_key)
    assert store.count() == len(server) == HISTORY
    assert most_in_a_minute(backfill.requests) <= 10
    lists = [path for method, path in counting.requests if method == "GET"]
    assert len(lists) == len(backfill.requests), "every request went through the pacing"
    assert seen[-1].cached == HISTORY and seen[-1].complete
    counts = [p.cached for p in seen]
    assert counts == sorted(counts) and counts[0] < HISTORY, "progress grows page by page"
    oldest = server[-1]
    found = store.page(query=oldest.prompt, limit=HISTORY)
    assert oldest.id in {g.id for g in found}, "search covers the oldest, offline"


async def test_a_finished_backfill_costs_nothing_at_the_next_start(
    client: FinetuningClient, store: GenerationStore, clock: VirtualClock
) -> None:
    await HistoryBackfill(client, store, clock, lambda _: None).run()
    again = HistoryBackfill(client, store, clock, lambda _: None)
    await again.run()
    assert again.requests == []


async def test_a_submit_made_meanwhile_is_never_delayed_and_the_backfill_pauses(
    client: FinetuningClient, store: GenerationStore, clock: VirtualClock, big_sim: RunningSim
) -> None:
    history = {g.id for g in big_sim.state.generations(big_sim.demo_key)}
    progress = asyncio.Event()
    backfill = HistoryBackfill(client, store, clock, lambda _: progress.set(), quiet_for=10.0)
    task = asyncio.create_task(backfill.run())
    await progress.wait()  # the backfill is under way
    request = GenerationRequest.from_fields({"tags": "made meanwhile", "duration": 30})
    asked = clock.monotonic()
    await client.create_generation(request)
    assert clock.monotonic() == asked, "the submit went at once"
    assert big_sim.post_count() == 1
    await task
    after = [t for t in backfill.requests if t > asked]
    assert after and after[0] >= asked + 10.0, "the backfill waited for the user to be quiet"
    # The new one is the newest: the list's refresh brings it, the backfill walks older.
    assert history <= {g.id for g in store.page(limit=HISTORY + 1)}, "no gap from the shift"


async def test_progress_says_how_many_are_cached_and_how_far_back_then_complete(
    client: FinetuningClient, store: GenerationStore, clock: VirtualClock, big_sim: RunningSim
) -> None:
    seen: list[HistoryProgress] = []
    await HistoryBackfill(client, store, clock, seen.append).run()
    walking, end = seen[:-1], seen[-1]
    reached = [p.back_to for p in walking if p.back_to is not None]
    assert len(reached) == len(walking) and reached == sorted(reached, reverse=True)
    assert reached[0] > reached[-1], "each page reaches further back"
    oldest = big_sim.state.generations(big_sim.demo_key)[-1].created_at.date()
    assert end.complete and end.back_to == oldest and end.worth_showing
    day = f"{oldest.day} {oldest:%b %Y}"
    assert end.text == f"history complete: {HISTORY} cached, back to {day}"
    first = walking[0]
    assert first.back_to is not None
    assert first.text == (
        f"history {first.cached:,} cached, back to {first.back_to.day} {first.back_to:%b %Y}"
    )


async def test_a_history_complete_already_at_the_start_is_not_news(
    client: FinetuningClient, store: GenerationStore, clock: VirtualClock
) -> None:
    await HistoryBackfill(client, store, clock, lambda _: None).run()
    seen: list[HistoryProgress] = []
    await HistoryBackfill(client, store, clock, seen.append).run()
    [end] = seen
    assert end.complete and not end.walked and not end.worth_showing


def test_progress_words_say_what_is_known_without_a_total() -> None:
    progress = HistoryProgress(12400, back_to=date(2025, 3, 14))
    assert progress.text == "history 12,400 cached, back to 14 Mar 2025"
    paused = HistoryProgress(12400, paused=True, back_to=date(2025, 3, 14))
    assert paused.text == "history 12,400 cached, back to 14 Mar 2025, paused"
    assert HistoryProgress(0).text == "history 0 cached"
    done = HistoryProgress(20000, complete=True, back_to=date(2023, 1, 2))
    assert done.text == "history complete: 20,000 cached, back to 2 Jan 2023"
