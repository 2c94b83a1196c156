"""POST /v1/generations/bulk-delete (v1.2): per-id results, always 200, permanent."""

from __future__ import annotations

from typing import Any

import httpx

from fttui.clock import VirtualClock
from fttui.sim.accounts import LIFETIME_KEY
from fttui.sim.server import RunningSim

NOT_YOURS = "Track not found or not owned by you"


def make(http: httpx.Client, clock: VirtualClock, count: int) -> list[str]:
    ids = []
    for i in range(count):
        ids.append(http.post("/v1/generations", json={"tags": f"song {i}"}).json()["data"]["id"])
        clock.advance(7.0)  # under 10 creations a minute, and each ends
    return ids


def test_partial_success_with_per_id_errors(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock
) -> None:
    mine = make(vclient, clock, 3)
    others = httpx.post(
        vsim.base_url + "/v1/generations", json={"tags": "x"}, headers={"X-API-Key": LIFETIME_KEY}
    ).json()["data"]["id"]
    response = vclient.post(
        "/v1/generations/bulk-delete", json={"ids": [mine[0], "nope", others, mine[2], mine[0]]}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {
        "deleted": [mine[0], mine[2]],
        "errors": [
            {"id": "nope", "error": NOT_YOURS},
            {"id": others, "error": NOT_YOURS},  # another user's
            {"id": mine[0], "error": NOT_YOURS},  # already deleted
        ],
    }
    listed = vclient.get("/v1/generations").json()["data"]["generations"]
    assert [g["id"] for g in listed] == [mine[1]]
    assert vclient.get(f"/v1/generations/{mine[0]}").status_code == 404
    assert vsim.generation_count(LIFETIME_KEY) == 1


def test_errors_omitted_when_all_deleted(vclient: httpx.Client, clock: VirtualClock) -> None:
    ids = make(vclient, clock, 2)
    response = vclient.post("/v1/generations/bulk-delete", json={"ids": ids})
    assert response.json()["data"] == {"deleted": ids}


def test_nothing_deleted_is_still_200(vclient: httpx.Client) -> None:
    response = vclient.post("/v1/generations/bulk-delete", json={"ids": ["a", "b"]})
    assert response.status_code == 200
    assert response.json()["data"]["deleted"] == []


def test_deleted_audio_is_gone(vclient: httpx.Client, clock: VirtualClock) -> None:
    (gen_id,) = make(vclient, clock, 1)
    clock.advance(10.0)
    url = vclient.get(f"/v1/generations/{gen_id}").json()["data"]["audioUrl"]
    assert httpx.head(url).status_code == 200
    vclient.post("/v1/generations/bulk-delete", json={"ids": [gen_id]})
    assert httpx.head(url).status_code == 404


def test_a_bulk_request_counts_as_one(vclient: httpx.Client) -> None:
    first = vclient.get("/v1/me")
    bulk = vclient.post("/v1/generations/bulk-delete", json={"ids": [f"id{i}" for i in range(100)]})
    assert int(bulk.headers["X-RateLimit-Remaining"]) == (
        int(first.headers["X-RateLimit-Remaining"]) - 1
    )


def test_too_many_ids(vclient: httpx.Client, expect_error: Any) -> None:
    error = expect_error(
        vclient.post("/v1/generations/bulk-delete", json={"ids": ["x"] * 101}), "VALIDATION_ERROR"
    )
    assert error["details"][0]["field"] == "ids"
