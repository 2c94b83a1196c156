"""Interchangeable audio outputs: miniaudio (default), simpleaudio (optional), null.

Every backend plays 16-bit stereo 44.1 kHz PCM pulled from a `FrameSource`. A backend
keeps one device for its whole life (opened once, started and stopped per track),
because re-creating devices fails after a few dozen on Linux (pyminiaudio #86).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

BackendName = Literal["auto", "miniaudio", "simpleaudio", "null"]
BACKEND_NAMES: tuple[BackendName, ...] = ("auto", "miniaudio", "simpleaudio", "null")


class NoAudioDevice(Exception):
    """No device can play sound here; the message says why, in the user's words."""


class FrameSource(Protocol):
    """What a backend pulls PCM from."""

    def read(self, frames: int) -> bytes:
        """Up to `frames` frames; b"" plays silence. Never blocks, never raises."""
        ...


@dataclass(frozen=True)
class DeviceInfo:
    """The device a backend opened."""

    backend: str
    name: str
    is_real: bool  # False for the null backend: nothing is heard


class Backend(Protocol):
    """An audio output."""

    name: str

    def open(self) -> DeviceInfo:
        """Open the device once (idempotent); raise `NoAudioDevice` if there is none."""
        ...

    def start(self, source: FrameSource) -> None:
        """Play from `source`, replacing whatever was playing."""
        ...

    def stop(self) -> None:
        """Stop pulling frames (the device stays open)."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...


def select_backend(name: BackendName = "auto", *, null_speed: float = 1.0) -> Backend:
    """The backend called `name`; "auto" is miniaudio, which installs from wheels everywhere.

    "auto" does not fall back to the null backend when there is no device: that would
    pretend to play. The player reports "no audio device" instead.
    """
    if name in ("auto", "miniaudio"):
        from fttui.audio.backends.miniaudio_backend import MiniaudioBackend

        return MiniaudioBackend()
    if name == "simpleaudio":
        from fttui.audio.backends.simpleaudio_backend import SimpleaudioBackend

        return SimpleaudioBackend()
    if name == "null":
        from fttui.audio.backends.null_backend import NullBackend

        return NullBackend(speed=null_speed)
    raise ValueError(f"unknown audio backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
