"""Everything the app talks to, opened and closed together: client, cache, watcher.

No Textual here. The main screen owns one `Session`; a new key means a new session.
The screen reads the cache through the session (never the store itself), so what it
shows and what the session follows come from one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from fttui.api.client import FinetuningClient
from fttui.api.errors import FttuiError
from fttui.api.key import ApiKey
from fttui.api.models import Account, Generation, StatusFilter
from fttui.api.watcher import WatchTimeout
from fttui.clock import Clock
from fttui.session.backfill import HistoryBackfill, HistoryProgress
from fttui.session.batch import note_in_queue
from fttui.session.following import (
    Progress,
    expected_end,
    learned_predictor,
    make_watcher,
    progress_of,
)
from fttui.store import GenerationStore, Library
from fttui.store.sync import PAGE_SIZE

log = logging.getLogger(__name__)

ACCOUNT_STATE = "last_account"
"""The cache's record of the last account the server sent, shown (stale) at start."""


class Session:
    """The client (opened), the watcher (not yet running), the cache and its library."""

    def __init__(
        self,
        *,
        key: ApiKey | None,
        base_url: str,
        store: GenerationStore,
        clock: Clock,
        on_update: Callable[[Generation], None],
        on_error: Callable[[FttuiError], None],
        on_timeout: Callable[[WatchTimeout], None],
        on_gone: Callable[[str], None] | None = None,
        on_stalled: Callable[[WatchTimeout], None] | None = None,
    ) -> None:
        """`on_gone`: a followed generation the server no longer has (already dropped
        from the cache when it is called); `on_stalled`: one in progress for 5 minutes,
        still followed, less often. Both run in the watcher's task."""
        self.key = key
        self.base_url = base_url
        self.store = store
        self.clock = clock
        self.client = FinetuningClient(key, base_url, clock=clock)
        self.library = Library(store, self.client, clock=clock)
        # Learned from the cache now, then from each generation the watcher sees finish.
        self.predictor = learned_predictor(store)
        self._on_gone = on_gone
        self.watcher = make_watcher(
            self.client,
            clock=clock,
            predictor=self.predictor,
            on_update=on_update,
            on_error=on_error,
            on_timeout=on_timeout,
            on_gone=self._gone,
            on_stalled=on_stalled,
        )
        self.account: Account | None = self.cached_account()
        """The account as last seen: from the cache until the server answers."""
        self.backfill: HistoryBackfill | None = None
        self._backfill_task: asyncio.Task[None] | None = None

    def _gone(self, generation_id: str) -> None:
        self.library.forget(generation_id)
        if self._on_gone is not None:
            self._on_gone(generation_id)

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

    def has_more(self, status: StatusFilter | None = None) -> bool:
        """Whether the server may hold older generations than the cache for this list."""
        return self.library.has_more(status)

    async def load_more(self, status: StatusFilter | None = None) -> bool:
        """Fetch the next older page into the cache."""
        return await self.library.load_more(status)

    async def refresh_newest(self) -> None:
        """Bring the newest generations into the cache."""
        await self.library.refresh_newest()

    def remember(self, generation: Generation) -> Generation | None:
        """Cache a newer copy of `generation`; returns the copy cached before it."""
        previous = self.store.get(generation.id)
        self.library.apply(generation)
        return previous

    def forget(self, generation_id: str) -> None:
        """The server no longer has it: drop it from the cache and stop following it."""
        self.library.forget(generation_id)
        self.watcher.forget(generation_id)
