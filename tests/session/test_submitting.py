"""Submitting through the session: once, reconciled, the wait that cures a refusal; told as events.

The simulator and the client share a virtual clock: nothing waits in real time.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from fttui.api.errors import MonthlyLimitReached, QueueFull, SubmissionUnconfirmed
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.session import events
from fttui.session.conditions import Conditions
from fttui.session.submitting import QUEUE_FULL, Submitting
from fttui.sim.accounts import EXHAUSTED_KEY
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory
from tests.api.test_submit import LoseAnswers


def track(n: int = 0) -> GenerationRequest:
    return GenerationRequest.from_fields({"tags": f"session take {n}", "duration": 30})


def recorder() -> tuple[Submitting, list[events.Event]]:
    seen: list[events.Event] = []
    return Submitting(Conditions(), seen.append), seen


async def test_an_accepted_submission_is_sent_once_and_told_as_submitted(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    submitting, seen = recorder()
    await submitting.submit(make_client(), track())
    [submitted] = [e for e in seen if isinstance(e, events.Submitted)]
    assert submitted.generation.id == vsim.state.generations(vsim.demo_key)[0].id
    assert vsim.post_count() == 1


async def test_queue_full_is_told_with_the_wait_that_cures_it_and_a_finish_clears_it(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    client = make_client()
    submitting, seen = recorder()
    depth = vsim.state.account(vsim.demo_key).queue_depth  # the capacity, which /me never says
    for n in range(depth + 1):  # nothing finishes: the virtual clock stands still
        await submitting.submit(client, track(n))
    failed = seen[-1]
    assert isinstance(failed, events.SubmitFailed) and isinstance(failed.error, QueueFull)
    # The front end counts this down by its button and may send again when it ends.
    assert failed.wait is not None and failed.wait.reason == QUEUE_FULL
    assert failed.wait.seconds == failed.error.retry_after
    assert vsim.post_count() == depth + 1  # nothing re-sent by itself
    submitting.conditions.set("queue", "Queue full.")
    assert submitting.slot_may_be_free()  # a generation finished
    assert "queue" not in submitting.conditions
    assert not submitting.slot_may_be_free()  # nothing left to clear


async def test_a_refusal_no_wait_cures_carries_no_wait(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    submitting, seen = recorder()
    await submitting.submit(make_client(key=EXHAUSTED_KEY), track())
    failed = seen[-1]
    assert isinstance(failed, events.SubmitFailed) and failed.wait is None
    assert isinstance(failed.error, MonthlyLimitReached)


async def test_submitted_lyrics_are_kept_with_the_generation_the_api_echoes_without(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    submitting, seen = recorder()
    request = GenerationRequest.from_fields({"tags": "ballad", "lyrics": "la la la"})
    await submitting.submit(make_client(), request)
    [submitted] = [e for e in seen if isinstance(e, events.Submitted)]
    assert submitted.generation.parameters.lyrics == "la la la"


async def test_an_unconfirmed_submission_blocks_submit_until_reconciled_as_not_created(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    transport = LoseAnswers(lambda r: httpx.ReadTimeout("timed out", request=r), deliver=False)
    client = make_client(transport=transport)
    submitting, seen = recorder()
    await submitting.submit(client, track())
    failed = [e for e in seen if isinstance(e, events.SubmitFailed)]
    assert failed and isinstance(failed[0].error, SubmissionUnconfirmed)
    # A new session over the same journal: submitting waits for the reconcile.
    fresh, fresh_seen = recorder()
    assert fresh.needs_reconcile(client)
    assert fresh.conditions.submit_blocked_reason()
    clock.advance(timedelta(minutes=5).total_seconds())
    await fresh.reconcile(client)
    assert any(isinstance(e, events.NotCreated) for e in fresh_seen)
    assert fresh_seen[-1] == events.ReconcileSettled(waiting=False)
    assert fresh.conditions.submit_blocked_reason() == ""
    assert vsim.post_count() == 0


async def test_a_late_commit_stays_unconfirmed_then_is_found_after_all(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    from tests.api.conftest import CountingTransport

    transport = LoseAnswers(lambda r: httpx.ReadTimeout("timed out", request=r), deliver=False)
    client = make_client(transport=transport)
    submitting, seen = recorder()
    await submitting.submit(client, track())
    await submitting.reconcile(client)
    assert seen[-1] == events.ReconcileSettled(waiting=True)
    assert "{seconds}" in next(c for c in submitting.conditions).template
    await CountingTransport().handle_async_request(transport.held[0])  # it arrives late
    await submitting.reconcile(client)
    [found] = [e for e in seen if isinstance(e, events.FoundAfterAll)]
    assert found.generation.id == vsim.state.generations(vsim.demo_key)[0].id
    assert "unconfirmed" not in submitting.conditions
    assert vsim.post_count() == 1
