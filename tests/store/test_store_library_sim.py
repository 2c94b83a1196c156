"""Library against the simulator over real HTTP, with the real client.

Simulator and client share one `VirtualClock`: no generation progresses and no backoff
waits unless a test moves the clock, so request counts are exact.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from fttui.api.client import FinetuningClient, RetryPolicy
from fttui.api.errors import TransportError
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey
from fttui.api.limiter import RateLimiter
from fttui.api.models import Generation, GenerationPage
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim, start
from fttui.store import GenerationStore, Library
from fttui.store.sync import PAGE_SIZE


class CountingSource:
    """The real client, with a record of the calls the Library made through it."""

    def __init__(self, client: FinetuningClient) -> None:
        self.client = client
        self.list_calls: list[tuple[int, str | None]] = []
        self.get_calls: list[str] = []

    async def list_generations(self, **options: Any) -> GenerationPage:
        self.list_calls.append((options.get("offset", 0), options.get("status")))
        return await self.client.list_generations(**options)

    async def get_generation(self, generation_id: str) -> Generation:
        self.get_calls.append(generation_id)
        return await self.client.get_generation(generation_id)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
async def connect(
    clock: VirtualClock, tmp_path: Path
) -> AsyncIterator[Callable[..., tuple[RunningSim, Library, CountingSource]]]:
    """`connect(generations=N)`: a simulator, and a Library on a fresh cache talking to it.

    The simulators are started here rather than with `sim_factory` because one test stops
    its simulator itself, and `RunningSim.close()` may run only once.
    """
    clients: list[FinetuningClient] = []
    stores: list[GenerationStore] = []
    sims: list[RunningSim] = []

    def factory(**sim_options: Any) -> tuple[RunningSim, Library, CountingSource]:
        sim = start(clock=clock, speed=1.0, **sim_options)
        sims.append(sim)
        client = FinetuningClient(
            ApiKey(sim.demo_key),
            sim.base_url,
            clock=clock,
            limiter=RateLimiter(clock),
            journal=SubmissionJournal(tmp_path / "journal"),
            rng=random.Random(3),
            retry=RetryPolicy(attempts=2),
        )
        clients.append(client)
        store = GenerationStore(tmp_path / f"cache-{len(stores)}.sqlite3")
        stores.append(store)
        source = CountingSource(client)
        return sim, Library(store, source, clock=clock), source

    yield factory
    for client in clients:
        await client.aclose()
    for store in stores:
        store.close()
    for sim in sims:
        if sim not in offline:
            sim.close()


offline: list[RunningSim] = []


def go_offline(sim: RunningSim) -> None:
    """Stop the simulator for good, as a lost network would (the fixture won't close it)."""
    offline.append(sim)
    sim.close()


async def all_server_ids(source: CountingSource, status: str | None = None) -> list[str]:
    found: list[str] = []
    offset = 0
    while True:
        page = await source.client.list_generations(limit=100, offset=offset, status=status)
        found += [g.id for g in page.generations]
        if not page.has_more or page.next_offset is None:
            return found
        offset = page.next_offset


async def test_first_refresh_fetches_then_the_second_fetches_one_page(connect) -> None:
    _, library, source = connect(generations=120)
    first = await library.refresh_newest()
    assert first.pages == 1
    assert len(first.new_ids) == PAGE_SIZE
    assert library.cached_count() == PAGE_SIZE
    source.list_calls.clear()
    second = await library.refresh_newest()
    assert source.list_calls == [(0, None)]
    assert source.get_calls == []  # the one in progress was on that page
    assert not second.anything_changed


async def test_a_finished_generation_is_noticed(connect, clock: VirtualClock) -> None:
    _, library, _ = connect(generations=120)
    await library.refresh_newest()
    await library.load_more()
    (in_progress,) = library.store.ids_in_progress()
    clock.advance(600)  # long enough for any generation to finish
    result = await library.refresh_newest()
    assert result.changed_ids == [in_progress]
    assert result.pages == 2  # page 0 changed; page 1 known and unchanged
    assert library.store.ids_in_progress() == []


async def test_load_more_walks_older_pages_as_the_user_scrolls(connect) -> None:
    _, library, source = connect(generations=130)
    await library.refresh_newest()
    assert await library.load_more() is True
    assert library.cached_count() == 100
    assert await library.load_more() is False
    assert library.cached_count() == 130
    assert [g.id for g in library.cached_page(limit=500)] == await all_server_ids(source)
    assert [offset for offset, _ in source.list_calls] == [0, 48, 98]  # 2 overlap each


async def test_a_status_list_loads_its_own_pages(connect) -> None:
    _, library, source = connect(generations=130)
    await library.refresh_newest()
    while await library.load_more("failed"):
        pass
    failed = [g.id for g in library.cached_page(status="failed", limit=500)]
    assert failed == await all_server_ids(source, "failed")
    assert failed


async def test_offline_after_the_simulator_stops(connect) -> None:
    sim, library, _ = connect(generations=80)
    await library.refresh_newest()
    go_offline(sim)
    with pytest.raises(TransportError):
        await library.refresh_newest()
    assert library.online is False
    assert library.cached_count() == PAGE_SIZE
    newest = library.cached_page(limit=1)[0]
    assert library.cached_page(query=newest.prompt.split()[0])[0].id == newest.id


async def test_one_item_with_an_impossible_date_is_kept_with_the_rest(connect) -> None:
    sim, library, _ = connect(generations=120)
    sim.set_faults(huge_timestamp="next:1")  # the newest item: createdAt 1e300
    result = await library.refresh_newest()
    assert len(result.new_ids) == PAGE_SIZE
    assert library.cached_count() == PAGE_SIZE
    assert sum(g.created_at is None for g in library.cached_page()) == 1
    assert await library.load_more() is True
    assert library.cached_count() == 100


async def test_a_refresh_stops_when_the_server_offset_does_not_move_on(
    connect, clock: VirtualClock
) -> None:
    from fttui.sim.seeding import add_existing

    sim, library, source = connect(generations=120)
    await library.refresh_newest()
    clock.advance(30 * 86400)  # what comes next is newer than anything cached
    add_existing(sim.state, 120)
    source.list_calls.clear()
    sim.set_faults(stuck_next_offset="rate:1")
    result = await library.refresh_newest()
    assert [offset for offset, _ in source.list_calls] == [0]  # not the same page again
    assert result.pages == 1
    assert len(result.new_ids) == PAGE_SIZE
