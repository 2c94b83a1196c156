"""GenerationStore: what it keeps, what it reports as changed, the order it lists in."""

from __future__ import annotations

import threading
from pathlib import Path

from fttui.api.models import Generation
from fttui.store import GenerationStore


def test_upsert_reports_new_then_nothing_then_changes(store: GenerationStore, make) -> None:
    first = [make(1), make(2)]
    assert sorted(store.upsert(first)) == ["gen-00001", "gen-00002"]
    assert store.upsert([make(1), make(2)]) == []  # same content: not a change
    assert store.upsert([make(1, status="failed"), make(2)]) == ["gen-00001"]
    assert store.upsert([make(2, playCount=7)]) == ["gen-00002"]
    assert store.get("gen-00001").status == "failed"
    assert store.get("gen-00002").play_count == 7


def test_the_stored_generation_round_trips(store: GenerationStore, make) -> None:
    original = make(3, title="Rain — «café»", errorMessage=None, fileSize=1920000)
    store.upsert([original])
    assert store.get(original.id) == original
    assert store.get("no-such-id") is None


def test_a_list_item_does_not_erase_what_the_detail_fetch_learned(
    store: GenerationStore, make
) -> None:
    detail = make(4, fileSize=1920000, generationTime=7.2, downloadCount=3)
    store.upsert([detail])
    list_item = Generation.model_validate(
        {"id": "gen-00004", "title": "Song 4", "status": "completed", "playCount": 2}
    )
    assert store.upsert([list_item]) == ["gen-00004"]  # the play count changed
    merged = store.get("gen-00004")
    assert merged.file_size == 1920000
    assert merged.generation_time == 7.2
    assert merged.play_count == 2
    assert store.upsert([list_item]) == []


def test_duplicates_in_one_batch_count_once(store: GenerationStore, make) -> None:
    assert store.upsert([make(1), make(1, title="later")]) == ["gen-00001"]
    assert store.get("gen-00001").title == "later"


def test_pages_are_newest_first_with_offset(store: GenerationStore, make) -> None:
    store.upsert([make(n) for n in (5, 1, 3, 2, 4)])
    assert [g.id for g in store.page(limit=10)] == [f"gen-0000{n}" for n in (5, 4, 3, 2, 1)]
    assert [g.id for g in store.page(limit=2, offset=2)] == ["gen-00003", "gen-00002"]
    assert store.page(limit=2, offset=10) == []
    assert store.count() == 5


def test_same_second_is_ordered_by_id_and_stable(store: GenerationStore, make) -> None:
    when = "2025-02-01 12:00:00"
    store.upsert([make(n, createdAt=when) for n in (1, 2, 3)])
    assert [g.id for g in store.page(limit=3)] == ["gen-00003", "gen-00002", "gen-00001"]


def test_a_generation_without_created_at_sorts_where_it_was_first_seen(
    store: GenerationStore, make
) -> None:
    store.upsert([make(1), make(2)])
    fresh = Generation.model_validate({"id": "just-made", "status": "processing"})
    store.upsert([fresh])
    assert store.page(limit=1)[0].id == "just-made"


def test_status_filter(store: GenerationStore, make) -> None:
    store.upsert(
        [make(1), make(2, status="failed"), make(3, status="processing"), make(4, status="Pending")]
    )
    assert [g.id for g in store.page(status="failed")] == ["gen-00002"]
    assert [g.id for g in store.page(status="pending")] == ["gen-00004"]
    assert store.count(status="completed") == 1
    assert store.ids_in_progress() == ["gen-00004", "gen-00003"]


def test_unknown_status_is_kept(store: GenerationStore, make) -> None:
    store.upsert([make(1, status="queued-somewhere")])
    assert store.get("gen-00001").status == "queued-somewhere"
    assert store.count(status="queued-somewhere") == 1


def test_delete(store: GenerationStore, make) -> None:
    store.upsert([make(1), make(2), make(3)])
    assert store.delete("gen-00002") is True
    assert store.delete("gen-00002") is False
    assert store.delete_many(["gen-00001", "nope"]) == ["gen-00001"]
    assert [g.id for g in store.page()] == ["gen-00003"]
    assert store.count(query="song") == 1  # the search index forgot them too


def test_sync_state_is_written_with_the_page(store: GenerationStore, make) -> None:
    store.upsert([make(1)], state={"cursor:all": "x", "other": "y"})
    assert store.state("cursor:all") == "x"
    store.set_state({"other": None})
    assert store.state("other") is None


def test_statuses_and_positions(store: GenerationStore, make) -> None:
    store.upsert([make(n) for n in range(1, 6)] + [make(6, status="failed")])
    assert store.statuses(["gen-00001", "gen-00006", "nope"]) == {
        "gen-00001": "completed",
        "gen-00006": "failed",
    }
    key = store.order_key("gen-00003")
    assert key is not None
    assert store.count_down_to(key, "gen-00003") == 4  # 6, 5, 4, 3
    assert store.count_down_to(key, "gen-00003", status="completed") == 3
    newer, older = store.order_key("gen-00005"), store.order_key("gen-00002")
    assert sorted(store.ids_between(newer, older)) == ["gen-00003", "gen-00004"]


def test_data_survives_reopening(db_path: Path, make) -> None:
    with GenerationStore(db_path) as first:
        first.upsert([make(1)], state={"k": "v"})
    with GenerationStore(db_path) as second:
        assert second.get("gen-00001") == make(1)
        assert second.state("k") == "v"
        assert second.recovered_from is None


def test_many_threads_share_one_store(db_path: Path, make) -> None:
    errors: list[BaseException] = []
    with GenerationStore(db_path) as shared:

        def writer(base: int) -> None:
            try:
                for n in range(base, base + 20):
                    shared.upsert([make(n)])
                    shared.page(query="song", limit=5)
            except BaseException as exc:  # reported below, on the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(i * 100,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert shared.count() == 80
        assert shared.integrity_ok()


def _break_row(store: GenerationStore, generation_id: str) -> None:
    """A row whose JSON this version cannot read (an older fttui's, a disk error)."""
    with store._lock:
        store._db.execute(
            "UPDATE generations SET json = '{\"id\": null}' WHERE id = ?", (generation_id,)
        )
        store._db.commit()


def test_an_unreadable_row_does_not_hide_the_others(store: GenerationStore, make) -> None:
    store.upsert([make(1), make(2), make(3)])
    _break_row(store, "gen-00002")
    assert [g.id for g in store.page()] == ["gen-00003", "gen-00001"]
    assert store.get("gen-00002") is None
    # A fresh copy from the server replaces it.
    assert store.upsert([make(2), make(3)]) == ["gen-00002"]
    assert [g.id for g in store.page()] == ["gen-00003", "gen-00002", "gen-00001"]


def test_years_before_1000_still_sort_in_time_order(store: GenerationStore, make) -> None:
    store.upsert([make(1), make(2, createdAt="0999-01-01 00:00:00")])
    assert [g.id for g in store.page()] == ["gen-00001", "gen-00002"]


def test_lyrics_kept_before_their_generation_join_it_when_it_arrives(tmp_path: Path) -> None:
    def made(gen_id: str) -> Generation:
        return Generation.model_validate(
            {"id": gen_id, "status": "pending", "createdAt": "2026-12-04T10:00:00Z"}
        )

    with GenerationStore(tmp_path / "cache.sqlite3", full_text=False) as store:
        store.keep_lyrics("g-later", "la la")  # sent from the command line, not cached yet
        assert store.get("g-later") is None
        store.upsert([made("g-later"), made("g-other")])
        later, other = store.get("g-later"), store.get("g-other")
        assert later is not None and later.parameters.lyrics == "la la"
        assert other is not None and other.parameters.lyrics is None
        store.upsert([made("g-known")])
        store.keep_lyrics("g-known", "already here")  # cached first: joined at once
        known = store.get("g-known")
        assert known is not None and known.parameters.lyrics == "already here"
        store.upsert([made("g-later")])  # a refresh without lyrics keeps them
        again = store.get("g-later")
        assert again is not None and again.parameters.lyrics == "la la"
