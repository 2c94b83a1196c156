"""Sending a generation: exactly once, and never again by accident (no Textual).

An unknown outcome (a 500, a cut connection, `SubmissionUnconfirmed`) is reconciled
against the server's newest generations before a retry is offered; a refusal that only
time cures (QUEUE_FULL, the POST budget spent) is told with its wait, which the front end
counts down and may send again after (the TUI's "send when possible", at the button).
The outcome of each step is told as events (`fttui.session.events`) and as conditions
(`Conditions`).
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

UNCONFIRMED_RECHECK = 30.0
"""Seconds between looks for a submission whose answer was lost."""
WAIT_UNKNOWN = 30.0
"""Seconds to wait when a refusal did not say how long (no Retry-After)."""
QUEUE_FULL = "Queue full."
POST_BUDGET_SPENT = "10 generations a minute reached."


def wait_that_cures(error: BaseException) -> events.Wait | None:
    """How long to wait before sending again, when only a wait cures `error`."""
    if isinstance(error, errors.QueueFull):
        reason = QUEUE_FULL
    elif isinstance(error, errors.GenerationRateLimited):
        reason = POST_BUDGET_SPENT
    else:
        return None
    return events.Wait(error.retry_after or WAIT_UNKNOWN, reason)


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

    def _changed(self) -> None:
        self._emit(events.ConditionsChanged())

    async def submit(self, client: FinetuningClient, request: AnyRequest) -> None:
        """Send `request` once, to its kind's endpoint; the outcome is emitted."""
        try:
            accepted = await _create(client, request, wait=self._wait_for_budget)
        except errors.ValidationFailed as exc:
            self._emit(events.SubmitRefused(dict(exc.field_errors), clean(exc.message)))
        except errors.QueueFull as exc:
            self._emit(events.SubmitFailed(exc, wait_that_cures(exc)))
            await _learn_capacity(client)
        except errors.ServerError as exc:
            # The client already looked for it among the newest: it was not created.
            self.conditions.set(
                "server",
                f"The server could not queue the generation ({clean(exc.message)}). Checked:"
                " it was not created and no credit was used. Press ctrl+s to try again.",
            )
            self._changed()
        except Exception as exc:  # SubmissionUnconfirmed blocks until settled
            self._emit(events.SubmitFailed(exc, wait_that_cures(exc)))
        else:
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

    def slot_may_be_free(self) -> bool:
        """A generation finished: a queue that was full may have room; True when that
        cleared a condition."""
        if self.conditions.clear("queue"):
            self._changed()
            return True
        return False


async def _learn_capacity(client: FinetuningClient) -> None:
    """The user's submit met a full queue: what is in it now is its size, kept so that
    batches of variations send that many at once (fttui never probes for it)."""
    from fttui.session.batch import learn_capacity

    try:
        await learn_capacity(client)
    except Exception:  # only costs a slower batch later
        log.debug("the queue's size could not be learned", exc_info=True)


async def _create(
    client: FinetuningClient, request: AnyRequest, *, wait: bool
) -> events.Submitted | events.SoundEffectSubmitted:
    """Send `request` to its kind's endpoint (each journaled, none sent twice)."""
    # Loaded here, not at import: pydantic comes after the app's first frame.
    from fttui.api.instrumental import InstrumentalRequest
    from fttui.api.sound_effects import SoundEffectRequest
    from fttui.store.database import with_lyrics

    if isinstance(request, SoundEffectRequest):
        return events.SoundEffectSubmitted(await client.create_sound_effect(request))
    if isinstance(request, InstrumentalRequest):
        created = await client.create_instrumental(request, wait=wait)
        return events.Submitted(created.as_generation(), created.credits_remaining)
    created = await client.create_generation(request, wait=wait)
    # The API echoes no lyrics: kept from the request, they are cached with the answer.
    generation = with_lyrics(created.as_generation(), request.lyrics)
    return events.Submitted(generation, created.credits_remaining)
