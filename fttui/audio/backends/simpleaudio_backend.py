"""Optional output through simpleaudio (`pip install fttui[simpleaudio]`).

simpleaudio plays whole PCM buffers, not a stream: we hand it short buffers one after
another. Expect a faint click between them; it is a fallback for systems where the
miniaudio wheel cannot play.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any

from fttui.audio.alsa import silence_native_audio
from fttui.audio.backends import DeviceInfo, FrameSource, NoAudioDevice
from fttui.audio.backends.feeder import Feeder
from fttui.audio.formats import CHANNELS, FRAME_BYTES, SAMPLE_RATE, SAMPLE_WIDTH

_CHUNK_FRAMES = SAMPLE_RATE // 2
_IDLE_S = 0.02


def load_simpleaudio() -> ModuleType | None:
    """The simpleaudio module, or None when the extra is not installed."""
    try:
        return importlib.import_module("simpleaudio")
    except ImportError:
        return None


class SimpleaudioBackend:
    """Plays half-second buffers in sequence from a thread."""

    name = "simpleaudio"

    def __init__(self) -> None:
        self._module: ModuleType | None = None
        self._feeder = Feeder("fttui-simpleaudio")

    def open(self) -> DeviceInfo:
        """Check that simpleaudio is installed and can play a moment of silence."""
        if self._module is None:
            module = load_simpleaudio()
            if module is None:
                raise NoAudioDevice(
                    "simpleaudio is not installed (pip install 'fttui[simpleaudio]')"
                )
            silence_native_audio()
            try:
                module.play_buffer(
                    bytes(FRAME_BYTES * 441), CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE
                ).wait_done()
            except Exception as error:
                raise NoAudioDevice(f"No audio device ({error})") from error
            self._module = module
        return DeviceInfo(backend=self.name, name="default device", is_real=True)

    def start(self, source: FrameSource) -> None:
        """Play from `source` on a thread of our own."""
        self.open()
        self._feeder.start(self._play, source)

    def stop(self) -> None:
        """Stop the current buffer and the feeding thread."""
        self._feeder.stop()

    def close(self) -> None:
        """Nothing is held between tracks."""
        self.stop()

    def _play(self, source: FrameSource, halt: threading.Event) -> None:
        module = self._module
        assert module is not None
        while not halt.is_set():
            try:
                data = source.read(_CHUNK_FRAMES)
            except Exception:
                data = b""
            if not data:
                halt.wait(_IDLE_S)
                continue
            try:
                playing: Any = module.play_buffer(data, CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE)
            except Exception:  # the device went away: stop quietly
                return
            while playing.is_playing() and not halt.wait(_IDLE_S):
                pass
            if halt.is_set():
                playing.stop()
