"""API v1.2 against the simulator over HTTP: health, types, instrumentals, webhooks,
bulk delete, and the POST budget apart from the read budget."""

from __future__ import annotations

import httpx
import pytest

from fttui.api import errors
from fttui.api.client import RetryPolicy
from fttui.api.instrumental import InstrumentalRequest
from fttui.api.models import GenerationRequest, RequestInvalid
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport

ONE_TRY = RetryPolicy(attempts=1)
TRACK = GenerationRequest.from_fields({"tags": "ambient drone", "duration": 10})
HOOK = "https://hooks.example.com/fttui"
ELSEWHERE = {"tags": "elsewhere", "duration": 5}


def by_hand(sim: RunningSim) -> httpx.AsyncClient:
    """Requests another program makes with the same key, outside the client."""
    return httpx.AsyncClient(base_url=sim.base_url, headers={"X-API-Key": sim.demo_key})


async def spend_the_post_budget_elsewhere(vsim: RunningSim, clock: VirtualClock) -> None:
    """Another program (the web app) spends this minute's 10 POSTs, 5 at a time as the
    queue holds them; the queue empties, the POST window has not moved on."""
    async with by_hand(vsim) as http:
        for _ in range(2):
            for _ in range(5):
                answer = await http.post("/v1/generations", json=ELSEWHERE)
                assert answer.status_code == 202
            await clock.sleep(20)


async def test_health_answers_without_a_key_and_sends_none(
    make_client: ClientFactory, counting: CountingTransport
) -> None:
    health = await make_client(key=None, transport=counting).health()
    assert health.ok
    assert health.version == "1.2"
    assert counting.requests == [("GET", "/health")]


async def test_health_never_carries_the_key(make_client: ClientFactory) -> None:
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        seen.append(request)

    client = make_client()
    client._http.event_hooks["request"].append(record)
    assert (await client.health()).ok
    assert "x-api-key" not in seen[0].headers


async def test_health_reports_a_servers_error(make_client: ClientFactory, vsim: RunningSim) -> None:
    vsim.set_faults(internal_error="next:1")
    with pytest.raises(errors.InternalError):
        await make_client().health()


async def test_the_type_filter_lists_instrumentals_or_music_only(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    song = await client.create_generation(TRACK)
    instrumental = await client.create_instrumental(
        InstrumentalRequest.from_fields({"prompt": "slow cello", "duration": 40})
    )
    assert instrumental.type == "instrumental"
    only_instrumental = await client.list_generations(type="instrumental")
    assert [g.id for g in only_instrumental.generations] == [instrumental.id]
    assert only_instrumental.generations[0].type == "instrumental"
    only_music = await client.list_generations(type="music")
    assert [g.id for g in only_music.generations] == [song.id]
    assert only_music.generations[0].type == "music"
    assert {g.id for g in (await client.list_generations()).generations} == {
        song.id,
        instrumental.id,
    }


async def test_an_unknown_type_is_refused_locally(make_client: ClientFactory) -> None:
    with pytest.raises(RequestInvalid) as caught:
        await make_client().list_generations(type="podcast")  # type: ignore[arg-type]
    assert "type" in caught.value.field_errors


async def test_an_instrumental_is_read_back_through_the_generations(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    client = make_client()
    asked = {"prompt": "warm pads", "duration": 37, "enhance": False, "seed": 99}
    created = await client.create_instrumental(InstrumentalRequest.from_fields(asked))
    assert created.parameters.seed == 99
    assert created.parameters.duration == 30  # the server snaps to 15 s
    assert created.credits_remaining is not None
    fetched = await client.get_generation(created.id)
    assert fetched.type == "instrumental"
    assert fetched.prompt == "warm pads"
    assert vsim.generation_count() == 1


async def test_an_instrumental_always_sends_enhance_and_a_seed() -> None:
    request = InstrumentalRequest.from_fields({"prompt": "x"})
    assert request.to_json() == {"prompt": "x", "enhance": True}
    assert InstrumentalRequest.from_fields({"prompt": "x", "enhance": False}).to_json() == {
        "prompt": "x",
        "enhance": False,
    }


async def test_a_webhook_is_sent_and_echoed(make_client: ClientFactory) -> None:
    client = make_client()
    request = GenerationRequest.from_fields({"tags": "lofi", "webhook": HOOK})
    created = await client.create_generation(request)
    assert created.webhook == HOOK
    assert (await client.get_generation(created.id)).webhook == HOOK
    plain = await client.create_generation(TRACK)
    assert (await client.get_generation(plain.id)).webhook is None


async def test_the_v12_shapes_are_read(make_client: ClientFactory, clock: VirtualClock) -> None:
    client = make_client()
    created = await client.create_generation(TRACK)
    assert created.parameters.timesignature == "4"  # a string in the POST answer
    await clock.sleep(60)
    fetched = await client.get_generation(created.id)
    assert fetched.status == "completed"
    assert fetched.parameters.timesignature == "4"  # a number in the GET answer
    assert fetched.type == "music"


# --- the POST budget -------------------------------------------------------------------


async def test_generation_rate_limited_holds_only_creating_requests(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    await spend_the_post_budget_elsewhere(vsim, clock)
    client = make_client(retry=ONE_TRY)
    with pytest.raises(errors.GenerationRateLimited) as caught:
        await client.create_generation(TRACK)
    exc = caught.value
    assert isinstance(exc, errors.RateLimited)  # generic handlers still see a 429
    assert exc.status == 429
    assert exc.retry_after
    status = client.rate
    assert not status.blocked  # reads go on
    assert status.seconds_until_posts_unblocked() == exc.retry_after
    before = clock.monotonic()
    await client.me()
    assert clock.monotonic() == before
    assert await client.reconcile_pending() == []  # refused: nothing left in the journal


async def test_without_wait_a_spent_post_budget_is_refused_at_once(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    await spend_the_post_budget_elsewhere(vsim, clock)
    client = make_client()  # retries on: only `wait=False` makes it give up at once
    started = clock.monotonic()
    with pytest.raises(errors.GenerationRateLimited) as caught:
        await client.create_generation(TRACK, wait=False)
    assert clock.monotonic() == started  # no wait, no retry
    assert caught.value.retry_after
    posts = vsim.post_count()
    # Asked again during the hold: refused here, nothing sent to the server.
    with pytest.raises(errors.GenerationRateLimited):
        await client.create_generation(TRACK, wait=False)
    assert vsim.post_count() == posts
    assert await client.reconcile_pending() == []
    await clock.sleep(caught.value.retry_after)
    created = await client.create_generation(TRACK, wait=False)
    assert created.id


async def test_a_creating_request_waits_out_the_post_hold_then_succeeds(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    await spend_the_post_budget_elsewhere(vsim, clock)
    started = clock.monotonic()
    created = await make_client().create_generation(TRACK)  # retried after Retry-After
    assert created.id
    assert clock.monotonic() - started >= 15
