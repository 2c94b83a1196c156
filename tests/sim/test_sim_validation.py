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
    ("tags", "x" * 500),
    ("lyrics", ""),
    ("lyrics", "y" * 2000),
    ("duration", 10),
    ("duration", 180),
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
    ("tags", "x" * 501),
    ("tags", 5),
    ("tags", None),
    ("tags", ["lofi"]),
    ("lyrics", "y" * 2001),
    ("lyrics", 3),
    ("lyrics", None),
    ("duration", 9),
    ("duration", 9.99),
    ("duration", 181),
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
    ("webhook", "https://example.com"),
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
    body = {"tags": "", "duration": 5, "bpm": 300, "key": "Eb", "scale": "lydian", "seed": "x"}
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
    body = json.dumps({"tags": "é" * 500}, ensure_ascii=False).encode()
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
