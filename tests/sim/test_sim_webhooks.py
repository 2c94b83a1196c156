"""Webhooks (v1.1+): accepted, echoed, and delivered once when the generation ends.

The receiver is a tiny HTTP server on loopback started by the test; each wait is for
the exact number of requests expected, bounded, never a sleep.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim

TRACK: dict[str, Any] = {"tags": "lofi chill piano night", "duration": 30, "timesignature": "3"}
WAIT = 10.0  # seconds: a bound, not a delay


class Receiver:
    """Records every POST it gets: (path, headers, body)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], bytes]] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                self.send_response(204)
                self.end_headers()
                with receiver._changed:
                    receiver.calls.append((self.path, headers, body))
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, count: int) -> list[tuple[str, dict[str, str], bytes]]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.calls) >= count, WAIT), self.calls
            return list(self.calls)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def create(http: httpx.Client, path: str = "/v1/generations", **body: Any) -> dict[str, Any]:
    response = http.post(path, json=body)
    assert response.status_code == 202, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_webhook_echoed_on_post_and_get(vclient: httpx.Client, receiver: Receiver) -> None:
    url = receiver.url + "?token=secret"
    created = create(vclient, **TRACK, webhook=url)
    assert created["webhook"] == url
    detail = vclient.get(f"/v1/generations/{created['id']}").json()["data"]
    assert detail["webhook"] == url
    plain = create(vclient, **TRACK)
    assert plain["webhook"] is None
    assert vclient.get(f"/v1/generations/{plain['id']}").json()["data"]["webhook"] is None


def test_webhook_delivered_once_with_the_bare_generation(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock, receiver: Receiver
) -> None:
    first = create(vclient, **TRACK, webhook=receiver.url + "?n=1")
    clock.advance(10.0)  # generations take 6.8-9.2 s at speed 1
    path, headers, body = receiver.wait_for(1)[0]
    assert path == "/hook?n=1"
    assert headers["user-agent"] == "finetuning-webhook/1.0"
    assert headers["content-type"] == "application/json"
    payload = json.loads(body)
    assert "data" not in payload  # no wrapper
    detail = vclient.get(f"/v1/generations/{first['id']}").json()["data"]
    assert payload["status"] == "completed" and payload["id"] == first["id"]
    assert payload["parameters"]["timesignature"] == 3  # a number, as in GET answers
    assert payload["createdAt"] == "2026-01-15T10:30:00.000Z"
    assert payload["completedAt"].endswith("Z") and "T" in payload["completedAt"]
    same = {k: v for k, v in detail.items() if k not in ("createdAt", "completedAt")}
    assert {k: v for k, v in payload.items() if k not in ("createdAt", "completedAt")} == same

    # Once: a later generation's webhook arrives next, and the first was not sent again.
    create(vclient, **TRACK, webhook=receiver.url + "?n=2")
    clock.advance(10.0)
    assert [call[0] for call in receiver.wait_for(2)] == ["/hook?n=1", "/hook?n=2"]
    # The receiver answers before the simulator records the delivery: wait for that too.
    assert vsim.wait_for_webhooks(2, WAIT)
    deliveries = vsim.webhook_deliveries
    assert [(d.sent, d.status) for d in deliveries] == [(True, 204), (True, 204)]


def test_webhook_of_a_failed_generation(
    vclient: httpx.Client, clock: VirtualClock, receiver: Receiver
) -> None:
    create(vclient, tags="please fail-me", webhook=receiver.url)
    clock.advance(10.0)
    payload = json.loads(receiver.wait_for(1)[0][2])
    assert payload["status"] == "failed"
    assert payload["errorMessage"] and payload["audioUrl"] is None


def test_no_webhook_for_a_generation_deleted_before_it_ended(
    vclient: httpx.Client, clock: VirtualClock, receiver: Receiver
) -> None:
    gone = create(vclient, **TRACK, webhook=receiver.url + "?n=1")
    deleted = vclient.post("/v1/generations/bulk-delete", json={"ids": [gone["id"]]})
    assert deleted.json()["data"] == {"deleted": [gone["id"]]}
    create(vclient, **TRACK, webhook=receiver.url + "?n=2")
    clock.advance(10.0)
    # The deleted one would have come due first, so it would have arrived first.
    assert [call[0] for call in receiver.wait_for(1)] == ["/hook?n=2"]


def test_public_webhook_is_recorded_not_sent(
    vsim: RunningSim, vclient: httpx.Client, clock: VirtualClock
) -> None:
    url = "https://hooks.example.com/finetuning?token=abc"
    gen = create(vclient, **TRACK, webhook=url)
    clock.advance(10.0)
    assert vsim.wait_for_webhooks(1, WAIT)
    (delivery,) = vsim.webhook_deliveries
    assert delivery.url == url and delivery.sent is False
    assert delivery.payload["id"] == gen["id"] and delivery.payload["status"] == "completed"


def test_instrumental_webhook(
    vclient: httpx.Client, clock: VirtualClock, receiver: Receiver
) -> None:
    gen = create(vclient, "/v1/instrumental", prompt="ambient pads", webhook=receiver.url)
    assert gen["webhook"] == receiver.url
    clock.advance(10.0)
    payload = json.loads(receiver.wait_for(1)[0][2])
    assert payload["id"] == gen["id"] and payload["type"] == "instrumental"
