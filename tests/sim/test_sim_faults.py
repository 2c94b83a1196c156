"""Each opt-in fault, targeted so the tests are deterministic."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from fttui.clock import VirtualClock
from fttui.sim.faults import FaultRule, Faults, parse_fault, parse_rule
from fttui.sim.server import RunningSim

TRACK = {"tags": "techno dark warehouse pulse", "duration": 10}


def test_latency(client: httpx.Client, sim: RunningSim) -> None:
    sim.set_faults(latency=0.3)
    started = time.perf_counter()
    assert client.get("/v1/me").status_code == 200
    assert time.perf_counter() - started >= 0.3
    sim.set_faults(latency=0)


def test_internal_error_only_on_post(
    client: httpx.Client, sim: RunningSim, expect_error: Any
) -> None:
    sim.set_faults(internal_error="next:1,only:POST")
    assert client.get("/v1/me").status_code == 200
    expect_error(client.post("/v1/generations", json=TRACK), "INTERNAL_ERROR")
    assert sim.generation_count() == 0
    assert client.post("/v1/generations", json=TRACK).status_code == 202
    assert sim.faults.internal_error.fired == 1


def test_html_502(client: httpx.Client, sim: RunningSim) -> None:
    sim.set_faults(html_502=FaultRule(next=2))
    for _ in range(2):
        response = client.get("/v1/generations")
        assert response.status_code == 502
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.lstrip().startswith("<!DOCTYPE html>")
        with pytest.raises(json.JSONDecodeError):
            response.json()
    assert client.get("/v1/generations").status_code == 200


def test_malformed_json(client: httpx.Client, sim: RunningSim) -> None:
    sim.set_faults(malformed_json="next:1")
    response = client.get("/v1/me")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert client.get("/v1/me").json()["data"]["tier"] == "pro"


def test_drop_after_commit(client: httpx.Client, sim: RunningSim) -> None:
    sim.set_faults(drop_after_commit="next:1")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/v1/generations", json=TRACK)
    # Created and charged although the client never saw an answer.
    assert sim.generation_count() == 1 and sim.post_count() == 1
    me = client.get("/v1/me").json()["data"]["limits"]
    assert me["totalRemaining"] == 1952
    newest = client.get("/v1/generations?limit=1").json()["data"]["generations"][0]
    assert newest["prompt"] == TRACK["tags"]
    assert client.post("/v1/generations", json=TRACK).status_code == 202


def test_close_idle_closes_a_pooled_connection_as_a_request_arrives_and_does_nothing(
    client: httpx.Client, sim: RunningSim
) -> None:
    assert client.get("/v1/me").status_code == 200  # a connection now waits in the pool
    sim.set_faults(close_idle="next:1,only:POST")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        client.post("/v1/generations", json=TRACK)
    assert sim.generation_count() == 0 and sim.post_count() == 0  # never read, never done
    assert sim.faults.close_idle.fired == 1
    assert client.post("/v1/generations", json=TRACK).status_code == 202


def test_drop_after_commit_seen_by_a_streaming_client(sim: RunningSim) -> None:
    sim.set_faults(drop_after_commit="next:1")
    with (
        httpx.Client(base_url=sim.base_url, headers={"X-API-Key": sim.demo_key}) as http,
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
        http.stream("POST", "/v1/generations", json=TRACK) as response,
    ):
        response.read()


def test_generation_failure_rate(sim_factory: Any) -> None:
    clock = VirtualClock()
    running = sim_factory(clock=clock, speed=1000.0, faults=Faults(fail_rate=1.0))
    with httpx.Client(base_url=running.base_url, headers={"X-API-Key": running.demo_key}) as http:
        gen_id = http.post("/v1/generations", json=TRACK).json()["data"]["id"]
        clock.advance(1.0)
        data = http.get(f"/v1/generations/{gen_id}").json()["data"]
    assert data["status"] == "failed" and "crash" in data["errorMessage"]


def test_truncated_audio(sim_factory: Any) -> None:
    clock = VirtualClock()
    running = sim_factory(clock=clock, speed=1000.0)
    with httpx.Client(base_url=running.base_url, headers={"X-API-Key": running.demo_key}) as http:
        gen_id = http.post("/v1/generations", json=TRACK).json()["data"]["id"]
        clock.advance(1.0)
        url = http.get(f"/v1/generations/{gen_id}").json()["data"]["audioUrl"]
    running.set_faults(truncated_audio="next:1")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(url)
    assert len(httpx.get(url).content) > 100_000


def test_rates_are_deterministic_for_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        faults = Faults(seed=seed, internal_error=FaultRule(rate=0.5))
        return [faults.fires("internal_error") for _ in range(40)]

    assert pattern(1) == pattern(1)
    assert pattern(1) != pattern(2)
    assert 5 < sum(pattern(1)) < 35


def test_next_then_rate() -> None:
    faults = Faults(html_502=FaultRule(next=2))
    assert [faults.fires("html_502") for _ in range(4)] == [True, True, False, False]
    faults.clear()
    assert not faults.html_502.armed


def test_rule_parsing() -> None:
    assert parse_rule("0.25") == FaultRule(rate=0.25)
    assert parse_rule("next:3,only:post") == FaultRule(next=3, only="POST")
    assert parse_fault("drop-after-commit=next:1") == ("drop_after_commit", FaultRule(next=1))
    for bad in ("next:x", "2.0", "sometimes"):
        with pytest.raises(ValueError, match="bad fault rule"):
            parse_rule(bad)
    with pytest.raises(ValueError, match="KIND"):
        parse_fault("explode=0.1")


def test_set_faults_rejects_unknown_names(sim: RunningSim) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        sim.set_faults(gremlins=1)
