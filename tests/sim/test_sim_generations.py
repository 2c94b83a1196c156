"""Lifecycle, listing and the live API's shapes, on a virtual clock."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from fttui.clock import VirtualClock

TRACK = {"tags": "lofi chill piano night", "duration": 30, "bpm": 85, "key": "C", "scale": "minor"}
CREATED_FORM = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
COMPLETED_FORM = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
ITEM_FIELDS = {
    "id",
    "title",
    "prompt",
    "status",
    "audioUrl",
    "duration",
    "isPublic",
    "playCount",
    "likeCount",
    "parameters",
    "createdAt",
    "completedAt",
}
DETAIL_FIELDS = ITEM_FIELDS | {
    "fileSize",
    "downloadCount",
    "generationTime",
    "errorMessage",
    "webhook",
}


def create(http: httpx.Client, **changes: Any) -> dict[str, Any]:
    response = http.post("/v1/generations", json={**TRACK, **changes})
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def detail(http: httpx.Client, gen_id: str) -> dict[str, Any]:
    response = http.get(f"/v1/generations/{gen_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_created_answer(vclient: httpx.Client) -> None:
    data = create(vclient, seed=1234567, language="ja", timesignature="3")
    assert set(data) == {
        "id",
        "status",
        "prompt",
        "parameters",
        "webhook",
        "creditsRemaining",
        "createdAt",
    }
    assert data["webhook"] is None
    assert uuid.UUID(data["id"]).version == 4
    assert data["status"] == "processing"
    assert data["prompt"] == TRACK["tags"]
    assert data["parameters"] == {
        "bpm": 85,
        "duration": 30,
        "timesignature": "3",
        "language": "ja",
        "keyscale": "C minor",
        "seed": 1234567,
    }
    assert data["creditsRemaining"] == 1952
    assert data["createdAt"] == "2026-01-15 10:30:00"  # the VirtualClock's start


def test_lifecycle_to_completed(vclient: httpx.Client, clock: VirtualClock) -> None:
    gen_id = create(vclient)["id"]
    clock.advance(5.0)
    before = detail(vclient, gen_id)
    assert before["status"] == "processing"
    assert set(before) >= DETAIL_FIELDS and before["type"] == "music"
    for name in ("title", "audioUrl", "completedAt", "fileSize", "generationTime"):
        assert before[name] is None, name
    assert before["errorMessage"] is None and before["webhook"] is None  # present, null
    clock.advance(5.0)  # generations take 6.8-9.2 s at speed 1
    after = detail(vclient, gen_id)
    assert after["status"] == "completed"
    assert after["title"] == "Lofi Chill Piano"
    assert after["audioUrl"].endswith(f"/audio/{gen_id}.mp3")
    assert 6.0 <= after["generationTime"] <= 8.4
    assert abs(after["fileSize"] - 30 * 16000) < 4096
    assert CREATED_FORM.fullmatch(after["createdAt"])
    assert COMPLETED_FORM.fullmatch(after["completedAt"])
    created = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)
    completed = datetime.strptime(after["completedAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc
    )
    assert completed - created == timedelta(seconds=after["generationTime"] + 0.8)


def test_speed_scales_generation_time(sim_factory: Any, clock: VirtualClock) -> None:
    fast = sim_factory(clock=clock, speed=10.0)
    with httpx.Client(base_url=fast.base_url, headers={"X-API-Key": fast.demo_key}) as http:
        gen_id = create(http)["id"]
        clock.advance(0.6)
        assert detail(http, gen_id)["status"] == "processing"
        clock.advance(0.4)
        assert detail(http, gen_id)["status"] == "completed"


def test_generation_time_is_deterministic(sim_factory: Any) -> None:
    times = []
    for _ in range(2):
        running = sim_factory(clock=VirtualClock(), speed=1000.0, seed=5)
        with httpx.Client(base_url=running.base_url, headers={"X-API-Key": running.demo_key}) as h:
            gen = create(h, seed=99)
            running.clock.advance(1.0)  # type: ignore[attr-defined]
            times.append((gen["id"], detail(h, gen["id"])["generationTime"]))
    assert times[0] == times[1]


@pytest.mark.parametrize("tags", ["please fail-me now", "FAIL-ME", "a,fail-me"])
def test_fail_me_fails(vclient: httpx.Client, clock: VirtualClock, tags: str) -> None:
    gen_id = create(vclient, tags=tags)["id"]
    clock.advance(10.0)
    data = detail(vclient, gen_id)
    assert data["status"] == "failed"
    assert data["errorMessage"]
    assert data["audioUrl"] is None and data["title"] is None and data["fileSize"] is None
    assert COMPLETED_FORM.fullmatch(data["completedAt"])


def test_fail_me_needs_the_whole_word(vclient: httpx.Client, clock: VirtualClock) -> None:
    gen_id = create(vclient, tags="fail-meter nofail-me")["id"]
    clock.advance(10.0)
    assert detail(vclient, gen_id)["status"] == "completed"


def test_pending_when_worker_slots_are_busy(sim_factory: Any, clock: VirtualClock) -> None:
    busy = sim_factory(clock=clock, speed=1.0, worker_slots=1)
    with httpx.Client(base_url=busy.base_url, headers={"X-API-Key": busy.demo_key}) as http:
        first = create(http)
        second = create(http)
        assert first["status"] == "processing"
        assert second["status"] == "pending"
        listed = http.get("/v1/generations?status=pending").json()["data"]["generations"]
        assert [g["id"] for g in listed] == [second["id"]]
        clock.advance(9.5)
        assert detail(http, first["id"])["status"] == "completed"
        assert detail(http, second["id"])["status"] == "processing"
        clock.advance(9.5)
        assert detail(http, second["id"])["status"] == "completed"


def test_list_newest_first_with_pages(sim_factory: Any, clock: VirtualClock) -> None:
    running = sim_factory(clock=clock, speed=1000.0)
    with httpx.Client(base_url=running.base_url, headers={"X-API-Key": running.demo_key}) as http:
        ids = []
        for i in range(7):
            ids.append(create(http, tags=f"song {i}")["id"])
            clock.advance(7.0)  # stay under 10 creations a minute
        page = http.get("/v1/generations?limit=3").json()["data"]
        assert [g["id"] for g in page["generations"]] == ids[::-1][:3]
        assert page["hasMore"] is True and page["nextOffset"] == 3
        page = http.get("/v1/generations?limit=3&offset=3").json()["data"]
        assert [g["id"] for g in page["generations"]] == ids[::-1][3:6]
        assert page["nextOffset"] == 6
        page = http.get("/v1/generations?limit=3&offset=6").json()["data"]
        assert [g["id"] for g in page["generations"]] == ids[:1]
        assert page["hasMore"] is False and page["nextOffset"] is None
        page = http.get("/v1/generations?offset=50").json()["data"]
        assert page == {"generations": [], "hasMore": False, "nextOffset": None}
        default = http.get("/v1/generations").json()["data"]
        assert len(default["generations"]) == 7
        assert set(default["generations"][0]) == ITEM_FIELDS | {"type"}


def test_list_status_filter(vclient: httpx.Client, clock: VirtualClock) -> None:
    done = create(vclient)["id"]
    failed = create(vclient, tags="fail-me")["id"]
    clock.advance(10.0)
    running = create(vclient)["id"]

    def ids(status: str) -> list[str]:
        data = vclient.get(f"/v1/generations?status={status}").json()["data"]
        return [g["id"] for g in data["generations"]]

    assert ids("completed") == [done]
    assert ids("failed") == [failed]
    assert ids("processing") == [running]
    assert ids("pending") == []


def test_seeded_generations(sim_factory: Any) -> None:
    running = sim_factory(generations=120, seed=3)
    with httpx.Client(base_url=running.base_url, headers={"X-API-Key": running.demo_key}) as http:
        everything = []
        offset: int | None = 0
        while offset is not None:
            page = http.get(f"/v1/generations?limit=100&offset={offset}").json()["data"]
            everything += page["generations"]
            offset = page["nextOffset"]
        assert len(everything) == 120
        statuses = [g["status"] for g in everything]
        assert statuses[0] == "processing"
        assert statuses.count("failed") == 3
        assert statuses.count("completed") == 116
        created = [g["createdAt"] for g in everything]
        assert created == sorted(created, reverse=True)
        assert len({g["parameters"]["keyscale"] for g in everything}) > 10
