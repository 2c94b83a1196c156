"""Synthetic audio and a small loopback media server, for tests and benchmarks.

Not used by the app. The audio comes from independent encoders (lameenc for MP3, the
standard library's `wave` for WAV), so the decoder is checked against files it did not
make. The server speaks just enough HTTP/1.1 to stand in for object storage: a
Content-Length, optional byte ranges, optional throttling, and scripted faults.
"""

from __future__ import annotations

import array
import asyncio
import io
import math
import re
import sys
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import lameenc

from fttui.audio.formats import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH


def tone_pcm(seconds: float, *, frequency: float = 440.0, amplitude: float = 0.3) -> bytes:
    """A stereo 16-bit sine tone; one second is computed and repeated (fast for long tracks)."""
    period = [
        int(amplitude * 32767 * math.sin(2 * math.pi * frequency * n / SAMPLE_RATE))
        for n in range(SAMPLE_RATE)
    ]
    one_second = array.array("h", [s for s in period for _ in range(CHANNELS)]).tobytes()
    whole, rest = divmod(int(seconds * SAMPLE_RATE), SAMPLE_RATE)
    frame = CHANNELS * SAMPLE_WIDTH
    return one_second * whole + one_second[: rest * frame]


def encode_mp3(pcm: bytes, *, bitrate: int = 128) -> bytes:
    """MP3 of 44.1 kHz stereo PCM, encoded by LAME."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(CHANNELS)
    encoder.set_quality(7)  # fast; the sound quality does not matter here
    return bytes(encoder.encode(pcm) + encoder.flush())


def encode_wav(pcm: bytes, *, sample_rate: int = SAMPLE_RATE) -> bytes:
    """A WAV file around 16-bit stereo PCM, written by the standard library."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(CHANNELS)
        writer.setsampwidth(SAMPLE_WIDTH)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return out.getvalue()


@dataclass
class Served:
    """One file on the server and how to misbehave while serving it."""

    body: bytes
    ranges: bool = True  # honour Range requests
    cut_first: int = 0  # this many requests drop the connection half-way
    length_header: bool = True  # False: no Content-Length, the end of the body is a close
    bytes_per_s: float | None = None  # throttle
    redirect_to: str | None = None
    pause_at: int | None = None  # stop sending after this many bytes until `resume` is set
    resume: threading.Event = field(default_factory=threading.Event)


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a stopped download) is no error worth a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class MediaServer:
    """A threaded HTTP server on 127.0.0.1; `url(path)` gives each file's address."""

    files: dict[str, Served] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None  # keep test output clean

            def do_GET(self) -> None:
                server._handle(self)

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> MediaServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving (a later request is refused)."""
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def port(self) -> int:
        """The port chosen by the system."""
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        """The address of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests.append({"path": handler.path, "headers": dict(handler.headers)})
        served = self.files.get(handler.path)
        if served is None:
            handler.send_error(404)
            return
        if served.redirect_to is not None:
            handler.send_response(302)
            handler.send_header("Location", served.redirect_to)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body, start = served.body, 0
        match = re.fullmatch(r"bytes=(\d+)-", handler.headers.get("Range", ""))
        if served.ranges and match:
            start = int(match.group(1))
            handler.send_response(206)
            handler.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            handler.send_response(200)
        if served.ranges:
            handler.send_header("Accept-Ranges", "bytes")
        handler.send_header("Content-Type", "audio/mpeg")
        if served.length_header:
            handler.send_header("Content-Length", str(len(body) - start))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        stop = len(body)
        if served.cut_first > 0:
            served.cut_first -= 1
            stop = start + (len(body) - start) // 2
        self._send(handler, body, start, stop, served)
        if stop < len(body):
            handler.close_connection = True

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, body: bytes, start: int, stop: int, served: Served
    ) -> None:
        step = 16 * 1024
        began = time.monotonic()
        try:
            for offset in range(start, stop, step):
                end = min(stop, offset + step)
                if served.pause_at is not None and offset < served.pause_at <= end:
                    handler.wfile.write(body[offset : served.pause_at])
                    handler.wfile.flush()
                    served.resume.wait(30)
                    offset = served.pause_at
                handler.wfile.write(body[offset:end])
                if served.bytes_per_s:
                    ahead = (end - start) / served.bytes_per_s - (time.monotonic() - began)
                    if ahead > 0:
                        time.sleep(ahead)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a stop, or the end of a test)


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `predicate()` is true, or raise TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached in time")
        await asyncio.sleep(0.01)
