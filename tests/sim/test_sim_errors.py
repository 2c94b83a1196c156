"""Every error code of the contract is reachable and shaped as the contract says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fttui.sim.accounts import (
    DEMO_KEY,
    EXHAUSTED_KEY,
    LIFETIME_KEY,
    NO_API_PLAN_KEY,
    PACK_ONLY_KEY,
    REVOKED_KEY,
)
from fttui.sim.server import RunningSim

TRACK = {"tags": "lofi chill piano night", "duration": 10}
_HTTP = httpx.Client()  # one client: building one per request costs ~15 ms of TLS set-up


def teardown_module() -> None:
    _HTTP.close()


def get(sim: RunningSim, path: str, key: str | None = DEMO_KEY) -> httpx.Response:
    headers = {"X-API-Key": key} if key is not None else {}
    return _HTTP.get(sim.base_url + path, headers=headers)


def post(sim: RunningSim, body: Any = TRACK, key: str | None = DEMO_KEY) -> httpx.Response:
    headers = {"X-API-Key": key} if key is not None else {}
    return _HTTP.post(sim.base_url + "/v1/generations", headers=headers, json=body)


def test_missing_key(sim: RunningSim, expect_error: Any) -> None:
    for response in (get(sim, "/v1/me", None), post(sim, key=None), get(sim, "/v1/me", "")):
        expect_error(response, "MISSING_API_KEY")
        assert "X-RateLimit-Limit" not in response.headers


@pytest.mark.parametrize(
    "key",
    [
        "not-a-key",
        "ft_live_123",
        "ft_test_" + "0" * 32,
        "ft_live_" + "g" * 32,
        "ft_live_" + "0" * 32,  # well formed, unknown
        REVOKED_KEY,
        REVOKED_KEY.upper().replace("FT_LIVE_", "ft_live_"),
    ],
)
def test_invalid_key(sim: RunningSim, expect_error: Any, key: str) -> None:
    response = get(sim, "/v1/me", key)
    expect_error(response, "INVALID_API_KEY")
    assert "X-RateLimit-Remaining" not in response.headers


def test_key_hex_is_case_insensitive(sim: RunningSim) -> None:
    upper = "ft_live_" + DEMO_KEY.removeprefix("ft_live_").upper()
    response = get(sim, "/v1/me", upper)
    assert response.status_code == 200
    assert response.json()["data"]["id"] == "usr_demo0001"


def test_pro_plan_required(sim: RunningSim, expect_error: Any) -> None:
    for response in (get(sim, "/v1/me", NO_API_PLAN_KEY), post(sim, key=NO_API_PLAN_KEY)):
        expect_error(response, "PRO_PLAN_REQUIRED")
        assert response.headers["X-RateLimit-Limit"] == "60"
    assert sim.generation_count(NO_API_PLAN_KEY) == 0


def test_validation_error_body_and_query(sim: RunningSim, expect_error: Any) -> None:
    error = expect_error(post(sim, {"tags": ""}), "VALIDATION_ERROR")
    assert error["details"] == [
        {"field": "tags", "message": "tags must be between 1 and 700 characters (got 0)"}
    ]
    error = expect_error(get(sim, "/v1/generations?limit=0"), "VALIDATION_ERROR")
    assert [d["field"] for d in error["details"]] == ["limit"]


def test_monthly_limit_reached(sim: RunningSim, expect_error: Any) -> None:
    expect_error(post(sim, key=EXHAUSTED_KEY), "MONTHLY_LIMIT_REACHED")
    assert sim.generation_count(EXHAUSTED_KEY) == 0
    me = get(sim, "/v1/me", EXHAUSTED_KEY).json()["data"]["limits"]
    assert me["monthlyRemaining"] == 0 and me["totalRemaining"] == 0


def test_pack_credits_spent_after_the_month(sim: RunningSim, expect_error: Any) -> None:
    credits = [post(sim, key=PACK_ONLY_KEY).json()["data"]["creditsRemaining"] for _ in range(3)]
    assert credits == [2, 1, 0]
    expect_error(post(sim, key=PACK_ONLY_KEY), "MONTHLY_LIMIT_REACHED")
    limits = get(sim, "/v1/me", PACK_ONLY_KEY).json()["data"]["limits"]
    assert limits["packCredits"] == 0 and limits["totalRemaining"] == 0


def test_monthly_credits_spent_before_pack(sim: RunningSim) -> None:
    before = get(sim, "/v1/me", LIFETIME_KEY).json()["data"]["limits"]
    created = post(sim, key=LIFETIME_KEY).json()["data"]
    after = get(sim, "/v1/me", LIFETIME_KEY).json()["data"]["limits"]
    assert after["monthlyRemaining"] == before["monthlyRemaining"] - 1
    assert after["generationsUsed"] == before["generationsUsed"] + 1
    assert after["packCredits"] == before["packCredits"]
    assert created["creditsRemaining"] == after["totalRemaining"] == before["totalRemaining"] - 1


def test_queue_full(sim: RunningSim, expect_error: Any) -> None:
    sim.state.speed = 0.01  # nothing finishes during the test
    for _ in range(5):
        assert post(sim).status_code == 202
    error = expect_error(post(sim), "QUEUE_FULL")
    assert error["retryAfter"] > 60
    assert sim.generation_count() == 5


def test_generation_failed(sim: RunningSim, expect_error: Any) -> None:
    sim.set_faults(generation_failed="next:1")
    response = post(sim)
    expect_error(response, "GENERATION_FAILED")
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert sim.generation_count() == 0
    assert get(sim, "/v1/me").json()["data"]["limits"]["totalRemaining"] == 1953
    assert post(sim).status_code == 202


def test_not_found(sim: RunningSim, expect_error: Any) -> None:
    expect_error(get(sim, "/v1/generations/gen_xyz789"), "NOT_FOUND")
    expect_error(get(sim, "/v1/nothing-here"), "NOT_FOUND")
    expect_error(
        _HTTP.delete(sim.base_url + "/v1/me", headers={"X-API-Key": DEMO_KEY}), "NOT_FOUND"
    )
    other = post(sim, key=LIFETIME_KEY).json()["data"]["id"]
    expect_error(get(sim, f"/v1/generations/{other}"), "NOT_FOUND")
    assert get(sim, f"/v1/generations/{other}", LIFETIME_KEY).status_code == 200


def test_internal_error(sim: RunningSim, expect_error: Any) -> None:
    sim.set_faults(internal_error="next:1")
    expect_error(get(sim, "/v1/me"), "INTERNAL_ERROR")
    assert get(sim, "/v1/me").status_code == 200


def test_rate_limited(sim: RunningSim, expect_error: Any) -> None:
    for _ in range(60):
        assert get(sim, "/v1/me").status_code == 200
    response = get(sim, "/v1/me")
    error = expect_error(response, "RATE_LIMITED")
    assert 55 <= error["retryAfter"] <= 60
    assert response.headers["X-RateLimit-Remaining"] == "0"
