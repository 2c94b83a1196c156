"""Following generations to their end, the same way in the app and in the CLI (no Textual).

One place builds the watcher (with the finish predictor learned from the cache), says
how far along a generation in progress is ("processing 0:42", "~0:20 left", stalled
after 5 minutes with the vendor's advice), and follows one generation to its end for
`fttui generate --wait`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

from fttui.api.timing import STALLED_AFTER, FinishPredictor

if TYPE_CHECKING:
    from fttui.api.client import FinetuningClient
    from fttui.api.errors import FttuiError
    from fttui.api.models import CreatedGeneration, Generation
    from fttui.api.watcher import GenerationSource, Watcher, WatchTimeout
    from fttui.clock import Clock
    from fttui.store import GenerationStore

STALLED_ADVICE = (
    "In processing for more than 5 minutes, it may have failed silently: "
    "fttui still checks it every 30 s; contact finetuning.ai support if it stays so."
)
"""The vendor's documented advice for a generation stuck in processing (CONTRACT v1.2)."""
STALLED_NOTE = "Generation {id} is still processing after 5 minutes; it may have failed silently."


def _clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class Progress:
    """How far along a generation in progress is, as a person reads it."""

    status: str
    elapsed: float
    """Seconds since the server created it."""
    left: float | None
    """Seconds the predictor still expects, or None (no history, or already late)."""
    stalled: bool

    @property
    def short(self) -> str:
        """For the list's status cell: "processing 0:42", "stalled 5:12"."""
        word = "stalled" if self.stalled else self.status
        return f"{word} {_clock_text(self.elapsed)}"

    @property
    def long(self) -> str:
        """For the detail and the CLI's progress line: "processing 0:42 · ~0:20 left"."""
        if self.left is None or self.stalled:
            return self.short
        return f"{self.short} · ~{_clock_text(self.left + 0.999)} left"


class Timed(Protocol):
    """What `progress_of` reads: a `Generation`, or a cached row drawn before the models load."""

    @property
    def status(self) -> str: ...
    @property
    def in_progress(self) -> bool: ...
    @property
    def created_at(self) -> datetime | None: ...


def progress_of(
    generation: Timed, now: datetime, *, expected: float | None = None
) -> Progress | None:
    """`generation`'s progress at `now`; `expected`: seconds after `createdAt` it should
    end (the forecast's likeliest). None when it is not in progress or has no `createdAt`."""
    if not generation.in_progress or generation.created_at is None:
        return None
    elapsed = max(0.0, (now - generation.created_at).total_seconds())
    left = None if expected is None or expected - elapsed < 1.0 else expected - elapsed
    return Progress(generation.status.lower(), elapsed, left, elapsed >= STALLED_AFTER)


def learned_predictor(store: GenerationStore) -> FinishPredictor:
    """A predictor fed with the cache's finished generations (empty if unreadable)."""
    try:
        return FinishPredictor(store.generation_times())
    except Exception:  # a broken cache costs the forecast, never the start
        return FinishPredictor()


def cached_predictor() -> FinishPredictor:
    """The predictor from the local cache, for a command: the file is read, never made."""
    from fttui import locations

    if not locations.database_file().exists():
        return FinishPredictor()
    from fttui.store import GenerationStore

    try:
        store = GenerationStore(full_text=False)
    except Exception:
        return FinishPredictor()
    try:
        return learned_predictor(store)
    finally:
        store.close()


def expected_end(predictor: FinishPredictor | None, generation: Generation) -> float | None:
    """Seconds after `createdAt` the predictor expects `generation` to end, or None."""
    if predictor is None:
        return None
    forecast = predictor.predict(generation.length_seconds, generation.type)
    return None if forecast is None else forecast.likely


def make_watcher(
    client: GenerationSource,
    *,
    clock: Clock | None = None,
    predictor: FinishPredictor | None,
    on_update: Callable[[Generation], None] | None = None,
    on_error: Callable[[FttuiError], None] | None = None,
    on_gone: Callable[[str], None] | None = None,
    on_stalled: Callable[[WatchTimeout], None] | None = None,
    on_timeout: Callable[[WatchTimeout], None] | None = None,
    timeout: float | None = None,
) -> Watcher:
    """The watcher both front ends use: learned first looks, stalled after 5 minutes."""
    from fttui.api.watcher import Watcher

    return Watcher(
        client,
        clock=clock,
        predictor=predictor,
        on_update=on_update,
        on_error=on_error,
        on_gone=on_gone,
        on_stalled=on_stalled,
        on_timeout=on_timeout,
        timeout=timeout,
    )


PROGRESS_EVERY = 1.0
"""Seconds between two progress reports while following one generation."""


async def follow_until_final(
    client: FinetuningClient,
    created: CreatedGeneration,
    *,
    predictor: FinishPredictor | None = None,
    on_change: Callable[[Generation], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_stalled: Callable[[WatchTimeout], None] | None = None,
    timeout: float | None = None,
) -> Generation | None:
    """The generation once completed or failed; None when the watcher gave up on it.

    `on_progress` hears how far along it is about once a second while it runs (from
    the server's `createdAt`, and the predictor's forecast). An authentication error
    while following is raised (the key was revoked meanwhile); a generation the server
    no longer has raises its `NotFound`.
    """
    from fttui.api.watcher import TIMEOUT

    done: asyncio.Future[Generation | None] = asyncio.get_running_loop().create_future()
    latest = created.as_generation()

    def update(generation: Generation) -> None:
        nonlocal latest
        if generation.id != created.id:
            return
        latest = generation
        if generation.is_final and not done.done():
            done.set_result(generation)
        elif on_change is not None:
            on_change(generation)

    def gave_up(_: WatchTimeout) -> None:
        if not done.done():
            done.set_result(None)

    def failed(exc: FttuiError) -> None:
        if not done.done():
            done.set_exception(exc)

    watcher = make_watcher(
        client,
        predictor=predictor,
        on_update=update,
        on_timeout=gave_up,
        on_error=failed,
        on_stalled=on_stalled,
        timeout=TIMEOUT if timeout is None else timeout,
    )
    # Already final (a POST answering `completed`): the watcher reports it from here.
    watcher.watch(created.as_generation())
    runner = asyncio.create_task(watcher.run())
    ticker = None
    if on_progress is not None and not done.done():
        ticker = asyncio.create_task(
            _report_progress(client, predictor, lambda: latest, on_progress)
        )
    try:
        final = await done
    finally:
        for task in (runner, ticker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    return None if final is None else await _with_details(client, final)


async def _report_progress(
    client: FinetuningClient,
    predictor: FinishPredictor | None,
    latest: Callable[[], Generation],
    on_progress: Callable[[Progress], None],
) -> None:
    clock = client.clock
    while True:
        generation = latest()
        progress = progress_of(
            generation, clock.now(), expected=expected_end(predictor, generation)
        )
        if progress is not None:
            on_progress(progress)
        await clock.sleep(PROGRESS_EVERY)


async def _with_details(client: FinetuningClient, final: Generation) -> Generation:
    """The full generation when `final` lacks its audio or its reason for failing.

    A POST that answered a final status carries neither; one fetch completes it, and
    if that fails the status alone is still the answer.
    """
    from fttui.api.errors import AuthError, FttuiError

    status = final.status.lower()
    lacking = (status == "completed" and not final.audio_url) or (
        status == "failed" and final.error_message is None
    )
    if not lacking:
        return final
    try:
        return await client.get_generation(final.id)
    except AuthError:
        raise
    except FttuiError:
        return final


def utc_now() -> datetime:
    """The wall clock in UTC (widgets without a session clock)."""
    return datetime.now(timezone.utc)
