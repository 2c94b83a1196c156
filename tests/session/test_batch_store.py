"""The cache keeps which batch each generation was sent in, so the list can group it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fttui.store import GenerationStore, schema
from tests.store.conftest import generation


def test_a_batch_is_kept_in_order_whether_its_rows_arrive_before_or_after(
    tmp_path: Path,
) -> None:
    with GenerationStore(tmp_path / "cache.sqlite3") as store:
        store.upsert([generation(1)])
        store.set_batch("b1", [("gen-00001", "80"), ("gen-00002", "100")])
        store.upsert([generation(2), generation(3)])  # a sync refreshes rows: kept
        assert store.batch_members("b1") == [("gen-00001", "80"), ("gen-00002", "100")]
        assert store.batch_of("gen-00002") == "b1" and store.batch_of("gen-00003") is None
        assert store.batches_of(["gen-00001", "gen-00002", "gen-00003"]) == {
            "gen-00001": "b1",
            "gen-00002": "b1",
        }


def test_deleting_the_rest_of_a_batch_leaves_only_the_kept_take(tmp_path: Path) -> None:
    with GenerationStore(tmp_path / "cache.sqlite3") as store:
        store.upsert([generation(1), generation(2), generation(3)])
        store.set_batch("b1", [("gen-00001", "1"), ("gen-00002", "2"), ("gen-00003", "3")])
        store.delete_many(["gen-00001", "gen-00003"])
        assert store.batch_members("b1") == [("gen-00002", "2")]


def test_a_cache_from_before_batches_is_migrated_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with GenerationStore(path) as store:
        store.upsert([generation(1)])
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TABLE batch_members")
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    with GenerationStore(path) as store:
        assert store.get("gen-00001") is not None
        store.set_batch("b1", [("gen-00001", "x")])
        assert store.batch_of("gen-00001") == "b1"
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    raw.close()


@pytest.mark.parametrize("full_text", [True, False])
def test_batches_work_with_and_without_the_text_index(tmp_path: Path, full_text: bool) -> None:
    if full_text and not schema.fts5_available():
        pytest.skip("this sqlite3 has no FTS5")
    with GenerationStore(tmp_path / "c.sqlite3", full_text=full_text) as store:
        store.set_batch("b", [("gen-00009", "C#")])
        assert store.batch_members("b") == [("gen-00009", "C#")]
