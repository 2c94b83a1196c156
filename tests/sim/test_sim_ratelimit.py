"""Both sliding-window limits and QUEUE_FULL, driven by a virtual clock (no waiting)."""

from __future__ import annotations

from typing import Any

import httpx

from fttui.clock import VirtualClock
from fttui.sim.accounts import LIFETIME_KEY, NO_API_PLAN_KEY
from fttui.sim.server import RunningSim

TRACK = {"tags": "synthwave retro drive", "duration": 10}


def remaining(response: httpx.Response) -> int:
    assert response.headers["X-RateLimit-Limit"] == "60"
    return int(response.headers["X-RateLimit-Remaining"])


def test_remaining_counts_down_to_zero_on_the_60th(vclient: httpx.Client) -> None:
    seen = [remaining(vclient.get("/v1/me")) for _ in range(60)]
    assert seen == list(range(59, -1, -1))


def test_sliding_window(vclient: httpx.Client, clock: VirtualClock, expect_error: Any) -> None:
    for i in range(60):
        clock.advance(0.5 if i else 0.0)  # requests at 0, 0.5, ... 29.5 s
        assert vclient.get("/v1/me").status_code == 200
    refused = vclient.get("/v1/me")
    assert expect_error(refused, "RATE_LIMITED")["retryAfter"] == 31  # slot at t=60
    assert remaining(refused) == 0
    clock.advance(30.0)  # t=59.5: the first request is still inside the window
    expect_error(vclient.get("/v1/me"), "RATE_LIMITED")
    clock.advance(0.5)  # t=60: it has left
    assert remaining(vclient.get("/v1/me")) == 0
    expect_error(vclient.get("/v1/me"), "RATE_LIMITED")
    clock.advance(0.5)
    assert vclient.get("/v1/me").status_code == 200


def test_refused_requests_do_not_count(vclient: httpx.Client, clock: VirtualClock) -> None:
    for _ in range(60):
        vclient.get("/v1/me")
    for _ in range(20):
        assert vclient.get("/v1/me").status_code == 429
    clock.advance(60.0)
    assert remaining(vclient.get("/v1/me")) == 59


def test_requests_without_a_valid_key_count_toward_nothing(
    vsim: RunningSim, vclient: httpx.Client
) -> None:
    with httpx.Client(base_url=vsim.base_url) as anonymous:
        for key in ({}, {"X-API-Key": "ft_live_" + "0" * 32}):
            for _ in range(70):
                assert anonymous.get("/v1/me", headers=key).status_code == 401
    assert remaining(vclient.get("/v1/me")) == 59


def test_limit_is_per_user(vsim: RunningSim, vclient: httpx.Client) -> None:
    for _ in range(60):
        vclient.get("/v1/me")
    other = httpx.get(vsim.base_url + "/v1/me", headers={"X-API-Key": LIFETIME_KEY})
    assert remaining(other) == 59


def test_every_answer_to_a_valid_key_has_the_headers(
    vsim: RunningSim, vclient: httpx.Client
) -> None:
    answers = [
        vclient.get("/v1/me"),
        vclient.get("/v1/generations"),
        vclient.get("/v1/generations/nope"),
        vclient.get("/v1/generations?limit=0"),
        vclient.post("/v1/generations", json={}),
        vclient.post("/v1/generations", json=TRACK),
        httpx.get(vsim.base_url + "/v1/me", headers={"X-API-Key": NO_API_PLAN_KEY}),
    ]
    assert [remaining(a) for a in answers] == [59, 58, 57, 56, 55, 54, 59]


def test_speed_never_shortens_the_window(sim_factory: Any, expect_error: Any) -> None:
    clock = VirtualClock()
    fast = sim_factory(clock=clock, speed=1000.0)
    with httpx.Client(base_url=fast.base_url, headers={"X-API-Key": fast.demo_key}) as http:
        for _ in range(60):
            http.get("/v1/me")
        clock.advance(59.0)
        expect_error(http.get("/v1/me"), "RATE_LIMITED")


def test_ten_creations_per_minute_then_generation_rate_limited(
    sim_factory: Any, clock: VirtualClock, expect_error: Any
) -> None:
    fast = sim_factory(clock=clock, speed=1000.0)  # each generation ends within ~10 ms
    with httpx.Client(base_url=fast.base_url, headers={"X-API-Key": fast.demo_key}) as http:
        for _ in range(10):
            assert http.post("/v1/generations", json=TRACK).status_code == 202
            clock.advance(1.0)  # t = 10 after the loop
        refused = http.post("/v1/generations", json=TRACK)
        assert expect_error(refused, "GENERATION_RATE_LIMITED")["retryAfter"] == 50
        assert remaining(refused) == 49  # it still counts toward the 60
        assert fast.generation_count() == 10
        # A rejected POST does not count toward the ten.
        for _ in range(3):
            assert http.post("/v1/generations", json={"tags": ""}).status_code == 400
        clock.advance(50.0)
        assert http.post("/v1/generations", json=TRACK).status_code == 202
        expect_error(http.post("/v1/generations", json=TRACK), "GENERATION_RATE_LIMITED")


def test_queue_full_and_its_retry_after(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock, expect_error: Any
) -> None:
    for _ in range(5):
        assert vclient.post("/v1/generations", json=TRACK).status_code == 202
    clock.advance(2.0)
    earliest = min(g.end_mono for g in vsim.state.generations(vsim.demo_key))
    refused = vclient.post("/v1/generations", json=TRACK)
    error = expect_error(refused, "QUEUE_FULL")
    assert error["retryAfter"] == int(refused.headers["Retry-After"])
    assert earliest - 2.0 <= error["retryAfter"] < earliest - 2.0 + 1
    assert vsim.generation_count() == 5
    me = vclient.get("/v1/me").json()["data"]["limits"]
    assert me["totalRemaining"] == 1953 - 5  # the refused one was not charged
    clock.advance(error["retryAfter"])
    assert vclient.post("/v1/generations", json=TRACK).status_code == 202


def test_post_check_order(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock, expect_error: Any
) -> None:
    for _ in range(5):
        vclient.post("/v1/generations", json=TRACK)
    # Queue full, yet a bad body is reported first (validation precedes queue depth).
    expect_error(vclient.post("/v1/generations", json={"bpm": 1}), "VALIDATION_ERROR")
    vsim.state.account(vsim.demo_key).generations_used = 2000
    expect_error(vclient.post("/v1/generations", json=TRACK), "MONTHLY_LIMIT_REACHED")
    vsim.state.account(vsim.demo_key).generations_used = 0
    expect_error(vclient.post("/v1/generations", json=TRACK), "QUEUE_FULL")
    for _ in range(60 - 8):
        vclient.get("/v1/me")
    # Budget spent: even a bad body is now refused by the 60/min limit.
    expect_error(vclient.post("/v1/generations", json={"bpm": 1}), "RATE_LIMITED")
