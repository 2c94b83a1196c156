"""A device that hears nothing but consumes frames in real time, like a sound card would."""

from __future__ import annotations

import threading
import time

from fttui.audio.backends import DeviceInfo, FrameSource
from fttui.audio.backends.feeder import Feeder
from fttui.audio.formats import FRAME_BYTES, SAMPLE_RATE


class NullBackend:
    """Pulls frames at `speed` times real time; counts what it was given.

    The tests use it for playback semantics, the benchmark for first-frame latency
    (`speed` > 1 plays a long track quickly when only memory is measured).
    """

    name = "null"

    def __init__(self, *, speed: float = 1.0, tick_s: float = 0.01) -> None:
        self._speed = speed
        self._tick_s = tick_s
        self._feeder = Feeder("fttui-null-device")
        self.frames_asked = 0  # frames the "device" wanted: time passing
        self.frames_delivered = 0  # real audio frames handed over, across tracks
        self.first_frames_at: float | None = None  # monotonic time of the first ones

    def open(self) -> DeviceInfo:
        """Always succeeds: there is nothing to open."""
        return DeviceInfo(backend=self.name, name="null (no sound)", is_real=False)

    def start(self, source: FrameSource) -> None:
        """Begin consuming `source` from a thread of our own."""
        self._feeder.start(self._consume, source)

    def stop(self) -> None:
        """Stop consuming; returns once the consumer thread has ended."""
        self._feeder.stop()

    def close(self) -> None:
        """Same as stop: nothing else to release."""
        self.stop()

    def _consume(self, source: FrameSource, halt: threading.Event) -> None:
        started = time.monotonic()
        due_total = 0
        while not halt.wait(self._tick_s):
            # Time passes whether or not the source had frames, as on a real device.
            elapsed = time.monotonic() - started
            due = int(elapsed * SAMPLE_RATE * self._speed) - due_total
            if due <= 0:
                continue
            due_total += due
            self.frames_asked += due
            try:
                data = source.read(due)
            except Exception:  # a player error must never take the app down
                data = b""
            if data:
                if self.first_frames_at is None:
                    self.first_frames_at = time.monotonic()
                self.frames_delivered += len(data) // FRAME_BYTES
