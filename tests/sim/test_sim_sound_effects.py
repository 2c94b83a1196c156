"""Sound effects: their own store, lifecycle, listing, and the 100-a-UTC-day cap."""

from __future__ import annotations

import re
from typing import Any

import httpx

from fttui.clock import VirtualClock
from fttui.sim.accounts import LIFETIME_KEY
from fttui.sim.server import RunningSim

CLIP = {"prompt": "door creak", "duration": 2.5}
FIELDS = {
    "id",
    "status",
    "prompt",
    "requestedDuration",
    "audioUrl",
    "duration",
    "webhook",
    "dailyRemaining",
    "errorMessage",
    "createdAt",
    "completedAt",
}


def make(http: httpx.Client, **changes: Any) -> dict[str, Any]:
    response = http.post("/v1/sound-effects", json={**CLIP, **changes})
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_lifecycle(vclient: httpx.Client, clock: VirtualClock) -> None:
    made = make(vclient)
    assert set(made) == FIELDS
    assert made["status"] == "processing" and made["dailyRemaining"] == 99
    assert made["audioUrl"] is None and made["duration"] is None and made["webhook"] is None
    assert made["requestedDuration"] == 2.5
    clock.advance(5.0)
    done = vclient.get(f"/v1/sound-effects/{made['id']}").json()["data"]
    assert done["status"] == "completed" and done["duration"] == 2.5
    assert re.fullmatch(r".*/audio/[0-9a-f-]+\.mp3", done["audioUrl"])
    assert httpx.head(done["audioUrl"]).status_code == 200
    assert done["completedAt"].endswith("Z") and done["errorMessage"] is None


def test_failed_sound_effect(vclient: httpx.Client, clock: VirtualClock) -> None:
    made = make(vclient, prompt="glass fail-me")
    clock.advance(5.0)
    data = vclient.get(f"/v1/sound-effects/{made['id']}").json()["data"]
    assert data["status"] == "failed" and data["errorMessage"] and data["audioUrl"] is None


def test_own_store_and_no_credit(vsim: RunningSim, vclient: httpx.Client) -> None:
    made = make(vclient)
    assert vclient.get("/v1/generations").json()["data"]["generations"] == []
    assert vclient.get(f"/v1/generations/{made['id']}").status_code == 404
    limits = vclient.get("/v1/me").json()["data"]["limits"]
    assert limits["totalRemaining"] == 1953
    other = httpx.get(
        f"{vsim.base_url}/v1/sound-effects/{made['id']}", headers={"X-API-Key": LIFETIME_KEY}
    )
    assert other.status_code == 404


def test_list_pages_and_status(vclient: httpx.Client, clock: VirtualClock) -> None:
    ids = [make(vclient, prompt=f"clip {i}")["id"] for i in range(3)]
    clock.advance(5.0)
    latest = make(vclient)["id"]
    page = vclient.get("/v1/sound-effects?limit=2").json()["data"]
    assert set(page) == {"soundEffects", "hasMore", "nextOffset"}
    assert [e["id"] for e in page["soundEffects"]] == [latest, ids[2]]
    assert page["hasMore"] is True and page["nextOffset"] == 2
    page = vclient.get("/v1/sound-effects?limit=2&offset=2").json()["data"]
    assert [e["id"] for e in page["soundEffects"]] == [ids[1], ids[0]]
    assert page["hasMore"] is False and page["nextOffset"] is None
    done = vclient.get("/v1/sound-effects?status=completed").json()["data"]["soundEffects"]
    assert [e["id"] for e in done] == ids[::-1]
    assert vclient.get("/v1/sound-effects?status=nope").status_code == 400
    assert vclient.get("/v1/sound-effects?limit=101").status_code == 400


def test_daily_cap(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock, expect_error: Any
) -> None:
    vsim.set_sound_effects_used_today(98)  # e.g. made in the web app today
    assert make(vclient)["dailyRemaining"] == 1
    last = make(vclient)
    assert last["dailyRemaining"] == 0
    error = expect_error(vclient.post("/v1/sound-effects", json=CLIP), "DAILY_LIMIT_REACHED")
    assert "100" in error["message"]
    assert vclient.get(f"/v1/sound-effects/{last['id']}").json()["data"]["dailyRemaining"] == 0
    # The VirtualClock starts at 10:30 UTC: the cap resets at midnight.
    clock.advance(13.5 * 3600 - 1)
    expect_error(vclient.post("/v1/sound-effects", json=CLIP), "DAILY_LIMIT_REACHED")
    clock.advance(1)
    assert make(vclient)["dailyRemaining"] == 99


def test_daily_cap_is_per_user(vsim: RunningSim, vclient: httpx.Client) -> None:
    vsim.set_sound_effects_used_today(100)
    assert vclient.post("/v1/sound-effects", json=CLIP).status_code == 402
    other = httpx.post(
        vsim.base_url + "/v1/sound-effects", json=CLIP, headers={"X-API-Key": LIFETIME_KEY}
    )
    assert other.status_code == 202 and other.json()["data"]["dailyRemaining"] == 99


def test_sound_effect_webhook(vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock) -> None:
    made = make(vclient, webhook="https://example.com/sfx")
    assert made["webhook"] == "https://example.com/sfx"
    clock.advance(5.0)
    assert vsim.wait_for_webhooks(1, 10.0)
    (delivery,) = vsim.webhook_deliveries
    assert delivery.payload["id"] == made["id"] and delivery.payload["status"] == "completed"
    assert "data" not in delivery.payload
