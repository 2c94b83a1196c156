"""Streaming decode with miniaudio: PCM is produced chunk by chunk, never as a whole track."""

from __future__ import annotations

import array
from collections.abc import Callable, Iterator
from pathlib import Path

import miniaudio

from fttui.audio.formats import (
    CHANNELS,
    SAMPLE_RATE,
    SNIFF_BYTES,
    AudioFormat,
    require_format,
)
from fttui.audio.source import DownloadProgress, GrowingFileSource

# About 93 ms of audio per chunk: small enough to start fast, large enough to be cheap.
CHUNK_FRAMES = 4096

_MINIAUDIO_FORMATS = {
    AudioFormat.MP3: miniaudio.FileFormat.MP3,
    AudioFormat.WAV: miniaudio.FileFormat.WAV,
    AudioFormat.FLAC: miniaudio.FileFormat.FLAC,
    AudioFormat.OGG: miniaudio.FileFormat.VORBIS,
}


def detect_format(progress: DownloadProgress, cancelled: Callable[[], bool]) -> AudioFormat:
    """Wait for the first bytes of the file and name its format (raises if unsupported)."""
    return require_format(GrowingFileSource(progress, cancelled).head(SNIFF_BYTES))


def decode_chunks(
    progress: DownloadProgress,
    fmt: AudioFormat,
    *,
    start_frame: int = 0,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[bytes]:
    """Yield 16-bit stereo 44.1 kHz PCM from `start_frame` on, as the file allows.

    The format is given up front so the decoder does not probe by seeking around a
    file that is still arriving. A failure of the underlying read (download failed,
    reader cancelled) is raised here: miniaudio would otherwise report it as a plain
    end of stream.
    """
    source = GrowingFileSource(progress, cancelled)
    pcm = miniaudio.stream_any(
        source,
        source_format=_MINIAUDIO_FORMATS[fmt],
        output_format=miniaudio.SampleFormat.SIGNED16,
        nchannels=CHANNELS,
        sample_rate=SAMPLE_RATE,
        frames_to_read=CHUNK_FRAMES,
        seek_frame=start_frame,
    )
    try:
        for samples in pcm:
            yield samples.tobytes()
    finally:
        pcm.close()  # frees the native decoder now, not at garbage collection
    if source.error_in_readcallback is not None:
        raise source.error_in_readcallback


_INFO_READERS = {
    AudioFormat.MP3: miniaudio.mp3_get_file_info,
    AudioFormat.WAV: miniaudio.wav_get_file_info,
    AudioFormat.FLAC: miniaudio.flac_get_file_info,
    AudioFormat.OGG: miniaudio.vorbis_get_file_info,
}


def file_duration(path: Path) -> float | None:
    """Length in seconds of a complete audio file, None if it cannot be read.

    The reader is chosen by content: cached files have no telling suffix.
    """
    try:
        with open(path, "rb") as handle:
            fmt = require_format(handle.read(SNIFF_BYTES))
        info = _INFO_READERS[fmt](str(path))
    except (OSError, ValueError, miniaudio.MiniaudioError):
        return None
    return float(info.duration) if info.sample_rate else None


def gain_for(volume: float) -> float:
    """Amplitude factor for a volume from 0 to 1; squared so steps sound even."""
    volume = min(1.0, max(0.0, volume))
    return volume * volume


def apply_gain(pcm: bytes, gain: float) -> bytes:
    """Scale 16-bit PCM by `gain` (0..1), which can never overflow a sample."""
    if gain >= 0.999:
        return pcm
    if gain <= 0.0:
        return bytes(len(pcm))
    samples = array.array("h", pcm)
    return array.array("h", [int(s * gain) for s in samples]).tobytes()
