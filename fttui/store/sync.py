"""Keeping the cache in step with the server, a page at a time.

`Library` shows the cache at once (`cached_page`), then `refresh_newest` fetches the
newest pages until they meet what is already cached, and `load_more` walks older history
only as the user scrolls. Nothing here ever fetches the whole history.

Offsets shift whenever a generation is created or deleted, so a remembered server
offset goes stale. Each list (all, or one status) instead remembers an *anchor*: the
oldest generation up to which it has been synced without a gap. The next offset is the
number of cached generations at or above the anchor, minus a small overlap, and the
page that comes back is checked against the anchor: found, all is well; only older
items, the offset was too large (a deletion elsewhere), so step back; only newer items,
it was too small, so they are simply new to us and the walk goes on. Duplicates are
merged by id, so a wrong guess costs a request, never a row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fttui.api.errors import NotFound, TransportError
from fttui.api.models import Generation, GenerationPage, StatusFilter
from fttui.clock import Clock, SystemClock
from fttui.store.database import GenerationStore

log = logging.getLogger(__name__)

PAGE_SIZE = 50
REFRESH_MAX_PAGES = 5  # past 250 unseen generations, leave the rest to scrolling
LOAD_MORE_MAX_PAGES = 4  # pages per scroll step when pages bring only duplicates
OVERLAP = 2  # items re-fetched above the anchor, to confirm the page joins up
IN_PROGRESS_MAX = 10  # single fetches per refresh for generations not seen in the pages
LAST_REFRESH_KEY = "last_refresh"


class GenerationSource(Protocol):
    """What `Library` needs of the API client (`FinetuningClient` has it)."""

    async def list_generations(
        self, *, limit: int = 20, offset: int = 0, status: StatusFilter | None = None
    ) -> GenerationPage: ...

    async def get_generation(self, generation_id: str) -> Generation: ...


@dataclass
class SyncResult:
    """What one refresh learned."""

    new_ids: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    removed_ids: list[str] = field(default_factory=list)
    pages: int = 0  # list pages fetched
    single_fetches: int = 0  # generations fetched one by one (in progress ones)
    joined_cache: bool = False  # the fetched pages met the cached history (no gap)

    @property
    def anything_changed(self) -> bool:
        return bool(self.new_ids or self.changed_ids or self.removed_ids)


@dataclass(frozen=True)
class _Cursor:
    anchor_id: str
    anchor_key: str
    has_more: bool

    @property
    def empty(self) -> bool:
        """The server had no generations at all for this list when last asked."""
        return not self.anchor_id

    @property
    def position(self) -> tuple[str, str]:
        return (self.anchor_key, self.anchor_id)

    def dump(self) -> str:
        return json.dumps({"id": self.anchor_id, "key": self.anchor_key, "more": self.has_more})


def _cursor_key(status: str | None) -> str:
    return f"cursor:{status or 'all'}"


class Library:
    """The generations list: the cache first, the server when it answers. No Textual.

    `online` is None until the first request, then whether the last one got an answer;
    a `TransportError` is re-raised (for an offline banner) and the cache stays usable.
    """

    def __init__(
        self, store: GenerationStore, client: GenerationSource, *, clock: Clock | None = None
    ) -> None:
        self.store = store
        self.client = client
        self.clock: Clock = clock or SystemClock()
        self.online: bool | None = None

    # --- the cache ---------------------------------------------------------------------

    def cached_page(
        self,
        *,
        status: StatusFilter | None = None,
        query: str | None = None,
        limit: int = PAGE_SIZE,
        offset: int = 0,
    ) -> list[Generation]:
        """A page of the cache, newest first: what the list shows before any request."""
        return self.store.page(status=status, query=query, limit=limit, offset=offset)

    def cached_count(self, status: StatusFilter | None = None, query: str | None = None) -> int:
        """How many cached generations match; the list's length until more is loaded."""
        return self.store.count(status=status, query=query)

    def has_more(self, status: StatusFilter | None = None) -> bool:
        """Whether the server may hold older generations than the cache has for this list."""
        cursor = self._cursor(status)
        return cursor is None or cursor.has_more

    def apply(self, generation: Generation) -> bool:
        """Store an update from the watcher or a submission. True if anything changed."""
        return bool(self.store.upsert([generation], now=self.clock.now()))

    def forget(self, generation_id: str) -> bool:
        """Drop a generation the server no longer has. True if it was cached."""
        return self.store.delete(generation_id)

    # --- the server --------------------------------------------------------------------

    async def refresh_newest(self) -> SyncResult:
        """Fetch the newest pages until they meet the cache, then the in-progress ones.

        The first run fetches one page only; the rest arrives with `load_more`.
        """
        result = SyncResult()
        cursor = self._cursor(None)
        if cursor is not None and cursor.empty:
            cursor = None  # nothing was cached to join up with: like a first run
        seen: set[str] = set()
        offset = 0
        oldest: tuple[str, str] | None = None
        has_more = True
        while True:
            page = await self._list(offset=offset, status=None)
            result.pages += 1
            items = [g for g in page.generations if g.id not in seen]
            before = self.store.statuses(g.id for g in items)
            joins = cursor is not None and any(
                self._at_or_above(g.id, cursor.position) for g in items if g.id in before
            )
            changed = self.store.upsert(items, now=self.clock.now())
            result.new_ids += [i for i in changed if i not in before]
            result.changed_ids += [i for i in changed if i in before]
            result.removed_ids += self._prune(page.generations)
            result.joined_cache = result.joined_cache or joins
            seen.update(g.id for g in items)
            oldest = self._oldest(page.generations) or oldest
            has_more = page.has_more
            if not has_more or not page.generations or cursor is None:
                break
            if result.joined_cache and not changed:
                break  # a whole page already known and unchanged: the rest is too
            if cursor is not None and oldest is not None and oldest <= cursor.position:
                break  # down to the anchor: older history is `load_more`'s to fetch
            if result.pages >= REFRESH_MAX_PAGES:
                break
            following = page.next_offset if page.next_offset is not None else offset + len(items)
            if following <= offset:
                # A server that says "more" without moving on would send this page again.
                log.warning("the server's nextOffset (%s) did not move past %d", following, offset)
                break
            offset = following
        self._advance_after_refresh(cursor, oldest, has_more, result.joined_cache)
        await self._refresh_in_progress(seen, result)
        self.store.set_state({LAST_REFRESH_KEY: self.clock.now().isoformat()})
        return result

    async def load_more(self, status: StatusFilter | None = None) -> bool:
        """Fetch older history for this list, past what is cached. True if more remains.

        Fetches until a page brings at least one generation the cache lacked (or up to
        `LOAD_MORE_MAX_PAGES`), so each call visibly grows the list.
        """
        cursor = self._cursor(status)
        if cursor is not None and not cursor.has_more:
            return False
        step_back = 0
        for _ in range(LOAD_MORE_MAX_PAGES):
            offset = 0
            if cursor is not None:
                above = self.store.count_down_to(*cursor.position, status=status)
                offset = max(0, above - OVERLAP - step_back)
            # Ask for the overlap on top of a page, so each step still brings a full page.
            page = await self._list(offset=offset, limit=PAGE_SIZE + OVERLAP, status=status)
            items = page.generations
            has_more = page.has_more and bool(items)
            before = self.store.statuses(g.id for g in items)
            changed = self.store.upsert(items, now=self.clock.now())
            if status is None:
                self._prune(items)
            oldest = self._oldest(items)
            if cursor is not None and oldest is not None and offset > 0:
                newest = self._position(items[0].id)
                if cursor.anchor_id not in {g.id for g in items} and (
                    newest is not None and newest < cursor.position
                ):
                    # The whole page is older than the anchor: something above it was
                    # deleted and the offset overshot. Step back rather than leave a gap.
                    step_back += PAGE_SIZE
                    continue
            cursor = self._save_cursor(status, cursor, oldest, has_more)
            step_back = 0
            if not has_more or any(i not in before for i in changed):
                break
        return cursor is None or cursor.has_more

    # --- helpers -----------------------------------------------------------------------

    async def _list(
        self, *, offset: int, status: StatusFilter | None, limit: int = PAGE_SIZE
    ) -> GenerationPage:
        try:
            page = await self.client.list_generations(limit=limit, offset=offset, status=status)
        except TransportError:
            self.online = False
            raise
        self.online = True
        return page

    async def _refresh_in_progress(self, seen: set[str], result: SyncResult) -> None:
        stale = [i for i in self.store.ids_in_progress() if i not in seen][:IN_PROGRESS_MAX]
        for generation_id in stale:
            try:
                fresh = await self.client.get_generation(generation_id)
            except NotFound:
                if self.store.delete(generation_id):
                    result.removed_ids.append(generation_id)
                continue
            except TransportError:
                self.online = False
                raise
            self.online = True
            result.single_fetches += 1
            if self.store.upsert([fresh], now=self.clock.now()):
                result.changed_ids.append(generation_id)

    def _cursor(self, status: str | None) -> _Cursor | None:
        raw = self.store.state(_cursor_key(status))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return _Cursor(str(data["id"]), str(data["key"]), bool(data["more"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable sync cursor for %s", status or "all")
            return None

    def _save_cursor(
        self,
        status: str | None,
        cursor: _Cursor | None,
        oldest: tuple[str, str] | None,
        has_more: bool,
    ) -> _Cursor | None:
        """Move the anchor down to `oldest` (never up) and record whether more remains."""
        if cursor is not None and cursor.empty:
            cursor = None
        if oldest is None:
            if cursor is None and has_more:
                return None  # an empty page that claims more: nothing learned
            # No items: the end of the history (or of an empty one).
            new = (
                _Cursor(cursor.anchor_id, cursor.anchor_key, False)
                if cursor
                else _Cursor("", "", False)
            )
        elif cursor is not None and cursor.position < oldest:
            new = cursor  # the page lay above the anchor: says nothing about below it
        else:
            new = _Cursor(oldest[1], oldest[0], has_more)
        self.store.set_state({_cursor_key(status): new.dump()})
        return new

    def _advance_after_refresh(
        self,
        cursor: _Cursor | None,
        oldest: tuple[str, str] | None,
        has_more: bool,
        joined: bool,
    ) -> None:
        if cursor is not None and not joined and has_more and oldest is not None:
            # A gap between the fresh pages and the cache: the gap-free part now ends at
            # the fresh pages, and scrolling fills the gap (duplicates merge by id).
            fresh = _Cursor(oldest[1], oldest[0], True)
            self.store.set_state({_cursor_key(None): fresh.dump()})
            return
        self._save_cursor(None, cursor, oldest, has_more)

    def _position(self, generation_id: str) -> tuple[str, str] | None:
        key = self.store.order_key(generation_id)
        return None if key is None else (key, generation_id)

    def _at_or_above(self, generation_id: str, anchor: tuple[str, str]) -> bool:
        position = self._position(generation_id)
        return position is not None and position >= anchor

    def _oldest(self, items: Sequence[Generation]) -> tuple[str, str] | None:
        positions = [p for p in (self._position(g.id) for g in items) if p is not None]
        return min(positions) if positions else None

    def _prune(self, items: Sequence[Generation]) -> list[str]:
        """Drop cached generations an unfiltered page proves deleted on the server.

        A page is one moment of the server's list: a cached generation dated strictly
        between its first and last item, yet absent from it, is gone.
        """
        if len(items) < 2 or items[0].created_at is None or items[-1].created_at is None:
            return []
        newer, older = self.store.order_key(items[0].id), self.store.order_key(items[-1].id)
        if newer is None or older is None or not older < newer:
            return []
        listed = {g.id for g in items}
        gone = [i for i in self.store.ids_between(newer, older) if i not in listed]
        if gone:
            log.info("dropping %d generations the server no longer lists", len(gone))
            return self.store.delete_many(gone)
        return []
