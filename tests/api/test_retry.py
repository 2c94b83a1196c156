"""GET retries with capped exponential backoff and full jitter, and the 429 hold.

No real sleeping: the client sleeps on the virtual clock and draws jitter from a seeded
RNG, so each test knows the exact waits to expect.
"""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from fttui.api.client import RetryNotice, RetryPolicy
from fttui.api.errors import TransportError
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport
from tests.api.test_errors import exhaust_window


def expected_waits(policy: RetryPolicy, attempts: list[int]) -> list[float]:
    rng = random.Random(7)  # the seed make_client gives every client
    return [policy.delay(n, rng) for n in attempts]


def test_full_jitter_is_capped_exponential() -> None:
    policy = RetryPolicy(base=0.5, cap=8.0)
    rng = random.Random(1)
    for attempt in range(12):
        bound = min(8.0, 0.5 * 2**attempt)
        draws = [policy.delay(attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= bound for d in draws)
        assert max(draws) > bound * 0.8  # full jitter spans the whole range


@pytest.mark.parametrize("fault", ["internal_error", "html_502", "malformed_json"])
async def test_get_retries_server_and_transport_faults(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, fault: str
) -> None:
    vsim.set_faults(**{fault: "next:2"})
    account = await make_client().me()
    assert account.id == "usr_demo0001"
    assert clock.slept == expected_waits(RetryPolicy(), [1, 2])


async def test_a_get_cut_by_a_closing_connection_is_asked_again_at_once_and_quietly(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    client = make_client()
    notices: list[RetryNotice] = []
    await client.me()  # a connection now waits in the pool
    vsim.set_faults(close_idle="next:1,only:GET")
    with client.retries_reported_to(notices.append):
        page = await client.list_generations()
    assert page.generations == [] and vsim.faults.close_idle.fired == 1
    assert notices == [] and clock.slept == []  # no "reconnecting", no wait
    # A second cut in a row is a real fault: reported and retried with backoff.
    vsim.set_faults(close_idle="next:2,only:GET")
    with client.retries_reported_to(notices.append):
        await client.list_generations()
    assert len(notices) == 1 and clock.slept == expected_waits(RetryPolicy(), [1])


async def test_get_retries_a_refused_connection_then_gives_up(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client(base_url="http://127.0.0.1:9", retry=RetryPolicy(attempts=4))
    with pytest.raises(TransportError):
        await client.list_generations()
    assert clock.slept == expected_waits(RetryPolicy(), [1, 2, 3])


async def test_a_429_holds_every_request_until_retry_after(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, counting: CountingTransport
) -> None:
    exhaust_window(vsim)  # someone else spent this minute's budget
    client = make_client(transport=counting)
    start = clock.monotonic()
    first = asyncio.create_task(client.me())
    while not client.rate.blocked:  # noqa: ASYNC110 - waits for a condition, not for time
        await asyncio.sleep(0)
    hold = client.rate.seconds_until_unblocked()
    assert hold >= 1
    # A second request issued during the hold waits too instead of hitting the server.
    second = asyncio.create_task(client.list_generations())
    await asyncio.gather(first, second)
    assert counting.statuses[429] == 1
    assert counting.statuses[200] == 2
    assert clock.monotonic() - start >= hold
    assert not client.rate.blocked


async def test_a_refused_connection_on_post_is_sent_again(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    class RefuseFirst(CountingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if not self.requests:
                self.requests.append((request.method, "refused"))
                raise httpx.ConnectError("connection refused")
            return await super().handle_async_request(request)

    transport = RefuseFirst()
    created = await make_client(transport=transport).create_generation(
        GenerationRequest.from_fields({"tags": "retry me"})
    )
    assert [m for m, _ in transport.requests] == ["POST", "POST"]
    assert vsim.post_count() == 1
    assert vsim.generation_count() == 1
    assert vsim.state.generations(vsim.demo_key)[0].id == created.id


async def test_the_first_failed_get_is_reported_at_once_while_the_retries_go_on(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    vsim.set_faults(html_502="next:2")
    client = make_client()
    seen: list[tuple[int, int, str]] = []  # (attempt, 502s the server had sent, error kind)

    def listener(notice: RetryNotice) -> None:
        seen.append((notice.attempt, vsim.faults.html_502.fired, type(notice.error).__name__))

    with client.retries_reported_to(listener):
        account = await client.me()
    assert account.id == "usr_demo0001"
    assert seen == [(1, 1, "TransportError"), (2, 2, "TransportError")]  # an HTML page
    vsim.set_faults(html_502="next:1")
    await client.me()
    assert len(seen) == 2  # out of the block, no one is told


async def test_a_failing_retry_listener_does_not_stop_the_retries(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client(base_url="http://127.0.0.1:9", retry=RetryPolicy(attempts=3))

    def broken(notice: RetryNotice) -> None:
        raise RuntimeError("listener bug")

    with client.retries_reported_to(broken), pytest.raises(TransportError):
        await client.me()
    assert clock.slept == expected_waits(RetryPolicy(), [1, 2])


def test_an_idle_connection_is_dropped_before_a_five_second_server_would_drop_it() -> None:
    # Node's, Apache's and uvicorn's (the simulator's) idle timeout is 5 s: the client
    # must end an idle connection first, or a request may go out as the server closes it.
    import uvicorn

    from fttui.api.client import FinetuningClient
    from fttui.api.transport import KEEPALIVE_SECONDS, media_client

    server_idle = uvicorn.Config(app=None).timeout_keep_alive
    assert server_idle == 5 and server_idle - 1 >= KEEPALIVE_SECONDS
    for http in (FinetuningClient(None, "http://127.0.0.1:9")._http, media_client()):
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert pool._keepalive_expiry == KEEPALIVE_SECONDS
