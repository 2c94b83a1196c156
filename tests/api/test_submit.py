"""A POST charges a credit: never sent twice, and a lost answer is always settled.

"Zero duplicates" is checked on the simulator's own records: how many POSTs arrived
and how many generations exist.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from fttui.api.client import FinetuningClient
from fttui.api.errors import SubmissionUnconfirmed
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey
from fttui.api.limiter import RateLimiter
from fttui.api.models import GenerationRequest
from fttui.api.reconcile import ReconcileOutcome
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport

ROOT = Path(__file__).resolve().parents[2]


def track(n: int = 0) -> GenerationRequest:
    return GenerationRequest.from_fields({"tags": f"lofi piano take {n}", "duration": 30})


class LoseAnswers(CountingTransport):
    """Forwards every request, but answers a POST with `fault` instead of the response."""

    def __init__(self, fault: Callable[[httpx.Request], Exception], *, deliver: bool = True):
        super().__init__()
        self.fault = fault
        self.deliver = deliver
        self.held: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return await super().handle_async_request(request)
        if self.deliver:
            await super().handle_async_request(request)
        else:
            await request.aread()
            self.held.append(request)  # the server will get it later, or never
        raise self.fault(request)


async def test_drop_after_commit_yields_no_duplicates(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path, clock: VirtualClock
) -> None:
    vsim.set_faults(drop_after_commit="rate:0.5")
    client = make_client()
    created = []
    for n in range(8):
        created.append(await client.create_generation(track(n)))
        clock.advance(10)  # let it finish: the queue holds five
    assert vsim.faults.drop_after_commit.fired >= 2  # the faults did happen
    assert vsim.post_count() == 8
    assert vsim.generation_count() == 8
    assert len({c.id for c in created}) == 8
    server_ids = {g.id for g in vsim.state.generations(vsim.demo_key)}
    assert {c.id for c in created} == server_ids
    assert SubmissionJournal(journal_dir).pending() == []


@pytest.mark.parametrize(
    "fault",
    [
        lambda r: httpx.ReadTimeout("timed out", request=r),
        lambda r: httpx.ReadError("connection reset by peer", request=r),
        lambda r: httpx.RemoteProtocolError("peer closed", request=r),
    ],
    ids=["timeout", "reset", "cut"],
)
async def test_an_answer_lost_after_sending_is_found_not_resent(
    make_client: ClientFactory, vsim: RunningSim, fault: Callable[[httpx.Request], Exception]
) -> None:
    transport = LoseAnswers(fault)
    created = await make_client(transport=transport).create_generation(track())
    assert vsim.post_count() == 1
    assert vsim.generation_count() == 1
    assert created.id == vsim.state.generations(vsim.demo_key)[0].id
    assert created.prompt == "lofi piano take 0"
    assert created.parameters.duration == 30
    # Listing the newest generations happened before anything else was sent.
    assert [m for m, _ in transport.requests] == ["POST", "GET"]


async def test_malformed_answer_to_a_post_is_reconciled(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    vsim.set_faults(malformed_json="next:1,only:POST")
    created = await make_client().create_generation(track())
    assert vsim.post_count() == 1
    assert vsim.generation_count() == 1
    assert created.id == vsim.state.generations(vsim.demo_key)[0].id


async def test_internal_error_on_post_is_reconciled_then_raised(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    from fttui.api.errors import InternalError

    vsim.set_faults(internal_error="next:1,only:POST")
    with pytest.raises(InternalError):
        await make_client().create_generation(track())
    assert vsim.post_count() == 1
    assert vsim.generation_count() == 0


async def test_a_late_commit_stays_unconfirmed_then_is_found(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    transport = LoseAnswers(lambda r: httpx.ReadTimeout("timed out", request=r), deliver=False)
    client = make_client(transport=transport)
    with pytest.raises(SubmissionUnconfirmed) as caught:
        await client.create_generation(track())
    assert "do not submit it again" in caught.value.message
    assert vsim.generation_count() == 0
    [pending] = await client.reconcile_pending()
    assert pending.outcome is ReconcileOutcome.UNCONFIRMED
    assert pending.journal_id == caught.value.journal_id
    # The server finally processes the request that timed out.
    await CountingTransport().handle_async_request(transport.held[0])
    [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.FOUND
    assert result.generation is not None
    assert result.generation.id == vsim.state.generations(vsim.demo_key)[0].id
    assert await client.reconcile_pending() == []
    assert vsim.post_count() == 1


async def test_a_submission_that_never_arrived_is_settled_as_not_created(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    transport = LoseAnswers(lambda r: httpx.ReadTimeout("timed out", request=r), deliver=False)
    client = make_client(transport=transport)
    with pytest.raises(SubmissionUnconfirmed):
        await client.create_generation(track())
    clock.advance(timedelta(minutes=5).total_seconds())
    [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.NOT_CREATED
    # Offered back for a deliberate re-submit, with the seed fttui picked for it.
    assert result.request is not None
    assert result.request.model_copy(update={"seed": None}) == track()
    assert vsim.post_count() == 0


async def test_a_crash_between_send_and_answer_is_reconciled_on_restart(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path, clock: VirtualClock
) -> None:
    committed = asyncio.Event()

    class HangAfterCommit(CountingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.method == "POST":
                committed.set()
                await asyncio.Event().wait()  # the answer never reaches the app
            return response

    doomed = make_client(transport=HangAfterCommit())
    submitting = asyncio.create_task(doomed.create_generation(track()))
    await committed.wait()
    submitting.cancel()  # the "crash": the client is dropped without its answer
    with pytest.raises(asyncio.CancelledError):
        await submitting
    assert len(SubmissionJournal(journal_dir).pending()) == 1

    restarted = make_client(limiter=RateLimiter(clock))
    [result] = await restarted.reconcile_pending()
    assert result.outcome is ReconcileOutcome.FOUND
    assert result.generation is not None
    assert result.generation.id == vsim.state.generations(vsim.demo_key)[0].id
    assert vsim.post_count() == 1
    assert vsim.generation_count() == 1
    assert SubmissionJournal(journal_dir).pending() == []


KILLED_CHILD = """
import asyncio, sys, httpx
from pathlib import Path
from fttui.api import FinetuningClient, ApiKey
from fttui.api.models import GenerationRequest

base_url, key, marker = sys.argv[1:4]

class HangAfterSend(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request):
        response = await super().handle_async_request(request)
        if request.method == "POST":
            Path(marker).write_text("sent")
            await asyncio.Event().wait()
        return response

async def main():
    async with FinetuningClient(ApiKey(key), base_url, transport=HangAfterSend()) as client:
        await client.create_generation(GenerationRequest(tags="killed mid submit"))

asyncio.run(main())
"""


async def test_a_process_killed_mid_submit_is_reconciled_by_the_next(
    sim_factory: Callable[..., RunningSim], tmp_path: Path, fttui_home: Path
) -> None:
    sim = sim_factory()  # system clock: the child process cannot share a virtual one
    marker = tmp_path / "sent"
    env = {**os.environ, "FTTUI_HOME": str(fttui_home), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(  # noqa: ASYNC220 - started, not waited on, from the loop
        [sys.executable, "-c", KILLED_CHILD, sim.base_url, sim.demo_key, str(marker)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():  # wait for the condition: the POST was answered
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never sent its POST"
            await asyncio.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert sim.generation_count() == 1
    assert len(SubmissionJournal().pending()) == 1  # FTTUI_HOME: the same journal

    async with FinetuningClient(ApiKey(sim.demo_key), sim.base_url) as client:
        [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.FOUND
    assert result.generation is not None
    assert result.generation.id == sim.state.generations(sim.demo_key)[0].id
    assert sim.post_count() == 1
    assert SubmissionJournal().pending() == []


async def test_journal_is_written_before_sending_and_private(
    make_client: ClientFactory, journal_dir: Path
) -> None:
    seen: list[int] = []

    class LookAtJournal(CountingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                files = list(journal_dir.glob("*.json"))  # noqa: ASYNC240
                seen.append(len(files))
                assert all(f.stat().st_mode & 0o077 == 0 for f in files)
                assert all(ApiKey.__name__ not in f.read_text() for f in files)
            return await super().handle_async_request(request)

    await make_client(transport=LookAtJournal()).create_generation(track())
    assert seen == [1]
    assert list(journal_dir.glob("*")) == []  # noqa: ASYNC240


async def test_two_clients_in_one_process_share_the_default_limiter() -> None:
    from fttui.api.limiter import default_limiter

    clock = VirtualClock()
    first = FinetuningClient(None, "http://127.0.0.1:9", clock=clock)
    second = FinetuningClient(None, "http://127.0.0.1:9", clock=clock)
    assert first._limiter is second._limiter is default_limiter(clock)
    await first.aclose()
    await second.aclose()


async def test_a_create_cut_by_a_closing_connection_is_looked_for_never_sent_again(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, counting: CountingTransport
) -> None:
    # Unlike a bulk change, a create is paid: a cut with no answer is never repeated.
    client = make_client(transport=counting)
    await client.me()  # a connection now waits in the pool
    vsim.set_faults(close_idle="next:1,only:POST")
    with pytest.raises(SubmissionUnconfirmed):
        await client.create_generation(track())
    assert vsim.faults.close_idle.fired == 1 and vsim.generation_count() == 0
    clock.advance(timedelta(minutes=5).total_seconds())
    [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.NOT_CREATED
    assert counting.requests.count(("POST", "/v1/generations")) == 1
    assert vsim.post_count() == 0
