"""Everything the app talks to, opened and closed together: client, cache, watcher,
submitting.

No Textual here. The main screen owns one `Session`; a new key means a new session.
The screen reads the cache through the session (never the store itself), so what it
shows and what the session follows come from one place; what happens meanwhile (a
generation changed, vanished or stalled, a submission's outcome) reaches it as plain
events (`fttui.session.events`), through the one listener it gave.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fttui.api.client import FinetuningClient
from fttui.api.key import ApiKey
from fttui.api.models import Account, Generation, StatusFilter
from fttui.clock import Clock
from fttui.session import events
from fttui.session.backfill import HistoryBackfill, HistoryProgress
from fttui.session.batch import note_in_queue
from fttui.session.batches import Batches
from fttui.session.conditions import Conditions
from fttui.session.following import (
    Progress,
    expected_end,
    learned_predictor,
    make_watcher,
    progress_of,
)
from fttui.session.submitting import Submitting
from fttui.store import GenerationStore, Library
from fttui.store.last_seen import ACCOUNT_STATE  # read early at start, before the models
from fttui.store.sync import PAGE_SIZE

if TYPE_CHECKING:
    from fttui.session.export import ExportFormat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedPage:
    """Rows of a list as the cache holds them (see `Session.cached_page`)."""

    rows: list[Generation]
    total: int
    exhausted: bool


class Session:
    """The client (opened), the watcher (not yet running), the cache and its library."""

    def __init__(
        self,
        *,
        key: ApiKey | None,
        base_url: str,
        store: GenerationStore,
        clock: Clock,
        emit: events.Listener = events.ignore,
        conditions: Conditions | None = None,
    ) -> None:
        """`emit` hears every event, from the watcher's task and the submitting worker
        alike; `conditions`: the front end's, which outlive a session (a new key)."""
        self.key = key
        self.base_url = base_url
        self.store = store
        self.clock = clock
        self._emit = emit
        self.client = FinetuningClient(key, base_url, clock=clock)
        self.library = Library(store, self.client, clock=clock)
        self.submitting = Submitting(Conditions() if conditions is None else conditions, emit)
        # Learned from the cache now, then from each generation the watcher sees finish.
        self.predictor = learned_predictor(store)
        self.watcher = make_watcher(
            self.client,
            clock=clock,
            predictor=self.predictor,
            on_update=self.updated,
            on_error=lambda error: emit(events.WatchFailed(error)),
            on_timeout=lambda gave_up: emit(
                events.WatchGaveUp(gave_up.generation_id, gave_up.waited)
            ),
            on_gone=self.vanished,
            on_stalled=lambda stalled: emit(events.GenerationStalled(stalled.generation_id)),
        )
        self.account: Account | None = self.cached_account()
        """The account as last seen: from the cache until the server answers."""
        self.batches = Batches(self)
        self.backfill: HistoryBackfill | None = None
        self._backfill_task: asyncio.Task[None] | None = None

    # --- following generations -----------------------------------------------------------

    def follow(self, generation: Generation | str) -> None:
        """Watch a generation until it is final (the watcher runs in `watcher.run`)."""
        self.watcher.watch(generation)

    def updated(self, generation: Generation) -> None:
        """A newer copy of `generation` (the watcher's, or a fetch's): cache it and tell."""
        previous = self.remember(generation)
        cached = self.cached(generation.id) or generation  # with the kept lyrics
        finished = generation.is_final and previous is not None and previous.in_progress
        self._emit(events.GenerationChanged(cached, finished))

    def vanished(self, generation_id: str) -> None:
        """The server no longer has it: out of the cache and the watcher, then told."""
        self.forget(generation_id)
        self._emit(events.GenerationGone(generation_id))

    # --- the account ------------------------------------------------------------------

    def cached_account(self) -> Account | None:
        """The account the server last sent (on an earlier run too), or None."""
        try:
            text = self.store.state(ACCOUNT_STATE)
            return None if text is None else Account.model_validate_json(text)
        except Exception:  # an unreadable record only costs the early header
            return None

    def account_seen(self, account: Account) -> None:
        """The server sent `account`: keep it, here and in the cache for the next start."""
        self.account = account
        try:
            self.store.set_state({ACCOUNT_STATE: account.model_dump_json(by_alias=True)})
        except Exception:  # a cache that cannot be written: the header still shows it
            log.debug("session: the account could not be cached", exc_info=True)
        # queueDepth counts what is in the queue: the most seen is a floor for batches.
        note_in_queue(self.store, account.limits.queue_depth)

    # --- progress ---------------------------------------------------------------------

    def progress(self, generation: Generation) -> Progress | None:
        """How far along `generation` is now (None unless in progress)."""
        progress = progress_of(
            generation, self.clock.now(), expected=expected_end(self.predictor, generation)
        )
        if progress is not None and not progress.stalled and generation.id in self.watcher.stalled:
            progress = Progress(progress.status, progress.elapsed, None, True)
        return progress

    async def open(self) -> None:
        """Open the HTTP connection pool."""
        await self.client.__aenter__()

    async def close(self) -> None:
        """Close it; safe to call twice."""
        task, self._backfill_task = self._backfill_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.client.__aexit__(None, None, None)

    def start_history_backfill(self, on_progress: Callable[[HistoryProgress], None]) -> None:
        """Cache the whole history in the background (after connect); once per session."""
        if self._backfill_task is not None:
            return
        self.backfill = HistoryBackfill(self.client, self.store, self.clock, on_progress)
        self._backfill_task = asyncio.create_task(self.backfill.run(), name="history backfill")

    # --- the cache, as the screen sees it ------------------------------------------------

    def page(
        self,
        *,
        status: StatusFilter | None = None,
        query: str | None = None,
        limit: int = PAGE_SIZE,
        offset: int = 0,
    ) -> list[Generation]:
        """Cached generations newest first, of one status and matching a search."""
        return self.store.page(status=status, query=query, limit=limit, offset=offset)

    def count(self, *, status: StatusFilter | None = None, query: str | None = None) -> int:
        """How many cached generations `page` walks through with these filters."""
        return self.store.count(status=status, query=query)

    def cached(self, generation_id: str) -> Generation | None:
        """The cached copy of one generation, or None."""
        return self.store.get(generation_id)

    def in_progress(self) -> list[Generation | str]:
        """Cached generations still running (their id when the row cannot be read)."""
        return [self.store.get(each) or each for each in self.store.ids_in_progress()]

    def cached_page(
        self,
        offset: int = 0,
        *,
        status: StatusFilter | None = None,
        query: str | None = None,
        limit: int = PAGE_SIZE,
    ) -> CachedPage:
        """The cache's rows from `offset` on for a list with these filters, how many it
        holds, and whether the server has nothing older either. No rows and not
        `exhausted`: the cache ran out, `load_more` fetches the next page."""
        query = query or None
        total = self.count(status=status, query=query)
        rows = self.page(status=status, query=query, limit=limit, offset=offset)
        rows = rows if offset < total else []
        exhausted = offset + len(rows) >= total and not self.has_more(status)
        return CachedPage(rows, total, exhausted)

    def has_more(self, status: StatusFilter | None = None) -> bool:
        """Whether the server may hold older generations than the cache for this list."""
        return self.library.has_more(status)

    async def load_more(self, status: StatusFilter | None = None) -> bool:
        """Fetch the next older page into the cache."""
        return await self.library.load_more(status)

    async def refresh_newest(self) -> None:
        """Bring the newest generations into the cache."""
        await self.library.refresh_newest()

    def export(self, fmt: ExportFormat, music_folder: Path | None) -> tuple[str, int]:
        """The cached library as CSV or JSON text, and how many generations it holds."""
        from fttui.session.export import export_library

        return export_library(self.store, fmt, music_folder=music_folder)

    def remember(self, generation: Generation) -> Generation | None:
        """Cache a newer copy of `generation`; returns the copy cached before it."""
        previous = self.store.get(generation.id)
        self.library.apply(generation)
        return previous

    def forget(self, generation_id: str) -> None:
        """The server no longer has it: drop it from the cache and stop following it."""
        self.library.forget(generation_id)
        self.watcher.forget(generation_id)
