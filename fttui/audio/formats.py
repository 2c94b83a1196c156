"""Audio formats recognised by their first bytes, never by a file name or a header."""

from __future__ import annotations

from enum import Enum

# Enough for every signature below, including the Ogg codec id in the first page.
SNIFF_BYTES = 64

# The PCM every decoder produces and every backend plays: 16-bit signed, stereo.
SAMPLE_RATE = 44_100
CHANNELS = 2
SAMPLE_WIDTH = 2
FRAME_BYTES = CHANNELS * SAMPLE_WIDTH


class AudioFormat(Enum):
    """An encoded audio format miniaudio can decode."""

    MP3 = "mp3"
    WAV = "wav"
    FLAC = "flac"
    OGG = "ogg"

    @property
    def extension(self) -> str:
        """The usual file suffix, with its dot."""
        return f".{self.value}"


class UnsupportedAudioError(ValueError):
    """The bytes are not audio we can decode (or not audio at all)."""


def sniff(head: bytes) -> AudioFormat | None:
    """Name the format of audio whose first bytes are `head`, or None if unknown."""
    if head.startswith(b"ID3"):
        return AudioFormat.MP3
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AudioFormat.WAV
    if head.startswith(b"fLaC"):
        return AudioFormat.FLAC
    if head.startswith(b"OggS"):
        # Ogg is a container: only Vorbis inside is decodable (Opus is not).
        return AudioFormat.OGG if head[28:35] == b"\x01vorbis" else None
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        version = (head[1] >> 3) & 0b11
        if layer != 0 and version != 0b01:  # 0 and 1 are reserved values
            return AudioFormat.MP3
    return None


def require_format(head: bytes) -> AudioFormat:
    """Like `sniff`, but raise `UnsupportedAudioError` when the format is unknown."""
    found = sniff(head)
    if found is None:
        if head.startswith(b"OggS"):
            raise UnsupportedAudioError("Ogg audio that is not Vorbis (Opus?) cannot be played")
        raise UnsupportedAudioError("not a supported audio format (MP3, WAV, FLAC, Ogg Vorbis)")
    return found
