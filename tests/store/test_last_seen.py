"""The cache's first page and last account, read at start without pydantic or httpx.

What `read_last_seen` returns is drawn first and then replaced by the session's own page
(from the models): the two must read every shown field alike, or the screen would change
as the session takes over.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from fttui.api.models import Account, Generation
from fttui.clock import SYSTEM_CLOCK
from fttui.session.session import Session
from fttui.store import GenerationStore, Library, schema
from fttui.store.last_seen import SeenGeneration, read_last_seen

MakeGeneration = Callable[..., Generation]
ACCOUNT = {
    "id": "user-1",
    "email": "demo@example.com",
    "name": "Demo User",
    "tier": "pro",
    "limits": {
        "monthlyGenerations": 2000,
        "generationsUsed": 47,
        "monthlyRemaining": 1953,
        "packCredits": 0,
        "totalRemaining": 1953,
        "queueDepth": 1,
    },
}


def odd_generations(generation: MakeGeneration) -> list[Generation]:
    """Rows that test the reading: no title, flats and odd spellings, no createdAt,
    in progress, an unknown status, a fractional length, text with escapes."""
    return [
        generation(1, title=None, prompt=None, parameters={"tags": "lofi, rain"}),
        generation(2, parameters={"keyscale": "db MINOR", "bpm": "91.6"}),
        generation(3, parameters={"key": "F#", "scale": "major"}, duration=None),
        generation(4, status="processing", duration=None, completedAt=None),
        generation(5, status="queued-somewhere", playCount=1234),
        generation(6, createdAt=None),
        generation(7, createdAt="2026-01-15T10:30:00.123456789Z", duration=12.5),
        generation(8, title="\x1b[31mred\x1b[0m [b]not bold[/b]"),
        generation(9, parameters={"keyscale": "B♭ major"}),
        generation(10, parameters=None, duration=None),
    ]


def as_listed(row: Generation | SeenGeneration) -> tuple[object, ...]:
    """Every field the list and the header draw of a row."""
    return (
        row.id,
        row.title,
        row.prompt,
        row.status,
        row.in_progress,
        row.length_seconds,
        row.play_count,
        row.created_at,
        row.parameters.tags,
        row.parameters.bpm,
        row.parameters.key_and_scale,
    )


def session_on(store: GenerationStore) -> Session:
    """A session on `store` that never sends anything: it writes the account record."""
    return Session(key=None, base_url="http://127.0.0.1", store=store, clock=SYSTEM_CLOCK)


@pytest.fixture
def filled(db_path: Path, make: MakeGeneration) -> Path:
    with GenerationStore(db_path) as store:
        store.upsert([make(n) for n in range(11, 80)] + odd_generations(make))
        session_on(store).account_seen(Account.model_validate(ACCOUNT))
        store.set_batch("batch-1", [("gen-00012", "bpm 90"), ("gen-00013", "bpm 120")])
    return db_path


def test_the_last_seen_page_reads_every_shown_field_as_the_store_does(filled: Path) -> None:
    seen = read_last_seen(filled, 50)
    assert seen is not None
    with GenerationStore(filled) as store:
        page = store.page(limit=50)
        assert [as_listed(row) for row in seen.rows] == [as_listed(g) for g in page]
        everything = read_last_seen(filled, 200)
        assert everything is not None
        assert [as_listed(row) for row in everything.rows] == [
            as_listed(g) for g in store.page(limit=200)
        ]
        assert seen.total == store.count() == 79
        assert seen.batch_labels == store.batch_labels()


def test_every_odd_row_is_read_as_the_model_reads_it(db_path: Path, make: MakeGeneration) -> None:
    with GenerationStore(db_path) as store:
        store.upsert(odd_generations(make))
        models = {g.id: as_listed(g) for g in store.page(limit=100)}
    seen = read_last_seen(db_path, 100)
    assert seen is not None
    assert {row.id: as_listed(row) for row in seen.rows} == models


def test_the_last_account_reads_as_the_model_reads_it(filled: Path) -> None:
    seen = read_last_seen(filled, 50)
    assert seen is not None and seen.account is not None
    model = Account.model_validate(ACCOUNT)
    assert seen.account.display_name == model.display_name == "Demo User"
    assert seen.account.tier == model.tier
    assert seen.account.limits.__dict__ == {
        name: getattr(model.limits, name) for name in seen.account.limits.__dict__
    }


@pytest.mark.parametrize("more", [True, False, None], ids=["server-has-more", "end", "unknown"])
def test_the_page_is_exhausted_as_the_list_says_it(
    db_path: Path, make: MakeGeneration, more: bool | None
) -> None:
    with GenerationStore(db_path) as store:
        store.upsert([make(n) for n in range(1, 6)])
        if more is not None:
            cursor = {"id": "gen-00001", "key": "x", "more": more}
            store.set_state({"cursor:all": json.dumps(cursor)})
        library = Library(store, client=None)  # type: ignore[arg-type]  # the cache only
        has_more = library.has_more(None)
    seen = read_last_seen(db_path, 50)
    assert seen is not None
    assert seen.exhausted is (not has_more)
    page_of_three = read_last_seen(db_path, 3)
    assert page_of_three is not None and not page_of_three.exhausted  # more in the cache


def test_no_cache_yet_gives_nothing_and_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "generations.sqlite3"
    assert read_last_seen(path, 50) is None
    assert list(tmp_path.iterdir()) == []


def test_a_cache_of_another_version_gives_nothing_and_is_left_as_it_is(
    db_path: Path, make: MakeGeneration
) -> None:
    with GenerationStore(db_path) as store:
        store.upsert([make(1)])
    db = sqlite3.connect(db_path)
    db.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    db.close()
    assert read_last_seen(db_path, 50) is None
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION + 1
    db.close()


def test_something_else_than_a_cache_gives_nothing(tmp_path: Path) -> None:
    path = tmp_path / "generations.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    assert read_last_seen(path, 50) is None
    assert path.read_bytes() == b"not a database at all" * 100


def test_an_unreadable_row_costs_that_row_only(db_path: Path, make: MakeGeneration) -> None:
    with GenerationStore(db_path) as store:
        store.upsert([make(n) for n in range(1, 4)])
    db = sqlite3.connect(db_path)
    db.execute("UPDATE generations SET json = '{not json' WHERE id = 'gen-00002'")
    db.commit()
    db.close()
    seen = read_last_seen(db_path, 50)
    assert seen is not None
    with GenerationStore(db_path) as store:
        assert [r.id for r in seen.rows] == [g.id for g in store.page()]
    assert [r.id for r in seen.rows] == ["gen-00003", "gen-00001"]


def test_reading_the_last_seen_page_imports_neither_pydantic_nor_httpx(filled: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from fttui.store.last_seen import read_last_seen

        seen = read_last_seen(Path({str(filled)!r}), 50)
        assert seen is not None and len(seen.rows) == 50 and seen.account is not None
        heavy = ("pydantic", "httpx", "fttui.api.models", "fttui.store.database")
        print(" ".join(name for name in heavy if name in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
