"""Sending a generation: exactly once, and never again by accident (no Textual).

An unknown outcome (a 500, a cut connection, `SubmissionUnconfirmed`) is reconciled
against the server's newest generations before a retry is offered; a QUEUE_FULL answer
can be armed to be sent by itself when a slot frees. The outcome of each step is told
as events (`fttui.session.events`) and as conditions (`Conditions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fttui.api import errors
from fttui.session import events
from fttui.session.conditions import Conditions
from fttui.session.text import clean

if TYPE_CHECKING:
    from fttui.api.client import FinetuningClient
    from fttui.api.instrumental import InstrumentalRequest
    from fttui.api.models import GenerationRequest
    from fttui.api.sound_effects import SoundEffectRequest

    AnyRequest = GenerationRequest | InstrumentalRequest | SoundEffectRequest

UNCONFIRMED_RECHECK = 30.0
"""Seconds between looks for a submission whose answer was lost."""


class Submitting:
    """Submissions and their reconciling for one front end."""

    def __init__(
        self, conditions: Conditions, emit: events.Listener, *, wait_for_budget: bool = False
    ) -> None:
        """`wait_for_budget`: a spent POST budget is waited out (a script) rather than
        refused at once with its countdown (an app, which offers to send then)."""
        self.conditions = conditions
        self._wait_for_budget = wait_for_budget
        self._emit = emit
        self._offer: AnyRequest | None = None  # refused with QUEUE_FULL
        self._armed = False

    @property
    def can_arm(self) -> bool:
        """A QUEUE_FULL refusal can be turned into "send when a slot frees"."""
        return self._offer is not None and not self._armed

    @property
    def armed(self) -> bool:
        return self._armed

    def _changed(self) -> None:
        self._emit(events.ConditionsChanged())

    async def submit(self, client: FinetuningClient, request: AnyRequest) -> None:
        """Send `request` once, to its kind's endpoint; the outcome is emitted."""
        try:
            accepted = await _create(client, request, wait=self._wait_for_budget)
        except errors.ValidationFailed as exc:
            self._emit(events.SubmitRefused(dict(exc.field_errors), clean(exc.message)))
        except errors.QueueFull as exc:
            self._offer, self._armed = request, False
            self._emit(events.SubmitFailed(exc))
        except errors.ServerError as exc:
            # The client already looked for it among the newest: it was not created.
            self.conditions.set(
                "server",
                f"The server could not queue the generation ({clean(exc.message)}). Checked:"
                " it was not created and no credit was used. Press ctrl+s to try again.",
            )
            self._changed()
        except Exception as exc:  # SubmissionUnconfirmed blocks until settled
            self._emit(events.SubmitFailed(exc))
        else:
            self._offer, self._armed = None, False
            for kind in ("queue", "server", "rate"):
                self.conditions.clear(kind)
            self._changed()
            self._emit(accepted)

    def needs_reconcile(self, client: FinetuningClient) -> bool:
        """The journal holds a submission whose outcome is unknown; submitting waits
        (a condition says so) until `reconcile` has settled it."""
        if not client.has_open_submissions():
            return False
        self.conditions.set(
            "unconfirmed",
            "Checking a submission whose answer was lost before a new one can be sent…",
            severity="information",
        )
        self._changed()
        return True

    async def reconcile(self, client: FinetuningClient) -> None:
        """Settle submissions whose answer was lost (never re-sending them)."""
        try:
            results = await client.reconcile_pending()
        except Exception as exc:
            self._emit(events.SubmitFailed(exc))
            return
        from fttui.api.reconcile import ReconcileOutcome  # the client has it loaded by now
        from fttui.store.database import with_lyrics

        waiting = False
        for result in results:
            if result.outcome is ReconcileOutcome.FOUND and result.generation is not None:
                # The API echoes no lyrics: the journal kept the ones sent.
                found = with_lyrics(result.generation, result.lyrics)
                self._emit(events.FoundAfterAll(found))
            elif result.outcome is ReconcileOutcome.NOT_CREATED:
                self._emit(events.NotCreated())
            else:
                waiting = True
        if waiting:
            self.conditions.set(
                "unconfirmed",
                "A submission is still unconfirmed; checking again in {seconds} s "
                "(nothing is re-sent).",
                seconds=UNCONFIRMED_RECHECK,
            )
        else:
            self.conditions.clear("unconfirmed")
        self._changed()
        self._emit(events.ReconcileSettled(waiting))

    def arm(self) -> bool:
        """Send the refused request by itself as soon as a slot frees; False: none to arm."""
        if self._offer is None:
            return False
        self._armed = True
        self.conditions.set(
            "queue",
            "Queue full: will submit by itself when a generation finishes.",
            severity="information",
        )
        self._changed()
        return True

    def cancel(self) -> None:
        """Forget an armed request."""
        self._offer, self._armed = None, False
        if self.conditions.clear("queue"):
            self._changed()

    def take_armed(self) -> AnyRequest | None:
        """A slot may be free: the armed request to send now (once), or None."""
        if not self._armed or self._offer is None:
            return None
        request, self._offer, self._armed = self._offer, None, False
        self.conditions.clear("queue")
        self._changed()
        return request


async def _create(
    client: FinetuningClient, request: AnyRequest, *, wait: bool
) -> events.Submitted | events.SoundEffectSubmitted:
    """Send `request` to its kind's endpoint (each journaled, none sent twice)."""
    # Loaded here, not at import: pydantic comes after the app's first frame.
    from fttui.api.instrumental import InstrumentalRequest
    from fttui.api.sound_effects import SoundEffectRequest

    if isinstance(request, SoundEffectRequest):
        return events.SoundEffectSubmitted(await client.create_sound_effect(request))
    if isinstance(request, InstrumentalRequest):
        created = await client.create_instrumental(request, wait=wait)
    else:
        created = await client.create_generation(request, wait=wait)
    return events.Submitted(created.as_generation(), created.credits_remaining)
