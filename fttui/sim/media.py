"""The media origin: public audio files, no key, byte ranges, and a log of requests.

Like the live API's object storage, it serves `/audio/<id>.mp3` to anyone who has the
URL. It records every request's headers so tests can check that the API key never
travels here.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from fttui.sim import mp3
from fttui.sim.generation import Generation
from fttui.sim.responses import CutShortResponse
from fttui.sim.state import SimState

_AUDIO_PATH = re.compile(r"/audio/([^/]+)\.mp3")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")

CAPTIVE_PORTAL_PAGE = (
    "<!DOCTYPE html><html><head><title>Welcome to Airport Wi-Fi</title></head>"
    "<body><h1>Please accept the terms to continue</h1></body></html>"
)
# The stalled and trickling faults: what is sent first, and when they give up.
STALL_HEAD_BYTES = 4096
STALL_GIVE_UP_S = 60.0
TRICKLE_INTERVAL_S = 0.5


@dataclass(frozen=True)
class MediaRequest:
    """One request the media origin received (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]


class AudioCache:
    """Encoded files by generation id, the most recently used `capacity` kept."""

    def __init__(self, capacity: int = 8) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # one synthesis at a time: the CPU is small
        self.renders = 0

    def _cached(self, gen_id: str) -> bytes | None:
        with self._lock:
            data = self._items.get(gen_id)
            if data is not None:
                self._items.move_to_end(gen_id)
            return data

    def get(self, gen: Generation) -> bytes:
        """The file for `gen`, synthesised on first use (blocking: call off the loop)."""
        data = self._cached(gen.id)
        if data is not None:
            return data
        with self._render_lock:
            data = self._cached(gen.id)
            if data is None:
                data = mp3.render(gen.track, gen.title)
                self.renders += 1
                with self._lock:
                    self._items[gen.id] = data
                    while len(self._items) > self.capacity:
                        self._items.popitem(last=False)
            return data


class Unsatisfiable(Exception):
    """A Range header that selects no byte of the file."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a single-range header, or None to send all.

    A malformed or multi-range header is ignored (a server may always send the whole).
    """
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None
    if first >= size:
        raise Unsatisfiable
    last = int(last_text) if last_text else size - 1
    return first, min(last, size - 1)


class MediaApp:
    """The media origin's ASGI application."""

    def __init__(self, state: SimState, cache_capacity: int = 8) -> None:
        self.state = state
        self.cache = AudioCache(cache_capacity)
        self._log: list[MediaRequest] = []
        self._log_lock = threading.Lock()
        self._app = Starlette(
            routes=[Route("/{path:path}", self._handle, methods=["GET", "HEAD", "POST", "PUT"])]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    @property
    def requests(self) -> list[MediaRequest]:
        """Every request received so far, oldest first."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    async def _handle(self, request: Request) -> Response:
        path: str = request.scope["path"]
        with self._log_lock:
            self._log.append(
                MediaRequest(
                    request.method, path, {k.lower(): v for k, v in request.headers.items()}
                )
            )
        if request.method not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", status_code=405)
        match = _AUDIO_PATH.fullmatch(path)
        gen = self.state.find_any(match.group(1)) if match else None
        if gen is None or gen.status(self.state.now()) != "completed":
            return PlainTextResponse("Not Found", status_code=404)

        broken = self._broken_answer(request.method)
        if broken is not None:
            return broken
        data = await run_in_threadpool(self.cache.get, gen)
        streamed = self._streamed_fault(request.method, data)
        if streamed is not None:
            return streamed
        size = len(data)
        headers = {"Accept-Ranges": "bytes", "Cache-Control": "public, max-age=31536000"}
        try:
            selected = parse_range(request.headers.get("range"), size)
        except Unsatisfiable:
            headers["Content-Range"] = f"bytes */{size}"
            return Response(b"", 416, headers, "audio/mpeg")
        status = 200
        if selected is not None:
            first, last = selected
            data = data[first : last + 1]
            status = 206
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(data))
            return Response(b"", status, headers, "audio/mpeg")
        if selected is None or selected[0] == 0:
            with self.state.lock:
                gen.download_count += 1
        if self.state.faults.fires("truncated_audio", request.method):
            return CutShortResponse(data, status, headers, "audio/mpeg")
        return Response(data, status, headers, "audio/mpeg")

    # -- media faults ----------------------------------------------------------------
    def _broken_answer(self, method: str) -> Response | None:
        """A 200 whose body is not audio, when a fault says so."""
        faults = self.state.faults
        if faults.fires("html_audio", method):
            return HTMLResponse(CAPTIVE_PORTAL_PAGE)
        if faults.fires("empty_audio", method):
            return Response(b"", 200, media_type="audio/mpeg")
        if faults.fires("json_audio", method):
            return JSONResponse({"error": "AccessDenied", "message": "Request has expired"})
        return None

    def _streamed_fault(self, method: str, data: bytes) -> Response | None:
        """A body that goes on too long or too slowly, when a fault says so."""
        faults = self.state.faults
        if faults.fires("oversize_audio", method):
            # Chunked, no length: the file then three more copies, then the end.
            return StreamingResponse(_repeated(data, 4), 200, media_type="audio/mpeg")
        for kind, interval in (("stalled_audio", None), ("trickle_audio", TRICKLE_INTERVAL_S)):
            if faults.fires(kind, method):
                headers = {"Content-Length": str(len(data))}
                body = _stalling(data, interval)
                return StreamingResponse(body, 200, headers, media_type="audio/mpeg")
        return None


async def _repeated(data: bytes, times: int) -> AsyncIterator[bytes]:
    step = 64 * 1024
    for _ in range(times):
        for offset in range(0, len(data), step):
            yield data[offset : offset + step]


async def _stalling(data: bytes, interval: float | None) -> AsyncIterator[bytes]:
    """The first bytes, then silence (or a byte per `interval`) until it gives up."""
    yield data[:STALL_HEAD_BYTES]
    offset = STALL_HEAD_BYTES
    waited = 0.0
    while waited < STALL_GIVE_UP_S and offset < len(data):
        pause = interval if interval is not None else STALL_GIVE_UP_S
        await asyncio.sleep(pause)
        waited += pause
        if interval is not None:
            yield data[offset : offset + 1]
            offset += 1
