"""The player: one track at a time, streamed from the cache or the network.

Everything here runs on the event loop except decoding (a thread per track) and the
device (its own thread). Discrete changes (status, title, volume, message) are pushed
to subscribers; the position moves continuously and is read from `state` when wanted,
so a player bar polls it on a timer while playing and costs nothing when idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from fttui.audio.backends import Backend, DeviceInfo, NoAudioDevice
from fttui.audio.decode import file_duration
from fttui.audio.download import Download, MediaFetcher
from fttui.audio.formats import SAMPLE_RATE
from fttui.audio.queue import PlayQueue
from fttui.audio.stream import PcmStream
from fttui.audio.track import Track

log = logging.getLogger(__name__)

Status = Literal["idle", "loading", "playing", "paused", "stopped", "error"]

# Seeking into a file still arriving stops this far short of its downloaded end.
_PARTIAL_MARGIN_S = 2.0


@dataclass(frozen=True)
class PlayerState:
    """What the player bar shows."""

    status: Status = "idle"
    track_id: str | None = None
    title: str = ""
    position_s: float = 0.0
    duration_s: float | None = None
    volume: float = 0.8
    message: str = ""
    device_ok: bool | None = None  # None until the device was first tried
    downloaded: float | None = None  # share of the file present, when known
    muted: bool = False
    repeat: bool = False
    shuffle: bool = False
    queue_position: str = ""  # "2/5" while a queue of several tracks plays

    @property
    def active(self) -> bool:
        """True while the position can move (worth a refresh timer)."""
        return self.status in ("loading", "playing")


StateCallback = Callable[[PlayerState], None]


def adjacent(tracks: Sequence[Track], current_id: str | None, step: int) -> Track | None:
    """The track `step` places from `current_id` in `tracks` (for next / previous)."""
    ids = [t.id for t in tracks]
    if not ids:
        return None
    if current_id not in ids:
        return tracks[0] if step > 0 else tracks[-1]
    index = ids.index(current_id) + step
    return tracks[index] if 0 <= index < len(tracks) else None


class Player:
    """Plays `Track`s through a backend; owns the backend and the fetcher it is given."""

    def __init__(self, backend: Backend, fetcher: MediaFetcher, *, volume: float = 0.8) -> None:
        self._backend = backend
        self._fetcher = fetcher
        self._base = PlayerState(volume=min(1.0, max(0.0, volume)))
        self._subscribers: list[StateCallback] = []
        self._device: DeviceInfo | None = None
        self._track: Track | None = None
        self._stream: PcmStream | None = None
        self._download: Download | None = None
        self._lock = asyncio.Lock()  # serialises device start/stop across tasks
        self._tasks: set[asyncio.Task[None]] = set()
        self.queue = PlayQueue()

    # -- reading --------------------------------------------------------------------
    @property
    def state(self) -> PlayerState:
        """The state now, with the live position."""
        base, stream = self._base, self._stream
        if stream is None or base.status not in ("playing", "paused", "loading"):
            return base
        status, message = base.status, base.message
        if status == "playing" and stream.buffering:
            status, message = "loading", "Buffering…"
        downloaded = self._download.progress.fraction if self._download else None
        return replace(
            base,
            status=status,
            message=message,
            position_s=stream.position_s,
            downloaded=downloaded,
        )

    @property
    def track(self) -> Track | None:
        """The track loaded now (playing, paused or just finished)."""
        return self._track

    @property
    def device(self) -> DeviceInfo | None:
        """The opened device, None if not opened yet or there is none."""
        return self._device

    def subscribe(self, callback: StateCallback) -> Callable[[], None]:
        """Call `callback` on each discrete change; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    # -- device ---------------------------------------------------------------------
    async def open_device(self) -> DeviceInfo | None:
        """Open the output once; None (and an explanatory state) if there is no device."""
        if self._device is not None:
            return self._device
        try:
            self._device = await asyncio.to_thread(self._backend.open)
        except NoAudioDevice as error:
            self._set(status="error", device_ok=False, message=str(error))
            return None
        except Exception as error:  # a player error must never take the app down
            log.exception("audio device failed")
            self._set(status="error", device_ok=False, message=f"No audio device ({error})")
            return None
        self._set(device_ok=True)
        return self._device

    # -- controls -------------------------------------------------------------------
    async def play_queue(self, tracks: Sequence[Track], start: int = 0) -> None:
        """Play `tracks` one after another from `start`; the next starts when one ends."""
        first = self.queue.load(tracks, start)
        if first is not None:
            await self.play(first, queued=True)

    def load(self, track: Track) -> None:
        """Name `track` as the one the keys act on without playing it (no device here)."""
        self._track = track
        self._set(track_id=track.id, title=track.title, duration_s=track.duration_s)

    def forget(self, ids: Collection[str]) -> bool:
        """Tracks deleted from the library leave the queue; True when the one playing did
        (the caller stops it: its audio is gone)."""
        went = self.queue.drop(ids)
        self._set(queue_position=self.queue.position)
        return went

    def toggle_repeat(self) -> None:
        """Start the queue over after its last track, or stop there."""
        self._set(repeat=self.queue.toggle_repeat())

    def toggle_shuffle(self) -> None:
        """Play the rest of the queue in a random order, or in order."""
        self._set(shuffle=self.queue.toggle_shuffle())

    def toggle_mute(self) -> None:
        """Silence the sound, or bring back the volume it had."""
        muted = not self._base.muted
        if self._stream is not None:
            self._stream.set_volume(0.0 if muted else self._base.volume)
        self._set(muted=muted)

    async def play(self, track: Track, *, queued: bool = False) -> None:
        """Play `track` from the start, streaming it if it is not cached."""
        previous = self._track
        await self._halt()
        if previous is not None and previous.id != track.id:
            self._fetcher.cancel(previous.id)  # a skipped track need not finish downloading
        if not queued:
            self.queue.load([track])  # one track asked for alone: nothing follows it
        self._track = track
        self._set(
            status="loading",
            track_id=track.id,
            title=track.title,
            duration_s=track.duration_s,
            position_s=0.0,
            message="",
            downloaded=None,
            queue_position=self.queue.position,
        )
        if await self.open_device() is None:
            return
        try:
            await self._start(track, start_frame=0)
        except Exception as error:
            log.exception("playback failed to start")
            await self._halt()
            self._set(status="error", message=f"Cannot play: {error}")

    async def play_pause(self, track: Track | None = None) -> None:
        """The play key: toggle the loaded track, or play `track` if it is another one."""
        if track is not None and (self._track is None or track.id != self._track.id):
            await self.play(track)
            return
        status = self._base.status
        if status in ("playing", "loading", "paused"):
            self.toggle_pause()
        elif self._track is not None:
            # Again from where the queue stands (the same track, unless it moved on).
            await self.play(self._track, queued=self._track is self.queue.current)

    def toggle_pause(self) -> None:
        """Pause if playing, resume if paused; otherwise nothing."""
        stream = self._stream
        if stream is None:
            return
        if self._base.status == "paused":
            stream.paused = False
            self._set(status="playing")
        elif self._base.status in ("playing", "loading"):
            stream.paused = True
            self._set(status="paused", position_s=stream.position_s)

    def seek(self, delta_s: float) -> None:
        """Move by `delta_s` seconds (negative: back)."""
        self.seek_to(self.state.position_s + delta_s)

    def seek_to(self, position_s: float) -> None:
        """Move to `position_s`, clamped to the track and to what has downloaded."""
        stream, state = self._stream, self._base
        if stream is None or state.status not in ("playing", "paused", "loading"):
            return  # after the end, the play key starts the track again
        target = max(0.0, position_s)
        if state.duration_s is not None:
            target = min(target, state.duration_s)
            fraction = self._download.progress.fraction if self._download else None
            if fraction is not None and fraction < 1.0:
                target = min(target, max(0.0, state.duration_s * fraction - _PARTIAL_MARGIN_S))
        stream.seek(int(target * SAMPLE_RATE))

    def set_volume(self, volume: float) -> None:
        """Set the volume (0 to 1)."""
        volume = round(min(1.0, max(0.0, volume)), 3)
        if self._stream is not None:
            self._stream.set_volume(volume)
        self._set(volume=volume, muted=False)  # a volume key is heard: it unmutes

    def change_volume(self, delta: float) -> None:
        """Raise (or with a negative `delta` lower) the volume."""
        self.set_volume(self._base.volume + delta)

    async def stop(self) -> None:
        """Stop and rewind; the track stays loaded."""
        await self._halt()
        if self._track is not None and self._base.status != "error":
            self._set(status="stopped", position_s=0.0, message="")

    async def close(self) -> None:
        """Stop, release the device and cancel downloads."""
        await self._halt()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self._backend.close)
        await self._fetcher.aclose()

    # -- inside ---------------------------------------------------------------------
    async def _start(self, track: Track, start_frame: int) -> None:
        download = self._fetcher.start(track)
        self._download = download
        self._fetcher.cache.pin(track.id)
        loop = asyncio.get_running_loop()

        def on_finish(error: BaseException | None) -> None:
            # Called on the device's thread: hand over to the event loop.
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(self._finished, stream, error)

        stream = PcmStream(download.progress, start_frame=start_frame, on_finish=on_finish)
        stream.set_volume(0.0 if self._base.muted else self._base.volume)
        stream.start()
        self._stream = stream
        async with self._lock:
            await asyncio.to_thread(self._backend.start, stream)
        self._set(status="playing")
        self._spawn(self._follow_download(track, download))

    async def _follow_download(self, track: Track, download: Download) -> None:
        try:
            path = await download.wait()
        except Exception:
            return  # the stream reports it when playback reaches the missing part
        with contextlib.suppress(OSError):
            self._fetcher.cache.touch(track.id)
        if self._track is track and self._base.duration_s is None:
            duration = await asyncio.to_thread(file_duration, path)
            if duration is not None and self._track is track:
                self._set(duration_s=duration)

    def _finished(self, stream: PcmStream, error: BaseException | None) -> None:
        if stream is not self._stream:
            return  # a track we already left
        if error is not None:
            self._set(
                status="error", position_s=stream.position_s, message=f"Playback failed: {error}"
            )
        else:
            self._set(status="stopped", position_s=self._base.duration_s or stream.position_s)
        self._spawn(self._stop_device(stream))
        following = self.queue.following() if error is None else None
        if following is not None:
            self._spawn(self._play_following(stream, following))

    async def _play_following(self, ended: PcmStream, track: Track) -> None:
        if self._stream is ended:  # nothing else was asked for meanwhile
            await self.play(track, queued=True)

    async def _stop_device(self, stream: PcmStream) -> None:
        async with self._lock:
            if stream is self._stream:
                await asyncio.to_thread(self._backend.stop)

    async def _halt(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        async with self._lock:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._backend.stop)
        await asyncio.to_thread(stream.close)
        if self._track is not None:
            self._fetcher.cache.unpin(self._track.id)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _set(self, **changes: object) -> None:
        self._base = replace(self._base, **changes)  # type: ignore[arg-type]
        state = self.state
        for callback in list(self._subscribers):
            try:
                callback(state)
            except Exception:
                log.exception("player subscriber failed")
