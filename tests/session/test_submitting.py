"""Submitting through the session: once, reconciled, armed for a free slot; told as events.

The simulator and the client share a virtual clock: nothing waits in real time.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from fttui.api.errors import QueueFull, SubmissionUnconfirmed
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.session import events
from fttui.session.conditions import Conditions
from fttui.session.submitting import Submitting
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


async def test_queue_full_is_armed_then_sent_once_when_a_slot_frees(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    client = make_client()
    submitting, seen = recorder()
    depth = vsim.state.account(vsim.demo_key).queue_depth  # the capacity, which /me never says
    for n in range(depth + 1):  # nothing finishes: the virtual clock stands still
        await submitting.submit(client, track(n))
    assert isinstance(seen[-1], events.SubmitFailed) and isinstance(seen[-1].error, QueueFull)
    assert submitting.can_arm and submitting.take_armed() is None  # not armed yet
    assert submitting.arm()
    assert "queue" in submitting.conditions and not submitting.can_arm
    request = submitting.take_armed()
    assert request == track(depth)
    assert submitting.take_armed() is None  # once
    assert "queue" not in submitting.conditions


async def test_an_armed_submission_can_be_cancelled(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    client = make_client()
    submitting, _ = recorder()
    depth = vsim.state.account(vsim.demo_key).queue_depth  # the capacity, which /me never says
    for n in range(depth + 1):
        await submitting.submit(client, track(n))
    submitting.arm()
    submitting.cancel()
    assert submitting.take_armed() is None
    assert not submitting.can_arm and "queue" not in submitting.conditions


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
