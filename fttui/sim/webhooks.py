"""Webhooks: which URLs the API takes, and the one delivery made when a generation ends.

The live API POSTs the finished generation object (no `data` wrapper) once, without
retry, with `User-Agent: finetuning-webhook/1.0`, to a public https URL. The simulator
takes loopback URLs too (plain http allowed there), so tests can receive the call, and
delivers only to loopback: any other URL is recorded as the delivery it would make.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

USER_AGENT = "finetuning-webhook/1.0"
MAX_LENGTH = 2048
NOT_LOOPBACK = "not sent: the simulator delivers only to loopback URLs"
_PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".localdomain", ".home.arpa", ".intranet")
_POLL_SECONDS = 0.02  # how often due deliveries are looked for while some wait
_SEND_TIMEOUT = 5.0

Payload = dict[str, Any]


def is_loopback_host(host: str) -> bool:
    """localhost, *.localhost, 127.0.0.0/8 or ::1."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_public_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    return "." in host and not host.endswith(_PRIVATE_SUFFIXES)


def webhook_problem(url: str) -> str | None:
    """Why the API would refuse `url` as a webhook, or None when it takes it."""
    if len(url) > MAX_LENGTH:
        return f"webhook must be at most {MAX_LENGTH} characters (got {len(url)})"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "webhook must be a valid https URL"
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        return "webhook must be a valid https URL"
    if is_loopback_host(host):
        return None  # the simulator's allowance, so tests can receive the call
    if parts.scheme != "https":
        return "webhook must be an https URL"
    if not _is_public_host(host):
        return "webhook must point to a public host (no localhost, no private IPs)"
    return None


@dataclass(frozen=True)
class WebhookDelivery:
    """One webhook the simulator made (or would have made, `sent` False)."""

    url: str
    payload: Payload
    sent: bool
    status: int | None = None
    error: str | None = None


@dataclass
class _Pending:
    url: str
    due: float
    payload: Callable[[], Payload | None]  # None: nothing to send any more (deleted)


class WebhookOutbox:
    """Webhooks waiting for their generation to end, and the thread that sends them.

    `payload` functions run under `lock`, at the first look after `due` on `now`'s
    clock; each pending webhook is taken out before it is sent, so it goes once.
    """

    def __init__(self, now: Callable[[], float], lock: threading.RLock) -> None:
        self._now = now
        self._lock = lock
        self._pending: list[_Pending] = []
        self._log: list[WebhookDelivery] = []
        self._log_lock = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, url: str, due: float, payload: Callable[[], Payload | None]) -> None:
        """Send `payload()` to `url` once the clock reaches `due`."""
        with self._lock:
            self._pending.append(_Pending(url, due, payload))
        self._wake.set()

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """Every delivery made so far, oldest first."""
        with self._log_lock:
            return list(self._log)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until `count` deliveries were made (True), or `timeout` seconds (False)."""
        with self._log_lock:
            return self._log_lock.wait_for(lambda: len(self._log) >= count, timeout)

    def claim_due(self) -> tuple[list[tuple[str, Payload]], bool]:
        """The deliveries now due (taken out), and whether others still wait."""
        due: list[tuple[str, Payload]] = []
        with self._lock:
            now = self._now()
            waiting: list[_Pending] = []
            for item in sorted(self._pending, key=lambda p: p.due):
                if item.due > now:
                    waiting.append(item)
                    continue
                payload = item.payload()
                if payload is not None:
                    due.append((item.url, payload))
            self._pending = waiting
            return due, bool(waiting)

    def start(self) -> None:
        """Start the sending thread (stopped by `stop`)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="fttui-sim-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=_SEND_TIMEOUT + 1)
            self._thread = None

    def _run(self) -> None:
        with httpx.Client(timeout=_SEND_TIMEOUT, trust_env=False) as http:
            while not self._stopping.is_set():
                self._wake.clear()
                due, waiting = self.claim_due()
                for url, payload in due:
                    self._record(self._deliver(http, url, payload))
                if waiting:
                    self._stopping.wait(_POLL_SECONDS)
                else:
                    self._wake.wait()

    def _deliver(self, http: httpx.Client, url: str, payload: Payload) -> WebhookDelivery:
        host = urlsplit(url).hostname or ""
        if not is_loopback_host(host):
            return WebhookDelivery(url, payload, sent=False, error=NOT_LOOPBACK)
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        try:
            response = http.post(url, content=json.dumps(payload).encode(), headers=headers)
        except httpx.HTTPError as exc:
            # Fire-once: a receiver that is down simply misses it.
            return WebhookDelivery(url, payload, sent=True, error=str(exc) or type(exc).__name__)
        return WebhookDelivery(url, payload, sent=True, status=response.status_code)

    def _record(self, delivery: WebhookDelivery) -> None:
        with self._log_lock:
            self._log.append(delivery)
            self._log_lock.notify_all()
