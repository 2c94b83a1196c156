"""MP3 files of an exact, predictable size.

The API announces `fileSize` when a generation completes, long before anyone asks for
the audio, so the size must follow from the duration alone. A CBR 128 kbit/s stream is
about 16000 bytes a second plus a little encoder overhead; an ID3v2 tag (the title,
then padding, which the format allows) fills the file up to the announced size.
"""

from __future__ import annotations

from array import array

import lameenc

from fttui.sim.synth import SAMPLE_RATE, Track, synthesize

BITRATE_KBPS = 128
_SLACK = 2048  # bytes above duration x 16000: covers encoder overhead plus the tag


def file_size(duration: int) -> int:
    """The size of the served file for a track of `duration` seconds."""
    return duration * BITRATE_KBPS * 1000 // 8 + _SLACK


def encode(samples: array[int]) -> bytes:
    """Mono 16-bit samples at SAMPLE_RATE as CBR 128 kbit/s MP3 frames."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE_KBPS)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)  # fast; the simulator's music is not about fidelity
    return bytes(encoder.encode(samples.tobytes())) + bytes(encoder.flush())


def _synchsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def _text_frame(frame_id: str, text: str) -> bytes:
    data = b"\x03" + text.encode("utf-8")  # 3 = UTF-8 in ID3v2.4
    return frame_id.encode("ascii") + _synchsafe(len(data)) + b"\x00\x00" + data


def _shorten(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")[:max_bytes]
    return encoded.decode("utf-8", errors="ignore")


def id3_tag(size: int, title: str, artist: str) -> bytes:
    """An ID3v2.4 tag of exactly `size` bytes (text frames dropped if they do not fit)."""
    frames = _text_frame("TIT2", _shorten(title, 200)) + _text_frame("TPE1", artist)
    if len(frames) + 10 > size:
        frames = b""
    body = frames + bytes(size - 10 - len(frames))
    return b"ID3\x04\x00\x00" + _synchsafe(len(body)) + body


def render(track: Track, title: str) -> bytes:
    """The whole file for `track`: tag then audio, `file_size(track.duration)` bytes."""
    audio = encode(synthesize(track))
    room = file_size(track.duration) - len(audio)
    if room < 10:  # never expected: the slack covers the encoder's overhead
        return audio
    return id3_tag(room, title, "finetuning.ai simulator") + audio
