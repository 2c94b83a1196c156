"""The finetuning.ai client: one async httpx client per session, limits and retries.

GETs are retried on transport faults, 5xx and 429 with capped exponential backoff and
full jitter; each failed try is reported at once to whoever listens
(`retries_reported_to`), so that "reconnecting…" can be shown while the retries go on.
A POST to /v1/generations or /v1/instrumental charges a credit, and one to
/v1/sound-effects spends one of the day's 100, so each is journaled before it is sent
and re-sent only when it provably never reached the server; a lost answer is settled by
finding the submission in its store (see `reconcile`). Bulk requests are split into
requests of 100 ids and their per-item results merged (see `bulk`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from fttui.api import reconcile as rec
from fttui.api.bulk import (
    AddResult,
    BulkResult,
    DeleteResult,
    ItemError,
    MoveResult,
    RemoveResult,
    chunks,
)
from fttui.api.errors import (
    ApiError,
    AuthError,
    BulkFailed,
    FttuiError,
    GenerationRateLimited,
    RateLimited,
    ServerError,
    SubmissionUnconfirmed,
    TransportError,
)
from fttui.api.health import Health
from fttui.api.instrumental import InstrumentalRequest
from fttui.api.journal import (
    GENERATIONS,
    INSTRUMENTAL,
    SOUND_EFFECTS,
    JournalEntry,
    SubmissionJournal,
)
from fttui.api.key import ApiKey, redact
from fttui.api.limiter import Priority, RateLimiter, RateStatus, default_limiter
from fttui.api.models import (
    Account,
    CreatedGeneration,
    Generation,
    GenerationPage,
    GenerationRequest,
    ListQuery,
    RequestInvalid,
    StatusFilter,
    TypeFilter,
)
from fttui.api.origins import DEFAULT_BASE_URL, require_safe_url
from fttui.api.playlists import Playlist, PlaylistList, PlaylistSummary
from fttui.api.sound_effects import SoundEffect, SoundEffectPage, SoundEffectRequest
from fttui.api.transport import (
    KEEPALIVE_SECONDS,
    USER_AGENT,
    KeyAuth,
    connection_cut,
    describe,
    media_client,
    never_reached_server,
    read_answer,
)
from fttui.clock import SYSTEM_CLOCK, Clock, holding

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 10.0  # when a 429 names no wait at all
RECONCILE_WAITS = (0.0, 2.0, 5.0)  # the new generation may take a moment to be listed
RECONCILE_PAGE_CAP = 20  # pages of 100 looked through at most, before "still unconfirmed"

_M = TypeVar("_M", bound=BaseModel)
_R = TypeVar("_R", bound=BulkResult)


class _Made(Protocol):
    """What a creating POST answers: anything with the new item's id."""

    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_Made)
PLAYLISTS = "/v1/playlists"


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter: attempt n waits U(0, min(cap, base·2ⁿ))."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.cap, self.base * 2**attempt))


@dataclass(frozen=True)
class RetryNotice:
    """A GET failed and will be tried again after `wait` seconds."""

    path: str
    attempt: int
    """How many tries failed so far (1: the first)."""
    attempts: int
    """The most tries the policy makes before giving up."""
    error: FttuiError
    wait: float


RetryListener = Callable[[RetryNotice], None]


class FinetuningClient:
    """Talks to the API for one session. Use as `async with FinetuningClient(key) as c:`.

    `clock`, `limiter`, `journal` and `rng` are injectable for tests; by default the
    system clock, the process-wide limiter and the journal in `locations.journal_dir()`.
    """

    def __init__(
        self,
        key: ApiKey | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        journal: SubmissionJournal | None = None,
        timeout: float = 20.0,
        rng: random.Random | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        origin = require_safe_url(base_url, what="The API base URL")
        self.base_url = str(origin).rstrip("/")
        self._has_key = key is not None
        self._masked = key.masked if key is not None else None
        self._clock = clock or SYSTEM_CLOCK
        self._limiter = limiter or default_limiter(self._clock)
        self._journal = journal or SubmissionJournal()
        self._rng = rng or random.Random()
        self._retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=KeyAuth(key, origin),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,  # a redirect could carry the key to another origin
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=10,
                max_keepalive_connections=5,
                keepalive_expiry=KEEPALIVE_SECONDS,
            ),
            transport=transport,
        )
        self._create_lock = asyncio.Lock()
        self._submitting: set[str] = set()
        self._created_ids: set[str] = set()
        self._retry_listeners: list[RetryListener] = []

    def __repr__(self) -> str:
        return f"FinetuningClient(base_url={self.base_url!r}, key={self._masked!r})"

    async def __aenter__(self) -> FinetuningClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def rate(self) -> RateStatus:
        """The process's rate-limit state: limit, remaining, last minute, any 429 hold."""
        return self._limiter.status

    @contextmanager
    def retries_reported_to(self, listener: RetryListener) -> Iterator[None]:
        """Within the block, call `listener` each time a GET fails and is tried again
        (from the task that made the request; whatever it raises is logged, not raised)."""
        self._retry_listeners.append(listener)
        try:
            yield
        finally:
            self._retry_listeners.remove(listener)

    def _report_retry(self, notice: RetryNotice) -> None:
        for listener in list(self._retry_listeners):
            try:
                listener(notice)
            except Exception:
                log.exception("a retry listener failed")

    @staticmethod
    def media_client(**kwargs: Any) -> httpx.AsyncClient:
        """A key-less client for audio URLs (see `transport.media_client`)."""
        return media_client(**kwargs)

    # --- endpoints ----------------------------------------------------------------

    async def health(self) -> Health:
        """Whether the API is up (GET /health): needs no key, and the key is not sent."""
        try:
            with holding(self._clock):
                response = await self._http.get("/health", auth=None)
        except httpx.HTTPError as exc:
            raise TransportError(
                describe(exc), maybe_delivered=not never_reached_server(exc)
            ) from None
        try:
            data = response.json() if response.is_success else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            return self._model(Health, data)
        read_answer(response, self._clock.now())  # raises the server's error, if any
        raise TransportError(
            f"The health check's answer could not be read (HTTP {response.status_code}).",
            status=response.status_code,
        )

    async def me(self) -> Account:
        """The account and its credits (GET /v1/me)."""
        data = await self._get("/v1/me")
        return self._model(Account, data)

    async def list_generations(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        status: StatusFilter | None = None,
        type: TypeFilter | None = None,
        priority: Priority = Priority.USER,
    ) -> GenerationPage:
        """One page of generations, newest first, of one `type` (music or instrumental)
        if given. Bad arguments raise `RequestInvalid`."""
        query = ListQuery.build(limit=limit, offset=offset, status=status, type=type)
        data = await self._get("/v1/generations", params=query.to_params(), priority=priority)
        return self._model(GenerationPage, data)

    async def get_generation(
        self, generation_id: str, *, priority: Priority = Priority.USER
    ) -> Generation:
        """One generation with its details (GET /v1/generations/{id})."""
        data = await self._get(f"/v1/generations/{path_segment(generation_id)}", priority=priority)
        return self._model(Generation, data)

    async def create_generation(
        self, request: GenerationRequest, *, wait: bool = True
    ) -> CreatedGeneration:
        """Submit a generation (one credit). Journaled first; never sent twice.

        With `wait` (scripts), a spent POST budget is waited out and the request sent
        then; without it (an app with a countdown of its own) `GenerationRateLimited`
        is raised at once, with the seconds to wait, and nothing is sent.

        Raises the server's refusal (`ValidationFailed`, `MonthlyLimitReached`,
        `QueueFull`, `GenerationRateLimited`, ...), or `SubmissionUnconfirmed` when the
        answer was lost and the submission could not be found yet: it stays in the
        journal for `reconcile_pending()`, and must not be re-submitted meanwhile.
        """
        asked = request.to_json()
        # fttui always names the seed (random, as the server would pick): the echoed
        # seed then identifies this submission exactly if its answer is lost.
        body = {**asked, "seed": asked.get("seed", self._rng.randint(0, rec.SEED_TAG_MAX))}
        return await self._create(GENERATIONS, body, asked, _created_generation, wait=wait)

    async def create_instrumental(
        self, request: InstrumentalRequest, *, wait: bool = True
    ) -> CreatedGeneration:
        """Submit an instrumental (POST /v1/instrumental, one credit), as
        `create_generation` does: journaled first, never sent twice. It is read back
        through the generations (`type` "instrumental")."""
        asked = request.to_json()
        body = {**asked, "seed": asked.get("seed", self._rng.randint(0, rec.SEED_TAG_MAX))}
        return await self._create(INSTRUMENTAL, body, asked, _created_generation, wait=wait)

    async def create_sound_effect(self, request: SoundEffectRequest) -> SoundEffect:
        """Submit a sound effect (POST /v1/sound-effects; one of the day's 100),
        journaled first and never sent twice. `DailyLimitReached` when the day's are
        used up."""
        body = request.to_json()
        return await self._create(SOUND_EFFECTS, body, body, _sound_effect)

    async def list_sound_effects(
        self,
        *,
        limit: int = 20,
        offset: int = 0,
        status: StatusFilter | None = None,
        priority: Priority = Priority.USER,
    ) -> SoundEffectPage:
        """One page of sound effects, newest first. Bad arguments raise `RequestInvalid`."""
        query = ListQuery.build(limit=limit, offset=offset, status=status)
        data = await self._get(SOUND_EFFECTS, params=query.to_params(), priority=priority)
        return self._model(SoundEffectPage, data)

    async def get_sound_effect(
        self, effect_id: str, *, priority: Priority = Priority.USER
    ) -> SoundEffect:
        """One sound effect (GET /v1/sound-effects/{id})."""
        data = await self._get(f"{SOUND_EFFECTS}/{path_segment(effect_id)}", priority=priority)
        return self._model(SoundEffect, data)

    async def delete_generations(self, ids: Iterable[str]) -> DeleteResult:
        """Delete generations for good (also from every playlist), 100 a request; the
        per-item results merged (an unknown id is an item's error, not an exception).
        Raises only when no request got an answer: the first one's failure."""
        return await self._bulk(f"{GENERATIONS}/bulk-delete", "ids", ids, DeleteResult)

    async def list_playlists(self, *, priority: Priority = Priority.USER) -> list[PlaylistSummary]:
        """Every playlist of the account (GET /v1/playlists; no paging)."""
        data = await self._get(PLAYLISTS, priority=priority)
        return self._model(PlaylistList, data).playlists

    async def get_playlist(
        self, playlist_id: str, *, priority: Priority = Priority.USER
    ) -> Playlist:
        """One playlist with its tracks (yours, or another user's public one)."""
        data = await self._get(f"{PLAYLISTS}/{path_segment(playlist_id)}", priority=priority)
        return self._model(Playlist, data)

    async def add_to_playlist(self, playlist_id: str, track_ids: Iterable[str]) -> AddResult:
        """Add tracks, 100 a request, merged; each one not added is in `errors` with its
        reason (also when none was: the server's ADD_FAILED)."""
        path = f"{PLAYLISTS}/{path_segment(playlist_id)}/tracks"
        return await self._bulk(path, "trackIds", track_ids, AddResult)

    async def remove_from_playlist(
        self, playlist_id: str, track_ids: Iterable[str]
    ) -> RemoveResult:
        """Take tracks out of a playlist, 100 a request, merged (the server answers 200
        whatever happened: look at `errors`)."""
        path = f"{PLAYLISTS}/{path_segment(playlist_id)}/tracks/bulk-remove"
        return await self._bulk(path, "trackIds", track_ids, RemoveResult)

    async def move_tracks(
        self, playlist_id: str, track_ids: Iterable[str], target_id: str
    ) -> MoveResult:
        """Move tracks to playlist `target_id`, 100 a request, merged; each one not moved
        is in `errors` with its reason (also when none was: the server's MOVE_FAILED)."""
        if target_id == playlist_id:
            raise RequestInvalid({"targetPlaylistId": "choose another playlist to move to"})
        path = f"{PLAYLISTS}/{path_segment(playlist_id)}/tracks/move"
        extra = {"targetPlaylistId": target_id}
        return await self._bulk(path, "trackIds", track_ids, MoveResult, extra)

    async def _create(
        self,
        endpoint: str,
        body: dict[str, Any],
        asked: dict[str, Any],
        read: Callable[[Any], _T],
        *,
        wait: bool = True,
    ) -> _T:
        """Journal, send and settle one creating POST; `read` makes the answer (or the
        item found by a reconcile) the caller's model. `wait`: see `create_generation`."""
        budgeted = endpoint != SOUND_EFFECTS  # sound effects have a daily cap instead
        async with self._create_lock:
            held = self._limiter.create_wait() if budgeted and not wait else 0.0
            if held > 0:
                raise GenerationRateLimited(
                    "This minute's 10 generations are used; nothing was sent.",
                    status=429,
                    retry_after=max(1, math.ceil(held)),
                )
            entry = self._journal.record(body, self._clock.now(), asked=asked, endpoint=endpoint)
            self._submitting.add(entry.id)
            try:
                created = read(await self._submit(entry, wait=wait))
            finally:
                # Kept on disk unless settled (ctrl+c, a lost answer); its lock is let go
                # so that the next reconcile, here or in another process, may settle it.
                self._submitting.discard(entry.id)
                self._journal.release(entry.id)
        self._created_ids.add(created.id)
        return created

    def has_open_submissions(self) -> bool:
        """Whether the journal holds a submission whose outcome is unknown (a quick look
        on disk, for blocking a new submit until `reconcile_pending()` has run)."""
        return any(e.id not in self._submitting for e in self._journal.pending())

    async def reconcile_pending(self) -> list[ReconcileResult]:
        """Settle the journal's leftovers (a crash, a lost answer): found, not created,
        or still unconfirmed. Nothing is ever re-sent.

        An entry another live process is still sending (or settling) is left to it and
        not reported. An entry dated in the future (a clock that was wrong) is dated now,
        so it settles like any other rather than blocking until that time.
        """
        entries: list[JournalEntry] = []
        try:
            now = self._clock.now()
            for pending in self._journal.pending():
                if pending.id in self._submitting:
                    continue
                entry = self._journal.claim(pending.id)
                if entry is None:
                    continue  # another process's, in flight
                if entry.sent_at > now + rec.CLOCK_SKEW:
                    entry = self._journal.redate(entry, now)
                entries.append(entry)
            if not entries:
                return []
            return await self._settle_entries(entries)
        finally:
            for entry in entries:
                self._journal.release(entry.id)

    async def _settle_entries(self, entries: list[JournalEntry]) -> list[ReconcileResult]:
        # Each endpoint's submissions are looked for in their own store.
        results: list[ReconcileResult] = []
        by_endpoint: dict[str, list[JournalEntry]] = {}
        for entry in entries:
            by_endpoint.setdefault(entry.endpoint, []).append(entry)
        for endpoint, group in by_endpoint.items():
            results.extend(await self._settle_group(endpoint, group))
        order = {entry.id: n for n, entry in enumerate(entries)}
        return sorted(results, key=lambda r: order[r.journal_id])

    async def _settle_group(
        self, endpoint: str, entries: list[JournalEntry]
    ) -> list[ReconcileResult]:
        try:
            since = min(e.sent_at for e in entries)
            generations, complete = await self._newest_since(since, endpoint)
        except AuthError:
            raise
        except FttuiError as exc:
            return [self._result(e, rec.ReconcileOutcome.UNCONFIRMED, reason=exc.message)
                    for e in entries]  # fmt: skip
        found = rec.pick(entries, generations, set(self._created_ids))
        results: list[ReconcileResult] = []
        now = self._clock.now()
        for entry in entries:
            generation = found.get(entry.id)
            if generation is not None:
                self._journal.remove(entry.id)
                self._created_ids.add(generation.id)
                results.append(self._result(entry, rec.ReconcileOutcome.FOUND, generation))
            elif complete and now - entry.sent_at > rec.SETTLE_AFTER:
                self._journal.remove(entry.id)
                results.append(self._result(entry, rec.ReconcileOutcome.NOT_CREATED))
            else:
                # Too recent to rule out, or older than the pages looked through.
                results.append(self._result(entry, rec.ReconcileOutcome.UNCONFIRMED))
        return results

    # --- submitting ---------------------------------------------------------------

    async def _submit(
        self, entry: JournalEntry, *, wait: bool = True
    ) -> CreatedGeneration | SoundEffect:
        """Send a journaled POST; the answer, or the item a reconcile found for it."""
        attempt = 0
        # Sound effects have their own daily cap, not the 10-a-minute POST budget.
        creates = entry.endpoint != SOUND_EFFECTS
        while True:
            try:
                data = await self._once("POST", entry.endpoint, json=entry.body, create=creates)
                created = _read_created(entry.endpoint, data)
            except (TransportError, ValidationError) as exc:
                if isinstance(exc, TransportError) and not exc.maybe_delivered:
                    attempt += 1
                    if attempt < self._retry.attempts:  # never reached: safe to send again
                        await self._clock.sleep(self._retry.delay(attempt, self._rng))
                        continue
                    self._journal.remove(entry.id)
                    raise
                reason = exc.message if isinstance(exc, TransportError) else "unreadable answer"
                return await self._settle(entry, reason, None)
            except RateLimited as exc:
                # A refusal: nothing was created. The limiter now holds until Retry-After.
                attempt += 1
                waited_out = wait or not isinstance(exc, GenerationRateLimited)
                if waited_out and attempt < self._retry.attempts:
                    await self._clock.sleep(self._retry.delay(0, self._rng))
                    continue
                self._journal.remove(entry.id)
                raise
            except ServerError as exc:
                return await self._settle(entry, exc.message, exc)
            except ApiError:
                self._journal.remove(entry.id)  # refused: nothing created, nothing charged
                raise
            self._journal.remove(entry.id)
            return created

    async def _settle(
        self, entry: JournalEntry, reason: str, server_error: ServerError | None
    ) -> CreatedGeneration | SoundEffect:
        """The answer was lost or was a 500: look for the submission before anything else."""
        entry = self._journal.mark_unconfirmed(entry, reason)
        log.warning("submission %s: outcome unknown (%s); reconciling", entry.id, reason)
        looked = False
        for wait in RECONCILE_WAITS:
            await self._clock.sleep(wait)
            try:
                generations, complete = await self._newest_since(entry.sent_at, entry.endpoint)
            except AuthError:
                raise
            except FttuiError:
                continue
            looked = looked or complete
            found = rec.pick([entry], generations, set(self._created_ids))
            if entry.id in found:
                self._journal.remove(entry.id)
                item = found[entry.id]
                log.info("submission %s: found as %s", entry.id, item.id)
                if isinstance(item, SoundEffect):
                    return item
                return CreatedGeneration.from_generation(item)
        if looked and server_error is not None:
            # The server answered that it failed, and it is not listed: not created.
            self._journal.remove(entry.id)
            raise server_error
        raise SubmissionUnconfirmed(
            "The server did not confirm the submission and it is not listed yet. It is "
            "kept and will be checked again; do not submit it again meanwhile.",
            journal_id=entry.id,
        )

    async def _newest_since(
        self, since: datetime, endpoint: str = GENERATIONS
    ) -> tuple[list[rec.Created], bool]:
        """Newest-first items of `endpoint`'s store back to before `since` (less the clock
        skew), and whether they do reach that far (False: the page cap was hit first)."""
        found: list[rec.Created] = []
        seen: set[str] = set()
        kind: TypeFilter | None = "instrumental" if endpoint == INSTRUMENTAL else None
        for page_number in range(RECONCILE_PAGE_CAP):
            offset = page_number * rec.PAGE_SIZE
            items: list[rec.Created]
            if endpoint == SOUND_EFFECTS:
                query = ListQuery(limit=rec.PAGE_SIZE, offset=offset)
                data = await self._get(SOUND_EFFECTS, params=query.to_params())
                effects = self._model(SoundEffectPage, data)
                items, has_more = list(effects.sound_effects), effects.has_more
            else:
                query = ListQuery(limit=rec.PAGE_SIZE, offset=offset, type=kind)
                data = await self._get(GENERATIONS, params=query.to_params())
                page = self._model(GenerationPage, data)
                items, has_more = list(page.generations), page.has_more
            # New items push older ones onto the next page: each is kept once.
            found.extend(g for g in items if g.id not in seen)
            seen.update(g.id for g in items)
            if not has_more or rec.reaches_back_to(items, since):
                return found, True
        return found, False

    def _result(
        self,
        entry: JournalEntry,
        outcome: rec.ReconcileOutcome,
        item: rec.Created | None = None,
        reason: str | None = None,
    ) -> ReconcileResult:
        return rec.ReconcileResult(
            journal_id=entry.id,
            outcome=outcome,
            body=entry.body,
            sent_at=entry.sent_at,
            generation=item if isinstance(item, Generation) else None,
            reason=reason or entry.reason,
            asked=entry.request_as_asked,
            endpoint=entry.endpoint,
            sound_effect=item if isinstance(item, SoundEffect) else None,
        )

    # --- bulk requests --------------------------------------------------------------

    async def _bulk(
        self,
        path: str,
        name: str,
        ids: Iterable[str],
        result: type[_R],
        extra: dict[str, str] | None = None,
    ) -> _R:
        """Send `ids` in requests of 100 and merge their results. A chunk refused whole
        (ADD_FAILED, say: no item could be done) gives each item's reason; a chunk that
        failed otherwise (a lost answer) gives each item that failure, unless no chunk
        got an answer at all: then that failure is raised."""
        parts: list[_R] = []
        refused: list[ItemError] = []
        failures: list[FttuiError] = []
        answer_lost = False
        every_chunk = chunks(ids, name=name)
        for chunk in every_chunk:
            body = {name: chunk, **(extra or {})}
            try:
                try:
                    data = await self._post(path, body)
                except TransportError as exc:
                    if not (exc.cut and exc.maybe_delivered):
                        raise
                    # Most often a pooled connection the server closed as the request
                    # went out. A bulk change is safe to repeat: done again, it changes
                    # nothing more (the repeat calls "already in playlist" what the
                    # first try may have added, which the result then says).
                    log.info("POST %s: connection cut with no answer; sent once more", path)
                    answer_lost = True
                    data = await self._post(path, body)
                parts.append(self._model(result, data))
            except AuthError:
                raise
            except BulkFailed as exc:
                reasons = dict(exc.item_errors)
                refused.extend(ItemError(id=i, error=reasons.get(i, exc.message)) for i in chunk)
            except FttuiError as exc:
                failures.append(exc)
                refused.extend(ItemError(id=i, error=exc.message) for i in chunk)
        if len(failures) == len(every_chunk):
            raise failures[0]  # no answer at all: the request failed, not its items
        return result.merge(parts, refused, answer_lost=answer_lost)

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        """One POST that creates nothing: re-sent only when it never reached the server
        or was refused by a rate limit (a cut connection is the caller's to judge)."""
        attempt = 0
        while True:
            try:
                return await self._once("POST", path, json=body)
            except TransportError as exc:
                if exc.maybe_delivered:
                    raise
                failure: FttuiError = exc
            except RateLimited as exc:
                failure = exc  # a refusal: the limiter holds until Retry-After
            attempt += 1
            if attempt >= self._retry.attempts:
                raise failure
            await self._clock.sleep(self._retry.delay(attempt, self._rng))

    # --- one request, and GET retries ----------------------------------------------

    async def _get(
        self, path: str, *, params: dict[str, str] | None = None, priority: Priority = Priority.USER
    ) -> Any:
        attempt = 0
        cut_once = False
        while True:
            try:
                return await self._once("GET", path, params=params, priority=priority)
            except (TransportError, ServerError, RateLimited) as exc:
                if isinstance(exc, TransportError) and exc.cut and not cut_once:
                    # Most often a pooled connection the server closed as the request
                    # went out: asked again at once on a fresh one, and not news.
                    cut_once = True
                    log.info("GET %s: connection cut with no answer; asked again", path)
                    continue
                attempt += 1
                if attempt >= self._retry.attempts:
                    raise
                wait = self._retry.delay(attempt, self._rng)
                if isinstance(exc, ServerError) and exc.retry_after:
                    wait = max(wait, exc.retry_after)
                log.info("GET %s failed (%s); retry %d in %.1fs", path, exc.message, attempt, wait)
                self._report_retry(RetryNotice(path, attempt, self._retry.attempts, exc, wait))
                await self._clock.sleep(wait)

    async def _once(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        priority: Priority = Priority.USER,
        create: bool = False,
    ) -> Any:
        """Send one request and read its answer; every failure is an `FttuiError`."""
        await self._limiter.acquire(priority, create=create)
        try:
            with holding(self._clock):
                response = await self._http.request(method, path, params=params, json=json)
        except httpx.HTTPError as exc:
            raise TransportError(
                describe(exc),
                maybe_delivered=not never_reached_server(exc),
                cut=connection_cut(exc),
            ) from None
        except (OSError, ValueError, RuntimeError) as exc:
            # Whatever else the HTTP stack throws: reported plainly, its frames (which
            # hold the request headers) left out of any traceback.
            log.warning("%s %s: unexpected %s", method, path, type(exc).__name__)
            raise TransportError(redact(f"Network error ({type(exc).__name__}).")) from None
        info_limit = response.headers.get("X-RateLimit-Limit")
        try:
            return read_answer(response, self._clock.now())
        except RateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
            remaining = exc.rate_limit.remaining if exc.rate_limit else None
            if isinstance(exc, GenerationRateLimited) or (create and remaining):
                # The POST budget (10/min), not the 60: only creating requests wait.
                self._limiter.hold_creates(wait)
            else:
                self._limiter.block(wait)
            raise
        finally:
            rate = response.headers.get("X-RateLimit-Remaining")
            self._limiter.observe(_int(info_limit), _int(rate))

    @staticmethod
    def _model(cls: type[_M], data: Any) -> _M:
        try:
            return cls.model_validate(data)
        except ValidationError:
            raise TransportError("The server's answer did not have the expected shape.") from None


def _read_created(endpoint: str, data: Any) -> CreatedGeneration | SoundEffect:
    """A creating POST's answer as its model (ValidationError when unreadable)."""
    if endpoint == SOUND_EFFECTS:
        return SoundEffect.model_validate(data)
    return CreatedGeneration.model_validate(data)


def _created_generation(item: CreatedGeneration | SoundEffect) -> CreatedGeneration:
    assert isinstance(item, CreatedGeneration)
    return item


def _sound_effect(item: CreatedGeneration | SoundEffect) -> SoundEffect:
    assert isinstance(item, SoundEffect)
    return item


def path_segment(value: str) -> str:
    """An id escaped as one path segment ("." and ".." included), whatever it holds."""
    if not value:
        raise ValueError("an empty generation id")
    escaped = quote(value, safe="")
    return escaped.replace(".", "%2E") if escaped.strip(".") == "" else escaped


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


ReconcileResult = rec.ReconcileResult
ReconcileOutcome = rec.ReconcileOutcome
