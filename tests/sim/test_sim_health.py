"""GET /health: no key, no budget, a bare JSON object."""

from __future__ import annotations

import httpx

from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim


def test_health_needs_no_key(sim: RunningSim) -> None:
    response = httpx.get(sim.base_url + "/health")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, dict) and "data" not in body
    assert body["status"] == "ok"
    assert "X-RateLimit-Limit" not in response.headers


def test_health_counts_toward_no_limit(sim: RunningSim) -> None:
    with httpx.Client(base_url=sim.base_url, headers={"X-API-Key": DEMO_KEY}) as http:
        for _ in range(3):
            assert http.get("/health").status_code == 200
        assert http.get("/v1/me").headers["X-RateLimit-Remaining"] == "59"


def test_health_takes_the_faults(sim: RunningSim) -> None:
    sim.set_faults(html_502="next:1")
    assert httpx.get(sim.base_url + "/health").status_code == 502
    assert httpx.get(sim.base_url + "/health").status_code == 200
