"""The cache's tables, their versions, and the optional full-text index.

The schema is versioned with `PRAGMA user_version`: `MIGRATIONS[n]` takes a database
from version n to n + 1, inside the same transaction that records the new version, so
a kill during a migration leaves the previous version intact.

The full-text index is not part of a version because it depends on the sqlite3 build,
not on the file: a build with FTS5 adds it (and fills it from the rows) when missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

FTS_TABLE = "generations_fts"  # spelled out in the SQL below, which takes no variables


def _v1(db: sqlite3.Connection) -> None:
    # `rowid` is kept as an explicit integer key because FTS5's external-content tables
    # refer to rows by integer; the API's id is an opaque string and stays UNIQUE.
    db.execute(
        """
        CREATE TABLE generations (
            rowid       INTEGER PRIMARY KEY,
            id          TEXT NOT NULL UNIQUE,
            sort_key    TEXT NOT NULL,  -- created_at (UTC, fixed width) or first seen
            created_at  TEXT,
            status      TEXT NOT NULL,  -- lower case, as filters spell it
            title       TEXT NOT NULL,
            prompt      TEXT NOT NULL,
            tags        TEXT NOT NULL,
            search_text TEXT NOT NULL,  -- title, prompt and tags, case- and accent-folded
            json        TEXT NOT NULL,  -- the whole Generation, by alias
            first_seen  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,  -- when its content last changed
            last_seen   TEXT NOT NULL   -- when the server last confirmed it
        )
        """
    )
    # Newest first, with the id breaking ties between generations of the same second.
    db.execute("CREATE INDEX generations_order ON generations (sort_key DESC, id DESC)")
    db.execute(
        "CREATE INDEX generations_status_order ON generations (status, sort_key DESC, id DESC)"
    )
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")


def _v2(db: sqlite3.Connection) -> None:
    # The batch a generation was sent in (variations), apart from `generations` so that
    # it is kept whether the row arrives before or after the batch is recorded.
    db.execute(
        """
        CREATE TABLE batch_members (
            generation_id TEXT PRIMARY KEY,
            batch_id      TEXT NOT NULL,
            position      INTEGER NOT NULL,  -- the take's place in its batch
            value         TEXT NOT NULL      -- the differing parameter's value
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX batch_members_batch ON batch_members (batch_id, position)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The file was written by a newer fttui; this one must not guess at its layout."""


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database to `SCHEMA_VERSION`, one transaction per step."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(f"schema version {version} > {SCHEMA_VERSION}")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            if db.execute("PRAGMA user_version").fetchone()[0] >= target:
                db.execute("ROLLBACK")
                continue
            MIGRATIONS[target - 1](db)
            db.execute(f"PRAGMA user_version = {int(target)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def fts5_available() -> bool:
    """Whether this Python's sqlite3 was built with FTS5 (most are; some distros are not)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def has_fts_table(db: sqlite3.Connection) -> bool:
    """Whether the file already carries the full-text index (and its triggers)."""
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
    ).fetchone()
    return row is not None


def add_fts(db: sqlite3.Connection) -> None:
    """Create the FTS5 index over `search_text`, its triggers, and fill it, atomically."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if has_fts_table(db):
            db.execute("ROLLBACK")
            return
        # External content: the text lives once, in `generations`; triggers keep the index
        # in step inside the writer's own transaction, so they can never disagree.
        # prefix='1 2 3' makes the short prefixes of incremental search cheap.
        db.execute(
            """CREATE VIRTUAL TABLE generations_fts USING fts5(
                search_text, content='generations', content_rowid='rowid',
                tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"""
        )
        db.execute(
            """CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
                INSERT INTO generations_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
            END"""
        )
        db.execute(
            """CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations BEGIN
                INSERT INTO generations_fts(generations_fts, rowid, search_text)
                VALUES ('delete', old.rowid, old.search_text);
            END"""
        )
        # Only a change of the searchable text touches the index: refreshing `last_seen`
        # on a page of known rows must stay cheap.
        db.execute(
            """CREATE TRIGGER generations_fts_update AFTER UPDATE OF search_text
                ON generations BEGIN
                INSERT INTO generations_fts(generations_fts, rowid, search_text)
                VALUES ('delete', old.rowid, old.search_text);
                INSERT INTO generations_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
            END"""
        )
        db.execute("INSERT INTO generations_fts(generations_fts) VALUES ('rebuild')")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
