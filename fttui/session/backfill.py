"""The whole history, cached in the background so that search covers everything offline.

`HistoryBackfill` walks older history into the cache with `Library.load_more`, as
scrolling does, but as background work that a person never waits for:

* at most `per_minute` list requests a minute (10: a sixth of the read budget), evenly
  spaced, each at the limiter's background priority;
* it pauses while the user acts: no request of its own until `quiet_for` seconds have
  passed since a person's last request (a submit, a refresh, a scroll), so theirs go
  first and the limiter's budget is theirs;
* it reports progress as a plain event (`HistoryProgress`), which the app shows in the
  list's count line. The API gives no total, so "of N" cannot be said: what is said is
  how many are cached and how far back they reach, and "complete" once the oldest is in.

The walk keeps the library's own cursor, so a backfill stopped by quitting goes on
where it stopped at the next start, and a completed one costs nothing the next time.
No Textual here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timezone

from fttui.api.client import FinetuningClient
from fttui.api.errors import FttuiError
from fttui.api.limiter import Priority
from fttui.api.models import Generation, GenerationPage, StatusFilter
from fttui.clock import Clock
from fttui.store import GenerationStore, Library

log = logging.getLogger(__name__)

PER_MINUTE = 10
QUIET_FOR = 10.0  # seconds without a person's request before the backfill goes on
RETRY_AFTER = 60.0  # after a failed page (offline, a server error): try again later


@dataclass(frozen=True)
class HistoryProgress:
    """How much of the history the cache holds while the backfill runs."""

    cached: int
    complete: bool = False
    paused: bool = False
    back_to: date | None = None
    """The day of the oldest generation cached (UTC): how far back the walk has reached."""
    walked: bool = True
    """Whether the backfill fetched anything in this run (else it was complete already)."""

    @property
    def text(self) -> str:
        """For the list's count line, e.g. "history 12,400 cached, back to 14 Mar 2025"."""
        reach = f", back to {self.back_to.day} {self.back_to:%b %Y}" if self.back_to else ""
        if self.complete:
            return f"history complete: {self.cached:,} cached{reach}"
        return f"history {self.cached:,} cached{reach}" + (", paused" if self.paused else "")

    @property
    def worth_showing(self) -> bool:
        """Said while it runs, and its end once it ran; a history complete already at
        the start (a small one, or a walk finished on an earlier run) is not news."""
        return self.walked or not self.complete


class _BackgroundPages:
    """The client as `Library` sees it, paced and yielding to the user."""

    def __init__(self, backfill: HistoryBackfill) -> None:
        self._backfill = backfill

    async def list_generations(
        self, *, limit: int = 20, offset: int = 0, status: StatusFilter | None = None
    ) -> GenerationPage:
        await self._backfill.wait_for_turn()
        return await self._backfill.client.list_generations(
            limit=limit, offset=offset, status=status, priority=Priority.BACKGROUND
        )

    async def get_generation(self, generation_id: str) -> Generation:
        await self._backfill.wait_for_turn()
        return await self._backfill.client.get_generation(
            generation_id, priority=Priority.BACKGROUND
        )


class HistoryBackfill:
    """Pages the entire history into the cache within a small share of the read budget."""

    def __init__(
        self,
        client: FinetuningClient,
        store: GenerationStore,
        clock: Clock,
        on_progress: Callable[[HistoryProgress], None],
        *,
        per_minute: int = PER_MINUTE,
        quiet_for: float = QUIET_FOR,
    ) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.on_progress = on_progress
        self.interval = 60.0 / per_minute
        self.quiet_for = quiet_for
        self.requests: list[float] = []  # clock times of the backfill's own requests
        self._library = Library(store, _BackgroundPages(self), clock=clock)

    async def wait_for_turn(self) -> None:
        """Wait until the pace allows a request and the user has been quiet for a while."""
        while True:
            now = self.clock.monotonic()
            waits = [0.0]
            if self.requests:
                waits.append(self.requests[-1] + self.interval - now)
            last_user = self.client.rate.last_user_request
            if last_user is not None:
                waits.append(last_user + self.quiet_for - now)
            delay = max(waits)
            if delay <= 0:
                self.requests.append(now)
                return
            if last_user is not None and last_user + self.quiet_for - now == delay:
                self._report(paused=True)
            await self.clock.sleep(delay)

    async def run(self) -> None:
        """Walk the history down to its oldest generation; returns when all is cached."""
        while True:
            try:
                more = await self._library.load_more()
            except FttuiError as exc:
                log.info("history backfill: a page failed (%s); trying again later", exc)
                await self.clock.sleep(RETRY_AFTER)
                continue
            if not more:
                self._report(complete=True)
                return
            self._report()

    def _report(self, *, complete: bool = False, paused: bool = False) -> None:
        cached = self.store.count()
        oldest = self.store.page(limit=1, offset=cached - 1) if cached else []
        created = oldest[0].created_at if oldest else None
        back_to = created.astimezone(timezone.utc).date() if created is not None else None
        self.on_progress(
            HistoryProgress(
                cached,
                complete=complete,
                paused=paused,
                back_to=back_to,
                walked=bool(self.requests),
            )
        )
