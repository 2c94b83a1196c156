"""Live work: what the watcher reports, shown in every pane that shows it.

Not a widget: the main screen owns one and calls it from its message handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fttui.api import errors
from fttui.api.errors import FttuiError
from fttui.tui.messages import GenerationGone, GenerationUpdated
from fttui.tui.screens.detail import DetailScreen

if TYPE_CHECKING:
    # Annotations only (pydantic is loaded after the first frame).
    from fttui.api.models import Generation
    from fttui.api.watcher import WatchTimeout
    from fttui.tui.screens.main import MainScreen
    from fttui.tui.submitting import Submitter


def remix_fields(generation: Generation) -> dict[str, Any]:
    """The form fields that would make `generation` again (its seed included)."""
    params = generation.parameters
    key, scale = params.key_and_scale
    return {
        "tags": params.tags or generation.prompt or "",
        "lyrics": params.lyrics or "",
        "duration": params.duration,
        "bpm": params.bpm,
        "language": params.language,
        "key": key,
        "scale": scale,
        "timesignature": params.timesignature,
        "seed": params.seed,
    }


class LiveUpdates:
    """Follows generations through the watcher and applies what it reports."""

    def __init__(self, screen: MainScreen, submitter: Submitter) -> None:
        self._screen = screen
        self._submitter = submitter
        self._watching: set[str] = set()

    def follow(self, generation: Generation | str) -> None:
        """Watch a generation until it is final."""
        session = self._screen.session
        if session is not None:
            session.watcher.watch(generation)
            self._watching.add(generation if isinstance(generation, str) else generation.id)

    def watcher_update(self, generation: Generation) -> None:
        """The watcher's callback: runs in its task, so only post a message."""
        self._screen.post_message(GenerationUpdated(generation))

    def updated(self, generation: Generation) -> None:
        """A newer copy of `generation`: cache it, redraw its row and detail, announce."""
        screen = self._screen
        session = screen.session
        previous = None
        if session is not None:
            previous = session.remember(generation)
            # The cached copy: it has what only the cache keeps (the submitted lyrics).
            generation = session.cached(generation.id) or generation
        screen.listing.update(generation)
        shown = screen.detail.generation
        if shown is not None and shown.id == generation.id:
            screen.detail.show(generation)
        for other in screen.app.screen_stack:
            if isinstance(other, DetailScreen):
                other.show(generation)
        screen.count_running()
        screen.rate_seen()
        if generation.is_final:
            self._watching.discard(generation.id)
        # Announce a change of state only: a detail fetch of an old track rings no bell.
        if generation.is_final and previous is not None and previous.in_progress:
            self._submitter.finished(generation)
            screen.refresh_account_soon()

    def gone(self, generation_id: str) -> None:
        """The server no longer has it: drop it everywhere, and say so."""
        screen = self._screen
        if screen.session is not None:
            screen.session.forget(generation_id)
        self._watching.discard(generation_id)
        screen.listing.drop(generation_id)
        screen.count_running()
        screen.notify(
            f"Generation {generation_id} no longer exists on the server; removed from the list.",
            title="Not found",
            severity="warning",
            markup=False,
        )

    def watcher_gone(self, generation_id: str) -> None:
        """The watcher's callback for a generation that vanished (the session has dropped
        it from the cache already): runs in its task, so only post a message."""
        self._screen.post_message(GenerationGone(generation_id))

    def watcher_stalled(self, verdict: WatchTimeout) -> None:
        """The watcher's callback for a generation in progress for 5 minutes."""
        self._screen.call_later(self._stalled, verdict)

    def _stalled(self, verdict: WatchTimeout) -> None:
        """Say it once; the list and the detail show it stalled, with the advice."""
        from fttui.session.following import STALLED_NOTE

        screen = self._screen
        screen.listing.refresh_progress()
        screen.detail.refresh_progress()
        screen.notify(
            STALLED_NOTE.format(id=verdict.generation_id),
            title="Stalled",
            severity="warning",
            markup=False,
        )

    def watcher_error(self, exc: FttuiError) -> None:
        """The watcher's error callback: a vanished generation, or a key gone bad."""
        self._screen.call_later(self._watcher_failed, exc)

    def _watcher_failed(self, exc: FttuiError) -> None:
        session = self._screen.session
        if session is None:
            return
        if isinstance(exc, errors.NotFound):
            # The watcher stopped following whatever vanished: that is the gone one.
            gone = self._watching - session.watcher.in_flight
            self._watching -= gone
            for generation_id in gone:
                self._screen.post_message(GenerationGone(generation_id, exc.message))
        else:
            self._screen.show_problem(exc)

    def watcher_gave_up(self, verdict: WatchTimeout) -> None:
        """The watcher stopped following a generation stuck in progress."""
        self._watching.discard(verdict.generation_id)
        self._screen.notify(
            f"Generation {verdict.generation_id} is still in progress after "
            f"{verdict.waited / 60:.0f} min; no longer watched (ctrl+r checks again).",
            title="Still running",
            severity="warning",
            markup=False,
        )
