"""Sending the form: exactly once, and never again by accident.

The form refuses a second submit while one is in flight. An unknown outcome (a 500,
a cut connection, `SubmissionUnconfirmed`) is reconciled against the server's newest
generations before a retry is offered; a QUEUE_FULL answer can be armed to submit by
itself when a slot frees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fttui.api import errors
from fttui.tui.quitting import unless_quitting
from fttui.tui.text import clean
from fttui.tui.widgets.generation_detail import failure_reason

if TYPE_CHECKING:
    # Annotations only (pydantic is loaded after the first frame).
    from fttui.api.models import Generation, GenerationRequest
    from fttui.tui.screens.main import MainScreen

UNCONFIRMED_RECHECK = 30.0
"""Seconds between looks for a submission whose answer was lost."""


class Submitter:
    """Runs submissions for the main screen and announces generations that finish."""

    def __init__(self, screen: MainScreen) -> None:
        self._screen = screen
        self._offer: GenerationRequest | None = None  # refused with QUEUE_FULL
        self._armed = False
        self._mine: set[str] = set()

    @property
    def can_arm(self) -> bool:
        """A QUEUE_FULL refusal can be turned into "submit when a slot frees"."""
        return self._offer is not None and not self._armed

    def submit(self, request: GenerationRequest) -> None:
        """Send `request` in a worker (one at a time)."""
        self._screen.run_worker(
            unless_quitting(self._screen, self._send(request)), group="submit", exclusive=False
        )

    async def _send(self, request: GenerationRequest) -> None:
        screen = self._screen
        session = screen.session
        if session is None:
            screen.form.busy = False
            screen.notify("Not connected: enter an API key first (ctrl+k).", severity="error")
            return
        try:
            created = await session.client.create_generation(request)
        except errors.ValidationFailed as exc:
            screen.form.show_server_errors(exc.field_errors, general=clean(exc.message))
            screen.notify("The server refused some fields; see the form.", severity="error")
        except errors.QueueFull as exc:
            self._offer, self._armed = request, False
            screen.show_problem(exc)
            screen.refresh_bindings()
        except errors.SubmissionUnconfirmed as exc:
            screen.show_problem(exc)  # blocks submitting until the journal is settled
        except errors.ServerError as exc:
            # The client already looked for it among the newest: it was not created.
            screen.banner.set(
                "server",
                f"The server could not queue the generation ({clean(exc.message)}). Checked:"
                " it was not created and no credit was used. Press ctrl+s to try again.",
            )
        except Exception as exc:
            screen.show_problem(exc)
        else:
            self._mine.add(created.id)
            self._offer, self._armed = None, False
            for kind in ("queue", "server", "rate"):
                screen.banner.clear(kind)
            screen.accepted(created.as_generation(), created.credits_remaining)
            screen.notify(
                "Submitted: it will appear in the list as it progresses.", title="Generating"
            )
        finally:
            screen.form.busy = False
            screen.refresh_bindings()
            screen.rate_seen()

    def reconcile_at_start(self) -> None:
        """A new session: submitting stays off while what a crashed or interrupted run
        left in the journal is settled."""
        session = self._screen.session
        if session is None or session.key is None or not session.client.has_open_submissions():
            return
        self._screen.banner.set(
            "unconfirmed",
            "Checking a submission whose answer was lost before a new one can be sent…",
            severity="information",
        )
        self._screen.update_blocked()
        self.reconcile()

    def reconcile(self) -> None:
        """Settle submissions whose answer was lost (never re-sending them)."""
        self._screen.run_worker(
            unless_quitting(self._screen, self._reconcile()), group="reconcile", exclusive=True
        )

    async def _reconcile(self) -> None:
        screen = self._screen
        session = screen.session
        if session is None:
            return
        try:
            results = await session.client.reconcile_pending()
        except Exception as exc:
            screen.show_problem(exc)
            return
        from fttui.api.reconcile import ReconcileOutcome  # the client has it loaded by now

        waiting = False
        for result in results:
            if result.outcome is ReconcileOutcome.FOUND and result.generation is not None:
                self._mine.add(result.generation.id)
                # Found in the background: the user's cursor stays where it is.
                screen.accepted(result.generation, None, select=False)
                screen.notify("A submission whose answer was lost was created after all.")
            elif result.outcome is ReconcileOutcome.NOT_CREATED:
                screen.notify(
                    "A submission whose answer was lost was not created (no credit used). "
                    "Press ctrl+s to send it again.",
                    severity="warning",
                    timeout=15,
                )
            else:
                waiting = True
        if waiting:
            screen.banner.set(
                "unconfirmed",
                "A submission is still unconfirmed; checking again in {seconds} s "
                "(nothing is re-sent).",
                seconds=UNCONFIRMED_RECHECK,
            )
        else:
            screen.banner.clear("unconfirmed")
        screen.update_blocked()

    def arm(self) -> None:
        """Submit the refused request as soon as a slot frees."""
        if self._offer is None:
            return
        self._armed = True
        self._screen.banner.set(
            "queue",
            "Queue full: will submit by itself when a generation finishes.",
            severity="information",
        )
        self._screen.refresh_bindings()

    def slot_may_be_free(self) -> None:
        """A generation finished or the wait is over: send an armed request once."""
        if self._armed and self._offer is not None and not self._screen.form.busy:
            request, self._offer, self._armed = self._offer, None, False
            self._screen.banner.clear("queue")
            self._screen.form.busy = True
            self.submit(request)

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
