"""The SQLite cache of generation metadata.

Each generation is kept whole, as the JSON of its model, beside the few columns the
list and the search need (order, status, folded text), so showing a page of 50 out of
10,000 parses 50 JSON documents and no more.

Durability: WAL with `synchronous=NORMAL`. Every write is one transaction, so a kill
at any moment leaves the file at the last commit. NORMAL (rather than FULL) can lose the
last few commits on a power cut, never consistency, and that is the right trade for a
cache the server can refill; a killed process loses nothing, because a commit is in
the WAL file (the OS's page cache) before `COMMIT` returns.

Threads: one connection per store, opened with `check_same_thread=False`, and every
call holds the store's lock, so the TUI may call from workers and the event loop alike.
Calls are short (milliseconds); the event loop may call directly.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from fttui import locations
from fttui.api.models import Generation
from fttui.store import schema
from fttui.store.search import LIKE_ESCAPE, parse_query, searchable_text

log = logging.getLogger(__name__)

_CHUNK = 500  # ids per IN (...) list, well under every sqlite build's variable limit
BUSY_TIMEOUT_MS = 5000  # how long to wait for another fttui's write to finish


def _is_busy(exc: BaseException) -> bool:
    """Locked by another process: the file is fine, and must not be moved aside."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _timestamp(moment: datetime) -> str:
    """UTC, fixed width, so that text order is time order."""
    utc = moment.astimezone(timezone.utc)
    # %Y is not zero-padded everywhere (year 999 would sort after 2025).
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.%fZ")


def _readable(generation_id: str, text: str) -> Generation | None:
    """A cached row's generation, or None (logged) if this version cannot read it."""
    try:
        return Generation.model_validate_json(text)
    except ValueError:  # pydantic's ValidationError is one
        log.warning("ignoring an unreadable cached generation %s", generation_id)
        return None


def _merge(stored: Generation, fresh: Generation) -> Generation:
    """`fresh` over `stored`, field by field, for the fields the server actually sent.

    A list item lacks `fileSize`, `generationTime`, `errorMessage`...: a list refresh must
    neither erase what a detail fetch learned nor count as a change.
    """
    sent = {name: getattr(fresh, name) for name in fresh.model_fields_set}
    merged = stored.model_copy(update=sent)
    kept = stored.parameters.lyrics
    if kept and not merged.parameters.lyrics:
        # The API echoes no lyrics: the ones fttui sent live only here, and a refresh
        # from the server must not erase them.
        merged = with_lyrics(merged, kept)
    return merged


_LYRICS = "lyrics:"
"""Sync-state keys of lyrics kept for a generation not cached yet (`keep_lyrics`)."""


def with_lyrics(generation: Generation, lyrics: str | None) -> Generation:
    """`generation` with `lyrics` in its parameters (unchanged when there are none)."""
    if not lyrics:
        return generation
    parameters = generation.parameters.model_copy(update={"lyrics": lyrics})
    return generation.model_copy(update={"parameters": parameters})


class GenerationStore:
    """Generations cached on disk: upsert, page, count and search them, keep sync state.

    A corrupt or unreadable file is moved aside (`recovered_from` names where) and a new
    one created; if even that fails the store lives in memory for this run. Pass
    `full_text=False` to search with LIKE even where FTS5 exists (tests, benchmarks).
    """

    def __init__(self, path: Path | None = None, *, full_text: bool | None = None) -> None:
        self.path: Path = path if path is not None else locations.database_file()
        self.recovered_from: Path | None = None
        self.persistent = True
        self._lock = threading.RLock()
        fts = schema.fts5_available()
        self.full_text: bool = fts if full_text is None else (full_text and fts)
        self._db = self._open_or_recover(fts)

    # --- opening -----------------------------------------------------------------------

    def _connect(self, target: str | Path, fts: bool) -> sqlite3.Connection:
        # isolation_level=None: this class writes BEGIN/COMMIT itself, so a transaction
        # is exactly what each method says, never what the sqlite3 module guesses.
        db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower()
            if mode != "wal" and target != ":memory:":
                raise sqlite3.DatabaseError("cannot switch to WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            schema.migrate(db)
            if schema.has_fts_table(db) and not fts:
                # Written by a build with FTS5, read by one without: its triggers would fail
                # every write. It is only a cache: start over.
                raise sqlite3.DatabaseError("full-text index needs FTS5, absent here")
            if fts:
                schema.add_fts(db)
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
        except BaseException:
            db.close()
            raise
        return db

    def _open_or_recover(self, fts: bool) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._connect(self.path, fts)
        except (sqlite3.DatabaseError, schema.SchemaTooNew, OSError) as exc:
            if _is_busy(exc):
                log.warning("generation cache %s is locked (%s); caching in memory", self.path, exc)
                self.persistent = False
                return self._connect(":memory:", fts)
            log.warning("generation cache %s unusable (%s); starting a new one", self.path, exc)
        try:
            self.recovered_from = self._move_aside()
            return self._connect(self.path, fts)
        except (sqlite3.DatabaseError, schema.SchemaTooNew, OSError) as exc:
            log.error("cannot create %s (%s); caching in memory only", self.path, exc)
        self.persistent = False
        return self._connect(":memory:", fts)

    def _move_aside(self) -> Path | None:
        if not self.path.exists():
            return None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        self.path.replace(aside)
        # A WAL or shared-memory file belongs to the old database only; left in place it
        # would be replayed into the new one.
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            with contextlib.suppress(FileNotFoundError):
                companion.replace(aside.with_name(aside.name + suffix))
        return aside

    def close(self) -> None:
        """Close the connection (checkpointing the WAL). The store is unusable after."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> GenerationStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken with the write lock up front (no upgrade deadlocks)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- writing -----------------------------------------------------------------------

    def upsert(
        self,
        generations: Iterable[Generation],
        *,
        state: Mapping[str, str | None] | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        """Store `generations` and return the ids that were new or whose content changed.

        Fields a generation does not carry (a list item has no `fileSize`) keep their
        stored value. `state` entries (sync bookkeeping; None deletes a key) are written
        in the same transaction, so a page and the cursor after it land together.
        """
        latest: dict[str, Generation] = {}
        for generation in generations:
            latest[generation.id] = generation  # the last word on an id wins
        stamp = _timestamp(now or datetime.now(timezone.utc))
        changed: list[str] = []
        with self._write() as db:
            stored = self._stored_json(db, list(latest))
            waiting = self._kept_lyrics(db, [i for i in latest if i not in stored])
            confirmed: list[tuple[str, str]] = []
            for gen_id, fresh in latest.items():
                old_json = stored.get(gen_id)
                merged = fresh
                old = _readable(gen_id, old_json) if old_json is not None else None
                if old is not None:
                    merged = _merge(old, fresh)
                elif gen_id in waiting:  # sent with lyrics before it was ever cached
                    merged = with_lyrics(fresh, fresh.parameters.lyrics or waiting[gen_id])
                new_json = merged.model_dump_json(by_alias=True)
                if new_json == old_json:
                    confirmed.append((stamp, gen_id))
                    continue
                changed.append(gen_id)
                self._write_row(db, merged, new_json, stamp)
            db.executemany("UPDATE generations SET last_seen = ? WHERE id = ?", confirmed)
            self._write_state(db, {**{_LYRICS + i: None for i in waiting}, **(state or {})})
        return changed

    def keep_lyrics(self, generation_id: str, lyrics: str) -> None:
        """Keep the lyrics sent for a generation (the API never echoes them): with its
        row when it is cached, else until it is (a command line's submission)."""
        cached = self.get(generation_id)
        if cached is not None:
            self.upsert([with_lyrics(cached, lyrics)])
        else:
            self.set_state({_LYRICS + generation_id: lyrics})

    def kept_lyrics(self, generation_id: str) -> str | None:
        """The lyrics kept for a generation, cached or still waiting for it."""
        cached = self.get(generation_id)
        if cached is not None:
            return cached.parameters.lyrics
        return self.state(_LYRICS + generation_id)

    @staticmethod
    def _kept_lyrics(db: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
        """Lyrics kept for generations not cached yet, by id."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), _CHUNK):
            keys = [_LYRICS + i for i in ids[start : start + _CHUNK]]
            marks = ",".join("?" * len(keys))
            sql = f"SELECT key, value FROM sync_state WHERE key IN ({marks})"  # noqa: S608
            for key, value in db.execute(sql, keys):
                found[str(key).removeprefix(_LYRICS)] = str(value)
        return found

    @staticmethod
    def _stored_json(db: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, json FROM generations WHERE id IN ({marks})"  # noqa: S608
            rows = db.execute(sql, chunk)
            found.update(rows.fetchall())
        return found

    @staticmethod
    def _write_row(db: sqlite3.Connection, gen: Generation, json: str, stamp: str) -> None:
        created = _timestamp(gen.created_at) if gen.created_at else None
        tags = gen.parameters.tags or ""
        db.execute(
            """
            INSERT INTO generations (id, sort_key, created_at, status, title, prompt, tags,
                search_text, json, first_seen, updated_at, last_seen)
            VALUES (:id, :sort_key, :created, :status, :title, :prompt, :tags,
                :search, :json, :stamp, :stamp, :stamp)
            ON CONFLICT (id) DO UPDATE SET
                -- a generation without createdAt keeps the place it was first seen at
                sort_key = coalesce(:created, generations.first_seen),
                created_at = :created, status = :status, title = :title, prompt = :prompt,
                tags = :tags, search_text = :search, json = :json,
                updated_at = :stamp, last_seen = :stamp
            """,
            {
                "id": gen.id,
                "sort_key": created or stamp,
                "created": created,
                "status": gen.status.lower(),
                "title": gen.title or "",
                "prompt": gen.prompt or "",
                "tags": tags,
                "search": searchable_text(gen.title, gen.prompt, tags),
                "json": json,
                "stamp": stamp,
            },
        )

    @staticmethod
    def _write_state(db: sqlite3.Connection, state: Mapping[str, str | None]) -> None:
        for key, value in state.items():
            if value is None:
                db.execute("DELETE FROM sync_state WHERE key = ?", (key,))
            else:
                db.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def delete(self, generation_id: str) -> bool:
        """Drop one generation (the server said NOT_FOUND). True if it was cached."""
        return bool(self.delete_many([generation_id]))

    def delete_many(self, ids: Collection[str]) -> list[str]:
        """Drop several generations in one transaction; return those that were cached."""
        wanted = list(dict.fromkeys(ids))
        with self._write() as db:
            present = list(self._stored_json(db, wanted))
            db.executemany("DELETE FROM generations WHERE id = ?", [(i,) for i in present])
            db.executemany(
                "DELETE FROM batch_members WHERE generation_id = ?", [(i,) for i in wanted]
            )
        return present

    def set_batch(self, batch_id: str, members: Iterable[tuple[str, str]]) -> None:
        """Record the generations of one batch: (generation id, differing value), in order."""
        rows = [(gen_id, batch_id, n, value) for n, (gen_id, value) in enumerate(members)]
        with self._write() as db:
            db.executemany(
                "INSERT INTO batch_members (generation_id, batch_id, position, value)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (generation_id) DO UPDATE SET"
                " batch_id = excluded.batch_id, position = excluded.position,"
                " value = excluded.value",
                rows,
            )

    def batch_of(self, generation_id: str) -> str | None:
        """The batch this generation was sent in, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT batch_id FROM batch_members WHERE generation_id = ?", (generation_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def batch_members(self, batch_id: str) -> list[tuple[str, str]]:
        """(generation id, differing value) of a batch, in the batch's order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT generation_id, value FROM batch_members WHERE batch_id = ?"
                " ORDER BY position",
                (batch_id,),
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def batch_labels(self) -> dict[str, str]:
        """Generation id → "parameter value" of every batch take (for the list)."""
        with self._lock:
            rows = self._db.execute("SELECT generation_id, value FROM batch_members").fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def batches_of(self, ids: Iterable[str]) -> dict[str, str]:
        """Generation id → batch id, for those of `ids` sent in a batch (the list groups
        them)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT generation_id, batch_id FROM batch_members WHERE generation_id IN ({marks})"  # noqa: S608,E501
                found.update(self._db.execute(sql, chunk).fetchall())
        return found

    def set_state(self, state: Mapping[str, str | None]) -> None:
        """Write sync bookkeeping entries (None deletes one) in one transaction."""
        with self._write() as db:
            self._write_state(db, state)

    # --- reading -----------------------------------------------------------------------

    def get(self, generation_id: str) -> Generation | None:
        """The cached generation with this id, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT json FROM generations WHERE id = ?", (generation_id,)
            ).fetchone()
        return _readable(generation_id, row[0]) if row else None

    def _where(self, status: str | None, query: str | None) -> tuple[str, list[str | int]]:
        """WHERE clause and parameters for a status filter and a search."""
        clauses: list[str] = []
        params: list[str | int] = []
        search = parse_query(query, full_text=self.full_text)
        if search.fts_match is not None:
            # A subquery, not a join: with a join the planner may walk the status index
            # and probe the full-text index once per row (seconds at 10k rows).
            clauses.append(
                "g.rowid IN (SELECT rowid FROM generations_fts WHERE generations_fts MATCH ?)"
            )
            params.append(search.fts_match)
        for pattern in search.like_patterns:
            clauses.append(f"g.search_text LIKE ? ESCAPE '{LIKE_ESCAPE}'")
            params.append(pattern)
        if status is not None:
            clauses.append("g.status = ?")
            params.append(status.lower())
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return where, params

    def page(
        self,
        *,
        status: str | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Generation]:
        """Generations newest first, optionally of one status and matching a search."""
        where, params = self._where(status, query)
        sql = (
            f"SELECT g.id, g.json FROM generations AS g{where}"  # noqa: S608 (placeholders only)
            " ORDER BY g.sort_key DESC, g.id DESC LIMIT ? OFFSET ?"
        )
        with self._lock:
            rows = self._db.execute(sql, [*params, max(0, limit), max(0, offset)]).fetchall()
        # One row this version cannot read never hides the rest of the page.
        return [g for g in (_readable(row[0], row[1]) for row in rows) if g is not None]

    def count(self, status: str | None = None, query: str | None = None) -> int:
        """How many cached generations `page` would walk through with these filters."""
        where, params = self._where(status, query)
        sql = f"SELECT count(*) FROM generations AS g{where}"  # noqa: S608 (placeholders only)
        with self._lock:
            row = self._db.execute(sql, params).fetchone()
        return int(row[0])

    def ids_in_progress(self) -> list[str]:
        """Ids of cached generations still pending or processing, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM generations WHERE status IN ('pending', 'processing')"
                " ORDER BY sort_key DESC, id DESC"
            ).fetchall()
        return [row[0] for row in rows]

    def generation_times(self, limit: int = 60) -> list[tuple[float | None, str | None, float]]:
        """(duration, kind, generationTime) of the newest completed generations, oldest
        first: what the watcher's finish predictor learns from."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, json FROM generations WHERE status = 'completed'"
                " ORDER BY sort_key DESC, id DESC LIMIT ?",
                (max(0, limit),),
            ).fetchall()
        samples: list[tuple[float | None, str | None, float]] = []
        for row in reversed(rows):
            generation = _readable(row[0], row[1])
            if generation is not None and generation.generation_time is not None:
                samples.append(
                    (generation.length_seconds, generation.type, generation.generation_time)
                )
        return samples

    def statuses(self, ids: Iterable[str]) -> dict[str, str]:
        """The cached status of each id that is cached (lower case)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT id, status FROM generations WHERE id IN ({marks})"  # noqa: S608
                rows = self._db.execute(sql, chunk)
                found.update(rows.fetchall())
        return found

    def order_key(self, generation_id: str) -> str | None:
        """Where this generation sorts (its `sort_key`), or None if it is not cached."""
        with self._lock:
            row = self._db.execute(
                "SELECT sort_key FROM generations WHERE id = ?", (generation_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def count_down_to(self, sort_key: str, generation_id: str, status: str | None = None) -> int:
        """How many cached generations (of `status`) sort at or above this position."""
        sql = "SELECT count(*) FROM generations WHERE (sort_key, id) >= (?, ?)"
        params: list[str] = [sort_key, generation_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.lower())
        with self._lock:
            return int(self._db.execute(sql, params).fetchone()[0])

    def ids_between(self, newer: str, older: str) -> list[str]:
        """Ids whose sort key lies strictly between two keys (for spotting deletions)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM generations WHERE sort_key < ? AND sort_key > ?",
                (newer, older),
            ).fetchall()
        return [row[0] for row in rows]

    def state(self, key: str) -> str | None:
        """One sync bookkeeping value, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def integrity_ok(self) -> bool:
        """`PRAGMA integrity_check` says ok (slow on big files: for tests and doctors)."""
        with self._lock:
            return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
