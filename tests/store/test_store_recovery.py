"""A broken, foreign or unreachable cache file is never fatal, and migrations are atomic."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from fttui import locations
from fttui.store import GenerationStore, schema


def test_the_default_file_is_the_one_locations_names(make) -> None:
    with GenerationStore() as store:
        store.upsert([make(1)])
        assert store.path == locations.database_file()
    assert locations.database_file().exists()


def test_an_empty_file_is_migrated_to_the_current_schema(db_path: Path, make) -> None:
    db_path.touch()
    with GenerationStore(db_path) as store:
        assert store.recovered_from is None
        store.upsert([make(1)])
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_a_file_that_is_not_a_database_is_moved_aside(db_path: Path, make) -> None:
    junk = b"this is not sqlite\n" * 500
    db_path.write_bytes(junk)
    db_path.with_name(db_path.name + "-wal").write_bytes(b"stale wal")
    with GenerationStore(db_path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == junk
        assert store.persistent
        store.upsert([make(1)])
        assert store.count() == 1
        assert store.integrity_ok()


def test_a_damaged_database_is_moved_aside(db_path: Path, make) -> None:
    with GenerationStore(db_path) as store:
        store.upsert([make(n) for n in range(300)])
    data = bytearray(db_path.read_bytes())
    page = 4096
    for start in range(page, len(data), page * 2):  # scribble over every other page
        data[start : start + 512] = b"\xa5" * 512
    db_path.write_bytes(bytes(data))
    with GenerationStore(db_path) as store:
        assert store.recovered_from is not None
        assert store.count() == 0
        assert store.upsert([make(1)]) == ["gen-00001"]


def test_a_file_from_a_newer_fttui_is_moved_aside(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
    raw.close()
    with GenerationStore(db_path) as store:
        assert store.recovered_from is not None
        assert store.count() == 0


def test_a_full_text_file_read_without_fts5_starts_over(
    db_path: Path, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not schema.fts5_available():
        pytest.skip("this sqlite3 has no FTS5")
    with GenerationStore(db_path) as store:
        store.upsert([make(1)])
    monkeypatch.setattr(schema, "fts5_available", lambda: False)
    with GenerationStore(db_path) as store:
        assert store.recovered_from is not None
        assert not store.full_text
        store.upsert([make(1)])
        assert [g.id for g in store.page(query="song")] == ["gen-00001"]


def test_an_unreachable_location_falls_back_to_memory(tmp_path: Path, make) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    with GenerationStore(blocker / "generations.sqlite3") as store:
        assert not store.persistent
        store.upsert([make(1)])
        assert store.get("gen-00001") == make(1)


def test_a_failing_migration_leaves_the_previous_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("killed mid-migration")

    monkeypatch.setattr(schema, "MIGRATIONS", [half_done])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    raw = sqlite3.connect(db_path, isolation_level=None)
    with pytest.raises(RuntimeError):
        schema.migrate(raw)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    raw.close()


def test_adding_the_index_to_an_existing_cache_fills_it(db_path: Path, make) -> None:
    if not schema.fts5_available():
        pytest.skip("this sqlite3 has no FTS5")
    raw = sqlite3.connect(db_path, isolation_level=None)
    schema.migrate(raw)  # a cache as a build without FTS5 would leave it
    raw.close()
    with GenerationStore(db_path, full_text=False) as store:
        store.upsert([make(1, title="Lantern")])
    with sqlite3.connect(db_path) as raw:
        raw.execute("DROP TRIGGER generations_fts_insert")
        raw.execute("DROP TRIGGER generations_fts_update")
        raw.execute("DROP TRIGGER generations_fts_delete")
        raw.execute("DROP TABLE generations_fts")
    raw.close()
    with GenerationStore(db_path) as store:
        assert store.full_text
        assert [g.id for g in store.page(query="lant")] == ["gen-00001"]


def test_a_cache_locked_by_another_process_is_left_alone(
    db_path: Path, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fttui.store.database.BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # e.g. a second fttui in the middle of a migration
    try:
        with GenerationStore(db_path) as store:
            assert store.recovered_from is None
            assert not store.persistent
            store.upsert([make(1)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert list(db_path.parent.glob("*.broken-*")) == []
