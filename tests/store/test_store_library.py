"""Library against a fake API with exact control over the server's history.

The same behaviours over real HTTP against the simulator are in
test_store_library_sim.py; these add what the simulator cannot easily stage:
deletions elsewhere, a gap of hundreds of new generations, an empty account.
"""

from __future__ import annotations

import pytest

from fttui.api.errors import TransportError
from fttui.store import GenerationStore, Library
from fttui.store.sync import PAGE_SIZE, REFRESH_MAX_PAGES


@pytest.fixture
def db(db_path) -> GenerationStore:
    with GenerationStore(db_path) as opened:
        yield opened


def cached_ids(library: Library, status: str | None = None) -> list[str]:
    return [g.id for g in library.cached_page(status=status, limit=100_000)]


def server_ids(api, status: str | None = None) -> list[str]:
    return [g.id for g in api.history if status is None or g.status == status]


async def scroll_to_the_end(library: Library, status: str | None = None) -> int:
    calls = 0
    while await library.load_more(status):
        calls += 1
        assert calls < 100, "load_more never ends"
    return calls


async def test_first_refresh_fetches_one_page_only(db, fake_api) -> None:
    api = fake_api(120)
    library = Library(db, api)
    assert library.cached_page() == []
    result = await library.refresh_newest()
    assert result.pages == 1
    assert len(result.new_ids) == PAGE_SIZE
    assert cached_ids(library) == server_ids(api)[:PAGE_SIZE]
    assert library.has_more()
    assert library.online is True


async def test_second_refresh_fetches_one_page_and_finds_nothing(db, fake_api) -> None:
    api = fake_api(120)
    library = Library(db, api)
    await library.refresh_newest()
    api.list_calls.clear()
    result = await library.refresh_newest()
    assert api.list_calls == [(0, PAGE_SIZE, None)]
    assert not result.anything_changed
    assert result.joined_cache


async def test_new_generations_are_fetched_until_the_cache_is_met(db, fake_api) -> None:
    api = fake_api(120)
    library = Library(db, api)
    await library.refresh_newest()
    await library.load_more()
    made = api.create(3)
    result = await library.refresh_newest()
    assert sorted(result.new_ids) == sorted(g.id for g in made)
    assert result.pages == 2  # page 0 had news; page 1 was all known: stop
    assert cached_ids(library)[:3] == server_ids(api)[:3]


async def test_refresh_stops_at_the_end_of_what_was_synced(db, fake_api) -> None:
    api = fake_api(300)
    library = Library(db, api)
    await library.refresh_newest()
    api.create(3)
    result = await library.refresh_newest()
    assert result.pages == 2  # page 1 reached past the old anchor: older is for scrolling
    assert len(db.page(limit=1000)) == 100  # offsets 0–99 of the server


async def test_changes_on_the_first_page_are_picked_up(db, fake_api) -> None:
    api = fake_api(60)
    library = Library(db, api)
    await library.refresh_newest()
    api.replace(api.history[4].model_copy(update={"title": "Renamed"}))
    result = await library.refresh_newest()
    assert result.changed_ids == [api.history[4].id]
    assert library.cached_page(query="renamed")[0].id == api.history[4].id


async def test_scrolling_walks_the_history_once(db, fake_api) -> None:
    api = fake_api(230)
    library = Library(db, api)
    await library.refresh_newest()
    await scroll_to_the_end(library)
    assert cached_ids(library) == server_ids(api)
    assert not library.has_more()
    assert await library.load_more() is False
    offsets = [offset for offset, _, status in api.list_calls if status is None]
    assert len(offsets) == 5  # 230 / 50, no page fetched twice for nothing


async def test_offsets_shift_as_generations_are_created_meanwhile(db, fake_api) -> None:
    api = fake_api(200)
    library = Library(db, api)
    await library.refresh_newest()
    await library.load_more()
    api.create(7)  # pushes everything down by 7 on the server
    await scroll_to_the_end(library)
    await library.refresh_newest()
    assert cached_ids(library) == server_ids(api)


async def test_offsets_shift_as_generations_are_deleted_elsewhere(db, fake_api) -> None:
    api = fake_api(300)
    library = Library(db, api)
    await library.refresh_newest()
    await library.load_more()
    for victim in server_ids(api)[:60]:  # more than a page above the anchor
        api.delete(victim)
    await scroll_to_the_end(library)
    await library.refresh_newest()
    assert set(server_ids(api)) <= set(cached_ids(library)), "a generation was skipped"


async def test_a_page_proves_what_was_deleted_in_its_span(db, fake_api) -> None:
    api = fake_api(60)
    library = Library(db, api)
    await library.refresh_newest()
    victim = server_ids(api)[10]
    api.delete(victim)
    result = await library.refresh_newest()
    assert result.removed_ids == [victim]
    assert victim not in cached_ids(library)


async def test_a_gap_of_many_new_generations_is_filled_by_scrolling(db, fake_api) -> None:
    api = fake_api(100)
    library = Library(db, api)
    await library.refresh_newest()
    await scroll_to_the_end(library)
    api.create(PAGE_SIZE * REFRESH_MAX_PAGES + 40)
    result = await library.refresh_newest()
    assert result.pages == REFRESH_MAX_PAGES
    assert not result.joined_cache
    assert library.has_more()
    await scroll_to_the_end(library)
    assert cached_ids(library) == server_ids(api)


async def test_status_lists_load_on_their_own(db, fake_api) -> None:
    api = fake_api(0)
    for n in range(90):
        api.create(1, status="failed" if n % 3 == 0 else "completed")
    library = Library(db, api)
    await library.refresh_newest()
    await scroll_to_the_end(library, "failed")
    assert cached_ids(library, "failed") == server_ids(api, "failed")
    assert not library.has_more("failed")
    assert library.has_more()  # the unfiltered list still has older pages


async def test_in_progress_generations_are_refreshed(db, fake_api) -> None:
    api = fake_api(120)
    library = Library(db, api)
    await library.refresh_newest()
    await scroll_to_the_end(library)
    old = api.history[-1]  # far below the first page
    library.apply(old.model_copy(update={"status": "processing"}))
    result = await library.refresh_newest()
    assert api.get_calls == [old.id]
    assert result.changed_ids == [old.id]
    assert db.get(old.id).status == "completed"


async def test_a_generation_gone_from_the_server_is_dropped(db, fake_api) -> None:
    api = fake_api(3)
    library = Library(db, api)
    await library.refresh_newest()
    ghost = api.history[-1].model_copy(update={"id": "ghost", "status": "processing"})
    library.apply(ghost)
    result = await library.refresh_newest()
    assert "ghost" in result.removed_ids
    assert db.get("ghost") is None


async def test_an_empty_account(db, fake_api) -> None:
    api = fake_api(0)
    library = Library(db, api)
    result = await library.refresh_newest()
    assert not result.anything_changed
    assert not library.has_more()
    assert await library.load_more() is False
    api.create(2)
    result = await library.refresh_newest()
    assert len(result.new_ids) == 2


async def test_offline_keeps_the_cache_browsable(db, fake_api) -> None:
    api = fake_api(80)
    library = Library(db, api)
    await library.refresh_newest()
    api.offline = True
    with pytest.raises(TransportError):
        await library.refresh_newest()
    with pytest.raises(TransportError):
        await library.load_more()
    assert library.online is False
    assert len(library.cached_page()) == PAGE_SIZE
    assert library.cached_page(query="song 80")[0].id == "gen-00080"
    api.offline = False
    await library.load_more()
    assert library.online is True


async def test_apply_and_forget(db, make, fake_api) -> None:
    library = Library(db, fake_api(0))
    assert library.apply(make(1, status="processing")) is True
    assert library.apply(make(1, status="processing")) is False
    assert library.apply(make(1)) is True
    assert library.forget("gen-00001") is True
    assert library.forget("gen-00001") is False
