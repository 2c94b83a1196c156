"""Sending the form, for the main screen: the session decides, this shows.

`fttui.session.submitting.Submitting` sends exactly once, reconciles lost answers and
arms "submit when a slot frees"; this adapter runs it in workers (kept quiet once the
app quits) and turns its events into widget updates and notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fttui.session import events
from fttui.session.submitting import Submitting
from fttui.session.text import clean
from fttui.tui.quitting import unless_quitting
from fttui.tui.widgets.generation_detail import failure_reason

if TYPE_CHECKING:
    # Annotations only (pydantic is loaded after the first frame).
    from fttui.api.models import Generation
    from fttui.session.submitting import AnyRequest
    from fttui.tui.screens.main import MainScreen


WAIT_UNKNOWN = 30.0
"""Seconds to wait when a refusal did not say how long (no Retry-After)."""


class Submitter:
    """Runs submissions for the main screen and announces generations that finish."""

    def __init__(self, screen: MainScreen) -> None:
        self._screen = screen
        self.session = Submitting(screen.conditions, self._on_event)
        self._lyrics: str | None = None  # of the submission under way (one at a time)

    def submit(self, request: AnyRequest) -> None:
        """Send `request` in a worker (one at a time)."""
        # The API echoes no lyrics: kept from the request, they are cached with the answer.
        self._lyrics = getattr(request, "lyrics", None)
        self._screen.run_worker(
            unless_quitting(self._screen, self._send(request)), group="submit", exclusive=False
        )

    async def _send(self, request: AnyRequest) -> None:
        screen = self._screen
        session = screen.session
        if session is None:
            screen.form.busy = False
            screen.notify("Not connected: enter an API key first (ctrl+k).", severity="error")
            return
        try:
            await self.session.submit(session.client, request)
        finally:
            screen.form.busy = False
            screen.refresh_bindings()
            screen.rate_seen()

    def _on_event(self, event: events.Event) -> None:
        screen = self._screen
        if isinstance(event, events.ConditionsChanged):
            screen.banner.changed()
            screen.update_blocked()
        elif isinstance(event, events.Submitted):
            from fttui.store.database import with_lyrics

            screen.accepted(with_lyrics(event.generation, self._lyrics), event.credits_remaining)
            # In the line by the button, not a toast: only an end (done, failed) is one.
            screen.form.say("Submitted: follow it at the top of the list.")
        elif isinstance(event, events.SoundEffectSubmitted):
            effect = event.effect
            screen.form.after_submitted()
            screen.save_draft()
            left = effect.daily_remaining
            today = f" ({left} left today)" if left is not None else ""
            screen.form.say(
                f"Sound effect queued{today}. Save it with: fttui sfx download {effect.id}"
            )
        elif isinstance(event, events.SubmitRefused):
            screen.form.show_server_errors(dict(event.field_errors), general=event.message)
            screen.form.say("Not sent: the server refused some fields, marked above.", problem=True)
        elif isinstance(event, events.SubmitFailed):
            screen.form.say("Not sent: see the reason at the top.", problem=True)
            screen.show_problem(event.error)
            self._wait_at_the_button(event.error)
            screen.refresh_bindings()
        elif isinstance(event, events.FoundAfterAll):
            # Found in the background: the user's cursor stays where it is.
            screen.accepted(event.generation, None, select=False)
            screen.notify("A submission whose answer was lost was created after all.")
        elif isinstance(event, events.NotCreated):
            screen.notify(
                "A submission whose answer was lost was not created (no credit used). "
                "Press ctrl+s to send it again.",
                severity="warning",
                timeout=15,
            )

    def _wait_at_the_button(self, error: BaseException) -> None:
        """A refusal that only a wait cures counts down by the submit button, which
        offers to send by itself when it ends (the one place that can send again)."""
        from fttui.api import errors

        if isinstance(error, errors.QueueFull):
            reason = "Queue full."
        elif isinstance(error, errors.GenerationRateLimited):
            reason = "10 generations a minute reached."
        else:
            return
        self._screen.form.wait_until(error.retry_after or WAIT_UNKNOWN, reason)

    def reconcile_at_start(self) -> None:
        """A new session: submitting stays off while what a crashed or interrupted run
        left in the journal is settled."""
        session = self._screen.session
        if session is None or session.key is None:
            return
        if self.session.needs_reconcile(session.client):
            self.reconcile()

    def reconcile(self) -> None:
        """Settle submissions whose answer was lost (never re-sending them)."""
        self._screen.run_worker(
            unless_quitting(self._screen, self._reconcile()), group="reconcile", exclusive=True
        )

    async def _reconcile(self) -> None:
        session = self._screen.session
        if session is not None:
            await self.session.reconcile(session.client)

    def slot_may_be_free(self) -> None:
        """A generation finished: a wait for a queue slot is over (the form then sends,
        once, if the user armed it)."""
        screen = self._screen
        if screen.conditions.clear("queue"):
            screen.banner.changed()
        if screen.form.waiting and screen.form.wait_reason == "Queue full.":
            screen.form.wait_until(0, "")

    def finished(self, generation: Generation) -> bool:
        """Announce a generation that completed or failed; True when the account changed."""
        app = self._screen.app
        settings = getattr(app, "settings", None)
        title = clean(generation.display_title)
        if settings is None or settings.notify:
            if generation.status.lower() == "failed":
                reason = clean(failure_reason(generation.error_message))
                self._screen.notify(
                    f"{title}: {reason}.", title="Generation failed", severity="error", markup=False
                )
            else:
                self._screen.notify(title, title="Generation completed", markup=False)
        if settings is None or settings.bell:
            app.bell()
        self.slot_may_be_free()
        return True
