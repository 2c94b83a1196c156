"""Running the simulator: two loopback origins served by uvicorn in a background thread.

`run_in_thread()` is the in-process handle for tests and the demo mode; `main()` is the
blocking command line (`fttui sim`, `python -m fttui.sim`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypedDict

import h11
import uvicorn
from typing_extensions import Unpack
from uvicorn.protocols.http.h11_impl import H11Protocol

from fttui.clock import Clock
from fttui.sim import persist
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.api import ApiApp
from fttui.sim.faults import RULE_KINDS, Faults, parse_rule
from fttui.sim.media import MediaApp, MediaRequest
from fttui.sim.playlists import Playlist
from fttui.sim.responses import CUT_SHORT_LOG_MESSAGE
from fttui.sim.seeding import DEMO_PLAYLISTS, add_existing, add_playlists
from fttui.sim.state import SimState
from fttui.sim.webhooks import WebhookDelivery

_START_TIMEOUT = 10.0


class _QuietCutShort(logging.Filter):
    """Hide uvicorn's complaint about responses the simulator cuts short on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != CUT_SHORT_LOG_MESSAGE


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietCutShort) for f in logger.filters):
        logger.addFilter(_QuietCutShort())


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, bound now so its port is known before the server starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
    # protocol says TCP, and without it every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class _Server(uvicorn.Server):
    """A uvicorn server that stops as soon as asked rather than on its 0.1 s poll."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while not await self.on_tick(0):
            # Wake at least once a second: on_tick refreshes the Date header.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0)

    def request_stop(self) -> None:
        """Ask the server to stop; safe from any thread."""
        self.should_exit = True
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)


def _closing_when_told(faults: Faults) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, except that the `close_idle` fault closes the connection
    as a request begins to arrive: unread, unanswered, not done."""

    class ClosesIdle(H11Protocol):
        def data_received(self, data: bytes) -> None:
            starting = self.conn.their_state is h11.IDLE
            method = data.split(b" ", 1)[0].decode("ascii", "replace")
            if starting and faults.fires("close_idle", method):
                self.transport.close()
                return
            super().data_received(data)

    return ClosesIdle


class _Origin:
    """One uvicorn server on a fixed port, startable and stoppable on a shared loop."""

    def __init__(
        self,
        app: Any,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop,
        protocol: type[asyncio.Protocol] | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.loop = loop
        self.protocol = protocol
        self._sock: socket.socket | None = _listen(host, port)
        self.port: int = self._sock.getsockname()[1]
        self._server: _Server | None = None
        self._done: concurrent.futures.Future[None] | None = None

    @property
    def url(self) -> str:
        return _url(self.host, self.port)

    @property
    def running(self) -> bool:
        return self._done is not None and not self._done.done()

    def start(self) -> None:
        """Serve, returning once the server accepts connections."""
        if self.running:
            return
        sock = self._sock or _listen(self.host, self.port)
        self._sock = None  # uvicorn closes it on shutdown
        config = uvicorn.Config(
            self.app,
            log_config=None,
            access_log=False,
            lifespan="off",
            http=self.protocol or "h11",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        server = _Server(config)
        self._server = server
        self._done = asyncio.run_coroutine_threadsafe(server.serve(sockets=[sock]), self.loop)
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if self._done.done():
                self._done.result()  # raises the start-up error
                raise RuntimeError("simulator server exited during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("simulator server did not start in time")
            time.sleep(0.001)

    def request_stop(self) -> None:
        """Begin stopping without waiting (so two origins stop side by side)."""
        if self._server is not None:
            self._server.request_stop()

    def stop(self) -> None:
        """Stop serving; connections are closed and the port is released."""
        self.request_stop()
        if self._done is not None:
            self._done.result(timeout=_START_TIMEOUT)
        self._server = None
        self._done = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class RunningSim:
    """A simulator serving in a background thread, and the handle tests drive it by."""

    def __init__(
        self, state: SimState, api: _Origin, media: _Origin, loop_thread: threading.Thread
    ) -> None:
        self.state = state
        self.api_app: ApiApp = api.app
        self.media_app: MediaApp = media.app
        self.demo_key = DEMO_KEY
        self._api = api
        self._media = media
        self._thread = loop_thread

    @property
    def base_url(self) -> str:
        """The API origin, e.g. `http://127.0.0.1:8787`."""
        return self._api.url

    @property
    def media_url(self) -> str:
        """The media origin, e.g. `http://127.0.0.1:8788` (audio at /audio/<id>.mp3)."""
        return self._media.url

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def faults(self) -> Faults:
        """The live fault settings; change their fields at any time."""
        return self.state.faults

    def set_faults(self, **changes: Any) -> None:
        """Change faults by name: `latency=0.2`, `fail_rate=0.5`, `drop_after_commit=
        FaultRule(next=1)` or a rule as text, `internal_error="next:2,only:POST"`."""
        faults = self.state.faults
        for name, value in changes.items():
            if name in RULE_KINDS:
                setattr(faults, name, parse_rule(value) if isinstance(value, str) else value)
            elif name in ("latency", "fail_rate", "commit_latency"):
                setattr(faults, name, float(value))
            elif name == "audio_origin":
                faults.audio_origin = None if value is None else str(value)
            else:
                raise ValueError(f"unknown fault {name!r}")

    def generation_count(self, key: str = DEMO_KEY) -> int:
        """How many generations the account of `key` has."""
        return len(self.state.generations(key))

    def post_count(self, key: str = DEMO_KEY) -> int:
        """How many POST /v1/generations arrived for the account of `key`."""
        return self.state.post_count(key)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook the simulator made, or would have made to a non-loopback URL."""
        return self.state.webhooks.deliveries

    def wait_for_webhooks(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until `count` webhook deliveries were made; False on timeout."""
        return self.state.webhooks.wait_for(count, timeout)

    def add_playlist(
        self,
        name: str,
        *,
        key: str = DEMO_KEY,
        public: bool = False,
        track_ids: list[str] | None = None,
        description: str | None = None,
    ) -> str:
        """Make a playlist as the web app would (the API cannot); returns its id.

        The tracks are taken as given: the privacy rules bind the API, not this."""
        state = self.state
        with state.lock:
            when = state.clock.now()
            playlist = Playlist(
                id=state.new_id(),
                owner_id=state.account(key).id,
                name=name,
                description=description,
                is_public=public,
                created_at=when,
                updated_at=when,
                track_ids=list(track_ids or []),
            )
            state.playlists.add(playlist)
        return playlist.id

    def set_public(self, gen_id: str, public: bool = True) -> None:
        """Change a track's visibility, as its owner would in the web app."""
        with self.state.lock:
            gen = self.state.track(gen_id)
            if gen is None:
                raise KeyError(gen_id)
            gen.is_public = public

    def set_sound_effects_used_today(self, count: int, key: str = DEMO_KEY) -> None:
        """Say how many sound effects `key`'s account made today (e.g. in the web app)."""
        state = self.state
        with state.lock:
            state.sound_effects.set_used_today(state.account(key), state.clock.now(), count)

    @property
    def media_requests(self) -> list[MediaRequest]:
        """Every request the media origin received, with its headers."""
        return self.media_app.requests

    @property
    def media_running(self) -> bool:
        return self._media.running

    def stop_media(self) -> None:
        """Take the media origin offline (its port refuses connections)."""
        self._media.stop()

    def start_media(self) -> None:
        """Bring the media origin back on the same port, so audio URLs stay valid."""
        self._media.start()

    def close(self) -> None:
        """Stop both origins, the webhook sender and the thread serving them."""
        self.state.webhooks.stop()
        self._media.request_stop()
        self._api.request_stop()
        self._media.stop()
        self._api.stop()
        loop = self._api.loop
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=_START_TIMEOUT)
        if not self._thread.is_alive():
            loop.close()


def start(
    *,
    speed: float = 1.0,
    generations: int = 0,
    playlists: int | None = None,
    clock: Clock | None = None,
    faults: Faults | None = None,
    seed: int = 0,
    host: str = "127.0.0.1",
    port: int = 0,
    media_port: int = 0,
    worker_slots: int | None = None,
    audio_cache: int = 8,
    state_file: Path | None = None,
    generation_seconds: tuple[float, float] | None = None,
    generation_by_duration: tuple[float, float, float] | None = None,
) -> RunningSim:
    """Start a simulator in a background thread; the caller must `close()` it.

    Port 0 picks free ports. `speed` divides generation time only; rate-limit windows
    are always measured on `clock` unscaled. `playlists` (None: 3 when there are seeded
    generations, else none) gives the demo account playlists of those generations.
    With `state_file`, the generations are read from it (instead of seeded) when it
    exists, and written to it after each change: the demo's history survives a restart.
    `generation_seconds` (mean, plus or minus): model time uniform in that range
    instead of the vendor page's 6.0-8.4 s (before `speed` divides it).
    `generation_by_duration` (base, seconds per second of track, plus or minus): model
    time base + per_second * duration, plus a small uniform residual (wins over
    `generation_seconds`): an account whose spread comes from the lengths asked for.
    """
    _install_log_filter()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fttui-sim", daemon=True)
    api_origin: _Origin | None = None
    media_origin: _Origin | None = None
    try:
        media_origin = _Origin(None, host, media_port, loop)
        state = SimState(
            media_url=media_origin.url,
            clock=clock,
            speed=speed,
            faults=faults,
            seed=seed,
            worker_slots=worker_slots,
            generation_seconds=generation_seconds,
            generation_by_duration=generation_by_duration,
        )
        # The demo's history from its last run, if it has one; else a fresh world.
        restored = state_file is not None and persist.load(state, state_file)
        if not restored:
            add_existing(state, generations)
        if playlists is None:
            playlists = DEMO_PLAYLISTS if generations > 0 else 0
        add_playlists(state, playlists)
        if state_file is not None:
            state.on_change = partial(persist.save, state, state_file)
            if not restored:
                persist.save(state, state_file)
        media_origin.app = MediaApp(state, audio_cache)
        api_origin = _Origin(ApiApp(state), host, port, loop, _closing_when_told(state.faults))
        thread.start()
        api_origin.start()
        media_origin.start()
        state.webhooks.start()
    except BaseException:
        for origin in (api_origin, media_origin):
            if origin is not None:
                origin.stop()
        if thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_START_TIMEOUT)
        loop.close()
        raise
    return RunningSim(state, api_origin, media_origin, thread)


class SimOptions(TypedDict, total=False):
    """The keyword arguments of `start`, for the helpers that pass them on."""

    speed: float
    generations: int
    playlists: int | None
    clock: Clock | None
    faults: Faults | None
    seed: int
    host: str
    port: int
    media_port: int
    worker_slots: int | None
    audio_cache: int
    state_file: Path | None
    generation_seconds: tuple[float, float] | None
    generation_by_duration: tuple[float, float, float] | None


@contextmanager
def run_in_thread(**options: Unpack[SimOptions]) -> Iterator[RunningSim]:
    """A running simulator for the duration of a `with` block (see `start`)."""
    sim = start(**options)
    try:
        yield sim
    finally:
        sim.close()


def main(argv: list[str] | None = None) -> int:
    """The blocking command line (`fttui sim`); see `fttui.sim.cli`."""
    from fttui.sim.cli import main as cli_main  # the CLI imports this module

    return cli_main(argv)
