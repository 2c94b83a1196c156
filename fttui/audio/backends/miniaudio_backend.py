"""The default output: one long-lived miniaudio PlaybackDevice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator

import miniaudio

from fttui.audio.alsa import silence_native_audio
from fttui.audio.backends import DeviceInfo, FrameSource, NoAudioDevice
from fttui.audio.formats import CHANNELS, SAMPLE_RATE

log = logging.getLogger(__name__)

# Device names that mean "sound goes nowhere": miniaudio's own fallback and ALSA's
# null plugin ("Discard all samples (playback) or generate zero samples (capture)").
_NULL_NAMES = ("null", "discard all samples")

_REASONS = {
    -203: "no audio system found",  # MA_NO_BACKEND
    -204: "no audio device found",  # MA_NO_DEVICE
    -400: "the audio system could not start",  # MA_FAILED_TO_INIT_BACKEND
    -401: "no sound card could be opened",  # MA_FAILED_TO_OPEN_BACKEND_DEVICE
}


def _is_null_name(name: str) -> bool:
    lowered = name.lower()
    return any(lowered.startswith(prefix) for prefix in _NULL_NAMES)


def _pull(source: FrameSource) -> Generator[bytes, int, None]:
    # Runs on miniaudio's audio thread: an exception here would be printed by cffi
    # onto the terminal, so none may escape.
    frames = yield b""
    while True:
        try:
            data = source.read(frames)
        except Exception:
            log.exception("audio source failed")
            data = b""
        frames = yield data


class MiniaudioBackend:
    """Plays through miniaudio; reports the truth when there is no real device."""

    name = "miniaudio"

    def __init__(self, *, buffer_ms: int = 100) -> None:
        self._buffer_ms = buffer_ms
        self._device: miniaudio.PlaybackDevice | None = None
        self._info: DeviceInfo | None = None
        self._failure: NoAudioDevice | None = None
        self._lock = threading.Lock()

    def open(self) -> DeviceInfo:
        """Open the default playback device once; raise `NoAudioDevice` if unusable."""
        with self._lock:
            if self._info is not None:
                return self._info
            if self._failure is not None:
                raise self._failure
            try:
                self._info = self._open()
            except NoAudioDevice as failure:
                self._failure = failure  # probing again would only repeat the failure
                raise
            return self._info

    def _open(self) -> DeviceInfo:
        silence_native_audio()
        try:
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=CHANNELS,
                sample_rate=SAMPLE_RATE,
                buffersize_msec=self._buffer_ms,
                app_name="fttui",
            )
        except miniaudio.MiniaudioError as error:
            code = error.args[1] if len(error.args) > 1 else 0
            reason = _REASONS.get(int(code), str(error.args[0]) if error.args else "unknown error")
            raise NoAudioDevice(f"No audio device ({reason})") from error
        backend = str(device.backend)
        if backend.lower() == "null":
            device.close()
            raise NoAudioDevice("No audio device (only miniaudio's silent null device)")
        names = self._playback_names()
        if names and all(_is_null_name(n) for n in names):
            device.close()
            raise NoAudioDevice(f"No audio device ({backend} offers only a null device)")
        self._device = device
        default = next((n for n in names if not _is_null_name(n)), "default device")
        return DeviceInfo(backend=f"miniaudio/{backend}", name=default, is_real=True)

    @staticmethod
    def _playback_names() -> list[str]:
        try:
            return [str(d["name"]) for d in miniaudio.Devices().get_playbacks()]
        except miniaudio.MiniaudioError:
            return []

    def start(self, source: FrameSource) -> None:
        """Play from `source` on the device opened by `open()`."""
        self.open()
        assert self._device is not None
        self._device.stop()
        generator = _pull(source)
        next(generator)  # miniaudio wants a generator that is already started
        self._device.start(generator)

    def stop(self) -> None:
        """Stop the device (it stays open for the next track)."""
        if self._device is not None:
            self._device.stop()

    def close(self) -> None:
        """Release the device for good."""
        with self._lock:
            if self._device is not None:
                self._device.close()
                self._device = None
            self._info = None
