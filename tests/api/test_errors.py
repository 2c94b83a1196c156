"""Every documented error code, and every unreadable answer, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from fttui.api import errors
from fttui.api.client import RetryPolicy
from fttui.api.models import GenerationRequest
from fttui.sim.accounts import EXHAUSTED_KEY, NO_API_PLAN_KEY, REVOKED_KEY
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport

ONE_TRY = RetryPolicy(attempts=1)
TRACK = GenerationRequest.from_fields({"tags": "ambient drone", "duration": 10})


def exhaust_window(sim: RunningSim) -> None:
    """Spend the demo account's 60 requests of this minute, outside the client."""
    with httpx.Client(base_url=sim.base_url, headers={"X-API-Key": sim.demo_key}) as http:
        for _ in range(60):
            assert http.get("/v1/me").status_code == 200


async def test_missing_api_key(make_client: ClientFactory) -> None:
    with pytest.raises(errors.MissingApiKey) as caught:
        await make_client(key=None).me()
    assert caught.value.status == 401
    assert caught.value.error_code == "MISSING_API_KEY"


async def test_invalid_api_key(make_client: ClientFactory) -> None:
    client = make_client(key=REVOKED_KEY)
    with pytest.raises(errors.InvalidApiKey) as caught:
        await client.me()
    assert caught.value.status == 401
    assert "revoked" in caught.value.message


async def test_pro_plan_required(make_client: ClientFactory) -> None:
    with pytest.raises(errors.ProPlanRequired) as caught:
        await make_client(key=NO_API_PLAN_KEY).list_generations()
    assert caught.value.status == 403
    assert isinstance(caught.value, errors.AuthError)


async def test_rate_limited_carries_retry_after_and_headers(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    exhaust_window(vsim)
    client = make_client(retry=ONE_TRY)
    with pytest.raises(errors.RateLimited) as caught:
        await client.me()
    exc = caught.value
    assert exc.status == 429
    assert exc.retry_after is not None
    assert exc.retry_after >= 1
    assert exc.rate_limit == errors.RateLimitInfo(limit=60, remaining=0)
    assert client.rate.blocked
    assert client.rate.seconds_until_unblocked() == exc.retry_after


async def test_validation_error_lists_fields(make_client: ClientFactory) -> None:
    # Built without local validation, so the server is the one that refuses it.
    bad = GenerationRequest.model_construct(tags="x", bpm=999, duration=1)
    with pytest.raises(errors.ValidationFailed) as caught:
        await make_client().create_generation(bad)
    assert caught.value.status == 400
    assert {"bpm", "duration"} <= set(caught.value.field_errors)


async def test_monthly_limit_reached(make_client: ClientFactory, vsim: RunningSim) -> None:
    with pytest.raises(errors.MonthlyLimitReached) as caught:
        await make_client(key=EXHAUSTED_KEY).create_generation(TRACK)
    assert caught.value.status == 402
    assert vsim.generation_count(EXHAUSTED_KEY) == 0


async def test_queue_full_is_distinct_from_rate_limited(make_client: ClientFactory) -> None:
    client = make_client()
    for _ in range(5):  # the demo account's queue depth
        await client.create_generation(TRACK)
    with pytest.raises(errors.QueueFull) as caught:
        await client.create_generation(TRACK)
    exc = caught.value
    assert not isinstance(exc, errors.RateLimited)
    assert exc.status == 429
    assert exc.error_code == "QUEUE_FULL"
    assert exc.retry_after
    assert not client.rate.blocked  # a full queue does not hold the other requests


async def test_generation_failed_is_reconciled_then_raised(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: object
) -> None:
    vsim.set_faults(generation_failed="next:1")
    client = make_client()
    with pytest.raises(errors.GenerationFailed) as caught:
        await client.create_generation(TRACK)
    assert caught.value.status == 500
    assert isinstance(caught.value, errors.ServerError)
    assert vsim.generation_count() == 0
    assert vsim.post_count() == 1
    assert await client.reconcile_pending() == []  # settled: the journal is empty


async def test_not_found(make_client: ClientFactory) -> None:
    with pytest.raises(errors.NotFound) as caught:
        await make_client().get_generation("gen_does_not_exist")
    assert caught.value.status == 404


async def test_internal_error_on_get_after_retries(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    vsim.set_faults(internal_error="next:3")
    with pytest.raises(errors.InternalError) as caught:
        await make_client(retry=RetryPolicy(attempts=3)).me()
    assert caught.value.status == 500
    assert caught.value.error_code == "INTERNAL_ERROR"
    assert not isinstance(caught.value, errors.GenerationFailed)


async def test_the_two_500s_and_the_two_429s_are_distinct_classes() -> None:
    assert errors.error_for(500, "GENERATION_FAILED", "m").__class__ is errors.GenerationFailed
    assert errors.error_for(500, "INTERNAL_ERROR", "m").__class__ is errors.InternalError
    assert errors.error_for(429, "RATE_LIMITED", "m").__class__ is errors.RateLimited
    assert errors.error_for(429, "QUEUE_FULL", "m").__class__ is errors.QueueFull
    assert errors.error_for(503, "SOMETHING_NEW", "m").__class__ is errors.ServerError
    assert errors.error_for(429, None, "m").__class__ is errors.RateLimited
    assert errors.error_for(418, "TEAPOT", "m").__class__ is errors.UnknownApiError


async def test_a_proxy_html_page_is_a_transport_error(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    vsim.set_faults(html_502="next:1")
    with pytest.raises(errors.TransportError) as caught:
        await make_client(retry=ONE_TRY).me()
    assert caught.value.status == 502
    assert "text/html" in caught.value.message


async def test_cut_json_is_a_transport_error(make_client: ClientFactory, vsim: RunningSim) -> None:
    vsim.set_faults(malformed_json="next:1")
    with pytest.raises(errors.TransportError):
        await make_client(retry=ONE_TRY).list_generations()


async def test_no_server_at_all_is_a_transport_error(make_client: ClientFactory) -> None:
    client = make_client(base_url="http://127.0.0.1:9", retry=ONE_TRY)
    with pytest.raises(errors.TransportError) as caught:
        await client.me()
    assert caught.value.maybe_delivered is False


async def test_a_redirect_is_never_followed(make_client: ClientFactory) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/v1/me"})

    client = make_client(transport=httpx.MockTransport(handler), retry=ONE_TRY)
    with pytest.raises(errors.TransportError, match="redirected"):
        await client.me()
    assert len(seen) == 1


def test_https_is_required_except_on_loopback(make_client: ClientFactory) -> None:
    from fttui.api.origins import InsecureURLError

    with pytest.raises(InsecureURLError):
        make_client(base_url="http://pub.finetuning.ai")
    for url in ("https://pub.finetuning.ai", "http://localhost:8787", "http://[::1]:1"):
        make_client(base_url=url)


# --- API v1.2 codes ---------------------------------------------------------------------


async def test_generation_rate_limited(make_client: ClientFactory, vsim: RunningSim) -> None:
    # The server's POST window is full (10 created this minute by another program).
    with vsim.state.lock:
        account = vsim.state.account(vsim.demo_key)
        for _ in range(10):
            vsim.state.limits_of(account).creations.record(vsim.state.now())
    client = make_client(retry=ONE_TRY)
    with pytest.raises(errors.GenerationRateLimited) as caught:
        await client.create_generation(TRACK)
    exc = caught.value
    assert exc.status == 429
    assert exc.error_code == "GENERATION_RATE_LIMITED"
    assert isinstance(exc, errors.RateLimited)
    assert exc.retry_after
    assert not client.rate.blocked
    assert client.rate.seconds_until_posts_unblocked() == exc.retry_after


async def test_daily_limit_reached(make_client: ClientFactory, vsim: RunningSim) -> None:
    from fttui.api.sound_effects import SoundEffectRequest

    vsim.set_sound_effects_used_today(100)
    with pytest.raises(errors.DailyLimitReached) as caught:
        await make_client().create_sound_effect(SoundEffectRequest.from_fields({"prompt": "x"}))
    assert caught.value.status == 402
    assert caught.value.error_code == "DAILY_LIMIT_REACHED"


async def test_add_failed_gives_each_items_reason(
    make_client: ClientFactory, vsim: RunningSim, counting: CountingTransport
) -> None:
    playlist = vsim.add_playlist("Mine")
    result = await make_client(transport=counting).add_to_playlist(playlist, ["nope"])
    assert counting.statuses[400] == 1  # the server's ADD_FAILED, read item by item
    assert result.added == [] and result.failed == {"nope": "Track not found"}


async def test_move_failed_gives_each_items_reason(
    make_client: ClientFactory, vsim: RunningSim, counting: CountingTransport
) -> None:
    source, target = vsim.add_playlist("A"), vsim.add_playlist("B")
    result = await make_client(transport=counting).move_tracks(source, ["nope"], target)
    assert counting.statuses[400] == 1  # MOVE_FAILED
    assert result.moved == [] and list(result.failed) == ["nope"]


def test_add_failed_and_move_failed_carry_every_items_reason() -> None:
    details = [{"trackId": "a", "error": "Track not found"}, {"id": "b"}]
    for code in ("ADD_FAILED", "MOVE_FAILED"):
        exc = errors.error_for(400, code, "Track not found", details=details)
        assert isinstance(exc, errors.BulkFailed)
        assert exc.item_errors == [("a", "Track not found"), ("b", "Track not found")]


def test_every_new_code_has_its_own_class() -> None:
    for code, cls in {
        "GENERATION_RATE_LIMITED": errors.GenerationRateLimited,
        "DAILY_LIMIT_REACHED": errors.DailyLimitReached,
        "ADD_FAILED": errors.AddFailed,
        "MOVE_FAILED": errors.MoveFailed,
    }.items():
        assert type(errors.error_for(400, code, "m")) is cls


def test_validation_details_may_be_an_object_or_a_list() -> None:
    one = errors.error_for(
        400, "VALIDATION_ERROR", "m", details={"field": "duration", "message": "too long"}
    )
    assert isinstance(one, errors.ValidationFailed)
    assert one.field_errors == {"duration": "too long"}
    many = errors.error_for(
        400, "VALIDATION_ERROR", "m", details=[{"field": "tags", "message": "required"}]
    )
    assert isinstance(many, errors.ValidationFailed)
    assert many.field_errors == {"tags": "required"}
    mapping = errors.error_for(400, "VALIDATION_ERROR", "m", details={"bpm": "too fast"})
    assert isinstance(mapping, errors.ValidationFailed)
    assert mapping.field_errors == {"bpm": "too fast"}
