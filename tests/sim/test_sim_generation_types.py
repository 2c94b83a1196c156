"""v1.2 shapes of generations: `type`, instrumentals, and `timesignature` per answer."""

from __future__ import annotations

from typing import Any

import httpx

from fttui.clock import VirtualClock
from fttui.sim.accounts import EXHAUSTED_KEY
from fttui.sim.server import RunningSim

TRACK = {"tags": "lofi chill piano night", "duration": 30, "timesignature": "3"}


def test_timesignature_is_a_string_when_posted_and_a_number_when_read(
    vclient: httpx.Client,
) -> None:
    posted = vclient.post("/v1/generations", json=TRACK).json()["data"]
    assert posted["parameters"]["timesignature"] == "3"
    detail = vclient.get(f"/v1/generations/{posted['id']}").json()["data"]
    assert detail["parameters"]["timesignature"] == 3
    (item,) = vclient.get("/v1/generations").json()["data"]["generations"]
    assert item["parameters"]["timesignature"] == 3


def test_instrumental_is_a_generation_of_its_own_type(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock
) -> None:
    response = vclient.post(
        "/v1/instrumental", json={"prompt": "ambient drone pads", "duration": 95, "seed": 9}
    )
    assert response.status_code == 202, response.text
    data = response.json()["data"]
    assert data["type"] == "instrumental" and data["status"] == "processing"
    assert data["prompt"] == "ambient drone pads"
    assert data["parameters"]["duration"] == 90 and data["parameters"]["seed"] == 9
    assert "language" not in data["parameters"]
    assert data["creditsRemaining"] == 1952  # it costs a credit
    clock.advance(10.0)
    detail = vclient.get(f"/v1/generations/{data['id']}").json()["data"]
    assert detail["type"] == "instrumental" and detail["status"] == "completed"
    assert detail["audioUrl"].endswith(f"/audio/{data['id']}.mp3")
    assert httpx.head(detail["audioUrl"]).status_code == 200


def test_type_filter(vclient: httpx.Client, clock: VirtualClock) -> None:
    song = vclient.post("/v1/generations", json=TRACK).json()["data"]["id"]
    clock.advance(7.0)
    bed = vclient.post("/v1/instrumental", json={"prompt": "bed"}).json()["data"]["id"]

    def ids(query: str) -> list[str]:
        data = vclient.get(f"/v1/generations{query}").json()["data"]
        return [g["id"] for g in data["generations"]]

    assert ids("") == [bed, song]
    assert ids("?type=music") == [song]
    assert ids("?type=instrumental") == [bed]
    assert ids("?type=instrumental&status=completed") == []
    assert [g["type"] for g in vclient.get("/v1/generations").json()["data"]["generations"]] == [
        "instrumental",
        "music",
    ]


def test_unknown_type_is_a_400(vclient: httpx.Client, expect_error: Any) -> None:
    error = expect_error(vclient.get("/v1/generations?type=sfx"), "VALIDATION_ERROR")
    assert error["details"] == [
        {"field": "type", "message": "type must be one of music, instrumental"}
    ]


def test_instrumental_shares_the_creation_limit(
    sim_factory: Any, clock: VirtualClock, expect_error: Any
) -> None:
    fast = sim_factory(clock=clock, speed=1000.0)
    with httpx.Client(base_url=fast.base_url, headers={"X-API-Key": fast.demo_key}) as http:
        for _ in range(5):
            assert http.post("/v1/generations", json=TRACK).status_code == 202
            assert http.post("/v1/instrumental", json={"prompt": "x"}).status_code == 202
            clock.advance(0.5)
        refused = http.post("/v1/instrumental", json={"prompt": "x"})
        expect_error(refused, "GENERATION_RATE_LIMITED")


def test_instrumental_needs_credits(sim: RunningSim, expect_error: Any) -> None:
    response = httpx.post(
        sim.base_url + "/v1/instrumental",
        json={"prompt": "x"},
        headers={"X-API-Key": EXHAUSTED_KEY},
    )
    expect_error(response, "MONTHLY_LIMIT_REACHED")
