"""Sniffing and decoding files made by independent encoders (LAME, the `wave` module)."""

from __future__ import annotations

import array
import itertools
from pathlib import Path

import mutagen.id3
import pytest

from fttui.audio.decode import apply_gain, decode_chunks, file_duration, gain_for
from fttui.audio.formats import (
    FRAME_BYTES,
    SAMPLE_RATE,
    AudioFormat,
    UnsupportedAudioError,
    require_format,
    sniff,
)
from fttui.audio.source import DownloadProgress
from fttui.audio.testing import encode_wav, tone_pcm


def _decode_all(path: Path, fmt: AudioFormat, start_frame: int = 0) -> bytes:
    return b"".join(decode_chunks(DownloadProgress.complete(path), fmt, start_frame=start_frame))


def _zero_crossings_per_second(pcm: bytes) -> float:
    left = array.array("h", pcm)[0::2]
    crossings = sum(1 for a, b in itertools.pairwise(left) if (a < 0) != (b < 0))
    return crossings / (len(left) / SAMPLE_RATE)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"ID3\x04\x00" + bytes(59), AudioFormat.MP3),
        (b"\xff\xfb\x90\x64" + bytes(60), AudioFormat.MP3),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(48), AudioFormat.WAV),
        (b"fLaC\x00\x00\x00\x22" + bytes(56), AudioFormat.FLAC),
        (b"OggS" + bytes(24) + b"\x01vorbis" + bytes(29), AudioFormat.OGG),
        (b"OggS" + bytes(24) + b"OpusHead" + bytes(28), None),
        (b"<html><body>502 Bad Gateway</body></html>" + bytes(22), None),
        (b"\xff\xe8" + bytes(62), None),  # frame sync with a reserved version
    ],
)
def test_formats_are_recognised_by_content(head: bytes, expected: AudioFormat | None) -> None:
    assert sniff(head) is expected


def test_unsupported_content_is_explained() -> None:
    with pytest.raises(UnsupportedAudioError, match="Opus"):
        require_format(b"OggS" + bytes(24) + b"OpusHead" + bytes(28))


def test_mp3_from_lame_decodes_to_the_tone(tmp_path: Path, tone_mp3: bytes) -> None:
    path = tmp_path / "tone.bin"  # no telling suffix: the format comes from the bytes
    path.write_bytes(tone_mp3)
    pcm = _decode_all(path, require_format(tone_mp3[:64]))
    seconds = len(pcm) / FRAME_BYTES / SAMPLE_RATE
    assert 19.9 < seconds < 20.2  # LAME pads by less than a frame or two
    assert _zero_crossings_per_second(pcm[FRAME_BYTES * SAMPLE_RATE :]) == pytest.approx(
        880, rel=0.01
    )


def test_mp3_with_an_id3_tag_decodes(tmp_path: Path, tone_mp3: bytes) -> None:
    path = tmp_path / "tagged"
    path.write_bytes(tone_mp3)
    tags = mutagen.id3.ID3()
    tags.add(mutagen.id3.TIT2(encoding=3, text="tagged"))
    tags.save(path)
    assert sniff(path.read_bytes()[:64]) is AudioFormat.MP3
    assert len(_decode_all(path, AudioFormat.MP3)) > 19 * SAMPLE_RATE * FRAME_BYTES


def test_wav_from_the_wave_module_decodes_exactly(tmp_path: Path) -> None:
    pcm = tone_pcm(1.5)
    path = tmp_path / "tone"
    path.write_bytes(encode_wav(pcm))
    assert _decode_all(path, AudioFormat.WAV) == pcm
    assert file_duration(path) == pytest.approx(1.5)


def test_decoding_starts_at_a_frame(tmp_path: Path) -> None:
    pcm = tone_pcm(2.0)
    path = tmp_path / "tone"
    path.write_bytes(encode_wav(pcm))
    start = SAMPLE_RATE // 2
    assert _decode_all(path, AudioFormat.WAV, start_frame=start) == pcm[start * FRAME_BYTES :]


def test_gain_scales_samples_without_overflow() -> None:
    pcm = array.array("h", [32767, -32768, 1000, -1000]).tobytes()
    assert apply_gain(pcm, 1.0) == pcm
    assert apply_gain(pcm, 0.0) == bytes(len(pcm))
    half = array.array("h", apply_gain(pcm, 0.5))
    assert list(half) == [16383, -16384, 500, -500]
    assert gain_for(0.5) == pytest.approx(0.25)
    assert gain_for(2.0) == 1.0
