"""Exact validation of the POST body and the list query, over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fttui.clock import VirtualClock
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim, start
from fttui.sim.validation import LANGUAGES, MUSICAL_KEYS

OK = {"tags": "lofi chill piano night"}


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[RunningSim, httpx.Client]]:
    """One simulator for the module; its virtual clock moves 7 s before each request so
    neither rate limit nor the queue gets in the way of checking validation."""
    clock = VirtualClock()
    running = start(clock=clock, speed=1000.0)

    def tick(request: httpx.Request) -> None:
        clock.advance(7.0)

    http = httpx.Client(
        base_url=running.base_url,
        headers={"X-API-Key": DEMO_KEY},
        event_hooks={"request": [tick]},
    )
    yield running, http
    http.close()
    running.close()


@pytest.fixture
def http(shared: tuple[RunningSim, httpx.Client]) -> httpx.Client:
    return shared[1]


def fields_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    return [d["field"] for d in error.get("details") or []]


GOOD: list[tuple[str, Any]] = [
    ("tags", "a"),
    ("tags", "x" * 700),
    ("lyrics", ""),
    ("lyrics", "y" * 2000),
    ("duration", 5),
    ("duration", 210),
    ("duration", 60.0),
    ("bpm", 60),
    ("bpm", 200),
    ("timesignature", "2"),
    ("timesignature", "7"),
    ("scale", "major"),
    ("scale", "minor"),
    ("seed", 0),
    ("seed", 1234567),
    ("seed", 42.0),
    *[("language", code) for code in LANGUAGES],
    *[("key", name) for name in MUSICAL_KEYS],
]

BAD: list[tuple[str, Any]] = [
    ("tags", ""),
    ("tags", "x" * 701),
    ("tags", 5),
    ("tags", None),
    ("tags", ["lofi"]),
    ("lyrics", "y" * 2001),
    ("lyrics", 3),
    ("lyrics", None),
    ("duration", 4),
    ("duration", 4.99),
    ("duration", 211),
    ("duration", "60"),
    ("duration", True),
    ("duration", None),
    ("bpm", 59),
    ("bpm", 201),
    ("bpm", "120"),
    ("language", "EN"),
    ("language", "xx"),
    ("language", 1),
    ("key", "Db"),
    ("key", "c"),
    ("key", "H"),
    ("scale", "Major"),
    ("scale", "dorian"),
    ("timesignature", "1"),
    ("timesignature", "8"),
    ("timesignature", 4),
    ("timesignature", "4/4"),
    ("seed", 1.5),
    ("seed", "7"),
    ("seed", True),
    ("seed", None),
    ("timeSignature", "4"),
]


@pytest.mark.parametrize(("field", "value"), GOOD)
def test_accepts(http: httpx.Client, field: str, value: Any) -> None:
    body = {**OK, field: value}
    response = http.post("/v1/generations", json=body)
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(("field", "value"), BAD)
def test_rejects(http: httpx.Client, field: str, value: Any) -> None:
    body = {**OK, field: value}
    assert fields_of(http.post("/v1/generations", json=body)) == [field]


def test_tags_required(http: httpx.Client) -> None:
    assert fields_of(http.post("/v1/generations", json={"bpm": 90})) == ["tags"]


def test_every_bad_field_reported_at_once(http: httpx.Client) -> None:
    body = {"tags": "", "duration": 300, "bpm": 300, "key": "Eb", "scale": "lydian", "seed": "x"}
    response = http.post("/v1/generations", json=body)
    assert sorted(fields_of(response)) == ["bpm", "duration", "key", "scale", "seed", "tags"]
    message = response.json()["error"]["message"]
    assert "bpm" in message and "key" in message


@pytest.mark.parametrize(
    "raw",
    [b"", b"   ", b"[]", b'"lofi"', b"42", b"null", b"{", b'{"tags": NaN}', b"\xff\xfe"],
)
def test_rejects_bodies_that_are_not_a_json_object(http: httpx.Client, raw: bytes) -> None:
    response = http.post(
        "/v1/generations", content=raw, headers={"Content-Type": "application/json"}
    )
    assert fields_of(response) == []
    assert "details" not in response.json()["error"]


def test_defaults_and_echo(http: httpx.Client) -> None:
    data = http.post("/v1/generations", json={"tags": "calm", "seed": 7}).json()["data"]
    params = data["parameters"]
    assert params["bpm"] == 120 and params["duration"] == 60 and params["timesignature"] == "4"
    assert params["seed"] == 7 and params["language"] == "en"
    key, scale = params["keyscale"].split(" ")
    assert key in MUSICAL_KEYS and scale in ("major", "minor")
    data = http.post(
        "/v1/generations",
        json={"tags": "x", "duration": 90.4, "bpm": 85, "key": "D#", "scale": "minor"},
    ).json()["data"]
    assert data["parameters"]["duration"] == 90
    assert data["parameters"]["keyscale"] == "D# minor"
    assert isinstance(data["parameters"]["seed"], int)


def test_unicode_length_counts_characters(http: httpx.Client) -> None:
    body = json.dumps({"tags": "é" * 700}, ensure_ascii=False).encode()
    response = http.post("/v1/generations", content=body)
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ("limit=0", ["limit"]),
        ("limit=101", ["limit"]),
        ("limit=abc", ["limit"]),
        ("limit=-1", ["limit"]),
        ("limit=2.5", ["limit"]),
        ("offset=-1", ["offset"]),
        ("offset=x", ["offset"]),
        ("status=done", ["status"]),
        ("status=COMPLETED", ["status"]),
        ("limit=0&offset=-3&status=nope", ["limit", "offset", "status"]),
    ],
)
def test_list_query_rejected(http: httpx.Client, query: str, bad: list[str]) -> None:
    assert fields_of(http.get(f"/v1/generations?{query}")) == bad


@pytest.mark.parametrize(
    "query",
    ["limit=1", "limit=100", "offset=0", "offset=5000", "status=pending", "status=failed", "x=1"],
)
def test_list_query_accepted(http: httpx.Client, query: str) -> None:
    assert http.get(f"/v1/generations?{query}").status_code == 200


LONG_PATH = "https://example.com/" + "a" * (2048 - len("https://example.com/"))

GOOD_WEBHOOKS = [
    "https://example.com/hook?token=secret",
    "https://hooks.example.co.uk:8443/finetuning",
    "https://93.184.216.34/hook",
    LONG_PATH,  # exactly 2048 characters
    "http://127.0.0.1:9/hook",  # loopback: the simulator's allowance, http too
    "https://localhost/hook",
    "http://[::1]:8080/",
]

BAD_WEBHOOKS = [
    LONG_PATH + "a",  # 2049 characters
    "http://example.com/hook",  # not https
    "ftp://example.com/hook",
    "example.com/hook",
    "https://",
    "https://exa mple.com/",
    "https://example.com:99999/",
    "https://10.0.0.5/hook",  # private addresses
    "https://192.168.1.20/hook",
    "https://172.16.0.1/hook",
    "https://169.254.169.254/latest",
    "https://[fd00::1]/hook",
    "https://0.0.0.0/hook",
    "https://intranet/hook",  # not a public name
    "https://printer.local/hook",
    "https://db.internal/hook",
    5,
    None,
]


@pytest.mark.parametrize("url", GOOD_WEBHOOKS)
def test_webhook_accepted(http: httpx.Client, url: str) -> None:
    response = http.post("/v1/generations", json={**OK, "webhook": url})
    assert response.status_code == 202, response.text
    assert response.json()["data"]["webhook"] == url


@pytest.mark.parametrize("url", BAD_WEBHOOKS)
def test_webhook_rejected(http: httpx.Client, url: Any) -> None:
    assert fields_of(http.post("/v1/generations", json={**OK, "webhook": url})) == ["webhook"]


@pytest.mark.parametrize("query", ["type=music", "type=instrumental", "type=music&status=failed"])
def test_type_filter_accepted(http: httpx.Client, query: str) -> None:
    assert http.get(f"/v1/generations?{query}").status_code == 200


@pytest.mark.parametrize("query", ["type=sfx", "type=Music", "type=", "type=all"])
def test_unknown_type_filter_is_a_400_never_ignored(http: httpx.Client, query: str) -> None:
    assert fields_of(http.get(f"/v1/generations?{query}")) == ["type"]


INSTRUMENTAL = {"prompt": "ambient drone pads"}


@pytest.mark.parametrize(
    ("body", "duration"),
    [
        ({}, 120),  # the default
        ({"duration": 30}, 30),
        ({"duration": 210}, 210),
        ({"duration": 37}, 30),  # snapped to 15 s
        ({"duration": 37.5}, 45),
        ({"duration": 98}, 105),
        ({"enhance": False, "seed": 5}, 120),
        ({"webhook": "https://example.com/h"}, 120),
    ],
)
def test_instrumental_accepted(http: httpx.Client, body: dict[str, Any], duration: int) -> None:
    response = http.post("/v1/instrumental", json={**INSTRUMENTAL, **body})
    assert response.status_code == 202, response.text
    data = response.json()["data"]
    assert data["type"] == "instrumental"
    assert data["parameters"]["duration"] == duration


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x" * 701}, "prompt"),
        ({"prompt": None}, "prompt"),
        ({"duration": 29}, "duration"),
        ({"duration": 211}, "duration"),
        ({"duration": "60"}, "duration"),
        ({"enhance": "yes"}, "enhance"),
        ({"enhance": None}, "enhance"),
        ({"seed": 1.5}, "seed"),
        ({"webhook": "http://example.com/h"}, "webhook"),
        ({"tags": "lofi"}, "tags"),  # instrumental takes `prompt`, not `tags`
    ],
)
def test_instrumental_rejected(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert fields_of(http.post("/v1/instrumental", json={**INSTRUMENTAL, **body})) == [field]


def test_instrumental_prompt_required(http: httpx.Client) -> None:
    assert fields_of(http.post("/v1/instrumental", json={"duration": 60})) == ["prompt"]


SFX = {"prompt": "door creak"}


@pytest.mark.parametrize(
    ("body", "requested", "duration"),
    [
        ({}, 4.0, 4.0),
        ({"duration": 1}, 1.0, 1.0),
        ({"duration": 8}, 8.0, 8.0),
        ({"duration": 2.3}, 2.3, 2.5),  # snapped to 0.5 s
        ({"duration": 2.2, "enhance": False}, 2.2, 2.0),
    ],
)
def test_sound_effect_accepted(
    http: httpx.Client,
    shared: tuple[RunningSim, httpx.Client],
    body: dict[str, Any],
    requested: float,
    duration: float,
) -> None:
    data = http.post("/v1/sound-effects", json={**SFX, **body}).json()["data"]
    assert data["requestedDuration"] == requested
    shared[0].clock.advance(60.0)  # type: ignore[attr-defined]
    done = http.get(f"/v1/sound-effects/{data['id']}").json()["data"]
    assert done["status"] == "completed" and done["duration"] == duration


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"duration": 0.5}, "duration"),
        ({"duration": 8.5}, "duration"),
        ({"duration": "4"}, "duration"),
        ({"enhance": 1}, "enhance"),
        ({"webhook": "https://10.1.2.3/h"}, "webhook"),
        ({"seed": 3}, "seed"),  # not a sound-effect field
    ],
)
def test_sound_effect_rejected(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert fields_of(http.post("/v1/sound-effects", json={**SFX, **body})) == [field]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/generations/bulk-delete", {}, "ids"),
        ("/v1/generations/bulk-delete", {"ids": []}, "ids"),
        ("/v1/generations/bulk-delete", {"ids": [f"id{i}" for i in range(101)]}, "ids"),
        ("/v1/generations/bulk-delete", {"ids": ["a", 5]}, "ids"),
        ("/v1/generations/bulk-delete", {"ids": "a"}, "ids"),
        ("/v1/generations/bulk-delete", {"ids": ["a"], "force": True}, "force"),
        ("/v1/playlists/p/tracks", {}, "trackIds"),
        ("/v1/playlists/p/tracks", {"trackIds": []}, "trackIds"),
        ("/v1/playlists/p/tracks", {"trackIds": ["t"] * 101}, "trackIds"),
        ("/v1/playlists/p/tracks/bulk-remove", {"trackIds": [None]}, "trackIds"),
        ("/v1/playlists/p/tracks/move", {"trackIds": ["t"]}, "targetPlaylistId"),
        (
            "/v1/playlists/p/tracks/move",
            {"trackIds": ["t"], "targetPlaylistId": 4},
            "targetPlaylistId",
        ),
        (
            "/v1/playlists/p/tracks/move",
            {"trackIds": ["t"], "targetPlaylistId": "p"},
            "targetPlaylistId",
        ),
    ],
)
def test_bulk_bodies_rejected(
    http: httpx.Client, path: str, body: dict[str, Any], field: str
) -> None:
    assert fields_of(http.post(path, json=body)) == [field]


def test_bulk_delete_takes_exactly_a_hundred_ids(http: httpx.Client) -> None:
    response = http.post(
        "/v1/generations/bulk-delete", json={"ids": [f"id{i}" for i in range(100)]}
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["errors"]) == 100
