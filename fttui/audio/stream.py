"""A track's PCM, decoded ahead of the device by one thread into a small bounded buffer.

The device (or the null backend) pulls with `read()` from its own thread and never
waits: when the buffer is empty it plays silence and the position stands still. The
decoder thread is the one that waits on the network. Memory stays bounded by the
buffer (about a second of PCM) whatever the length of the track.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import closing

from fttui.audio.decode import apply_gain, decode_chunks, detect_format, gain_for
from fttui.audio.formats import FRAME_BYTES, SAMPLE_RATE, AudioFormat
from fttui.audio.source import DownloadCancelled, DownloadProgress

FinishCallback = Callable[[BaseException | None], None]


class PcmStream:
    """Frames for one track; `read()` is what a backend calls for the next frames."""

    def __init__(
        self,
        progress: DownloadProgress,
        *,
        start_frame: int = 0,
        buffer_s: float = 1.0,
        on_finish: FinishCallback | None = None,
    ) -> None:
        self._progress = progress
        self._on_finish = on_finish
        self._cond = threading.Condition()
        self._chunks: deque[bytes] = deque()
        self._buffered = 0  # bytes in _chunks
        self._max_buffered = int(buffer_s * SAMPLE_RATE) * FRAME_BYTES
        self._epoch = 0  # bumped by each seek: older decoder output is dropped
        self._seek_to: int | None = start_frame
        self._decoded_all = False
        self._closed = False
        self._finished = False
        self._gain = 1.0
        self.format: AudioFormat | None = None
        self.error: BaseException | None = None
        self.position_frames = start_frame
        self.paused = False
        self.first_audio_at: float | None = None  # monotonic time of the first real frames
        self._thread = threading.Thread(target=self._decode_loop, name="fttui-decode", daemon=True)

    # -- control, from the player --------------------------------------------------
    def start(self) -> None:
        """Start decoding ahead."""
        self._thread.start()

    def set_volume(self, volume: float) -> None:
        """Volume from 0 to 1, applied to the next frames read."""
        self._gain = gain_for(volume)

    def seek(self, frame: int) -> None:
        """Continue from `frame`: drops what is buffered and restarts the decoder there."""
        with self._cond:
            self._epoch += 1
            self._chunks.clear()
            self._buffered = 0
            self._seek_to = max(0, frame)
            self._decoded_all = False
            self._finished = False
            self.position_frames = max(0, frame)
            self._cond.notify_all()

    def close(self, timeout: float = 2.0) -> None:
        """Stop decoding and release the decoder."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def position_s(self) -> float:
        """Seconds of audio handed to the device so far."""
        return self.position_frames / SAMPLE_RATE

    @property
    def finished(self) -> bool:
        """True once the whole track (or an error) has reached the device."""
        return self._finished

    @property
    def buffering(self) -> bool:
        """True while the device is starved and waiting for the decoder."""
        return not self._finished and not self._chunks and not self._decoded_all

    # -- the device side -----------------------------------------------------------
    def read(self, frames: int) -> bytes:
        """Up to `frames` frames of PCM; b"" means silence (paused, starved or ended)."""
        if self.paused or self._finished or frames <= 0:
            return b""
        wanted = frames * FRAME_BYTES
        parts: list[bytes] = []
        got = 0
        finish = False
        with self._cond:
            while got < wanted and self._chunks:
                chunk = self._chunks.popleft()
                take = min(len(chunk), wanted - got)
                if take < len(chunk):
                    self._chunks.appendleft(chunk[take:])
                parts.append(chunk[:take])
                got += take
            self._buffered -= got
            if got:
                self.position_frames += got // FRAME_BYTES
                self._cond.notify_all()
            elif self._decoded_all and not self._finished:
                self._finished = finish = True
        if finish:
            if self._on_finish is not None:
                self._on_finish(self.error)
            return b""
        if got and self.first_audio_at is None:
            self.first_audio_at = time.monotonic()
        return apply_gain(b"".join(parts), self._gain)

    # -- the decoder thread --------------------------------------------------------
    def _decode_loop(self) -> None:
        while True:
            with self._cond:
                while self._seek_to is None and not self._closed:
                    self._cond.wait()
                if self._closed or self._seek_to is None:
                    return
                start, epoch = self._seek_to, self._epoch
                self._seek_to = None

            def cancelled(epoch: int = epoch) -> bool:
                return self._closed or self._epoch != epoch

            try:
                with closing(self._decode_chunks(start, cancelled)) as chunks:
                    self._buffer(chunks, cancelled)
            except Exception as error:  # a player error must never escape a thread
                if cancelled() or isinstance(error, DownloadCancelled):
                    continue
                self.error = error
            with self._cond:
                if not cancelled():
                    self._decoded_all = True

    def _decode_chunks(
        self, start: int, cancelled: Callable[[], bool]
    ) -> Generator[bytes, None, None]:
        if self.format is None:
            self.format = detect_format(self._progress, cancelled)
        yield from decode_chunks(
            self._progress, self.format, start_frame=start, cancelled=cancelled
        )

    def _buffer(self, chunks: Iterator[bytes], cancelled: Callable[[], bool]) -> None:
        for pcm in chunks:
            with self._cond:
                while self._buffered >= self._max_buffered and not cancelled():
                    self._cond.wait()
                if cancelled():
                    return
                self._chunks.append(pcm)
                self._buffered += len(pcm)
