"""Saving: hostile titles become safe names, no overwrite, tags and lyrics written."""

from __future__ import annotations

import base64
from pathlib import Path

import mutagen.id3
import pytest

from fttui.audio.download import MediaFetcher
from fttui.audio.files import MAX_NAME_BYTES, reserve, safe_stem
from fttui.audio.remote import is_remote_session, osc8_link, osc52_copy, strip_controls
from fttui.audio.save import save_generation
from fttui.audio.tagging import id3_date, id3_key
from fttui.audio.testing import MediaServer, Served, encode_wav, tone_pcm
from fttui.audio.track import Track


@pytest.mark.parametrize(
    "title",
    [
        "../../etc/passwd",
        "..",
        "",
        " . ",
        "CON",
        "nul.txt",
        "lpt1",
        'a/b\\c:d*e?f"g<h>i|j',
        "\x1b[31mred\x1b[0m\x07",
        "evil\u202egpm.exe",
        "line\nbreak\ttab",
        "🎵" * 300,
        "é" * 400,
    ],
)
def test_hostile_titles_become_safe_names(title: str, tmp_path: Path) -> None:
    stem = safe_stem(title, "gen/../x")
    assert stem
    assert stem == stem.strip(" .")
    assert "/" not in stem
    assert "\\" not in stem
    assert stem not in (".", "..")
    assert Path(stem).name == stem
    assert all(ord(c) >= 0x20 and c not in "\u202e\x7f" for c in stem)
    assert len(stem.encode("utf-8")) <= MAX_NAME_BYTES
    assert stem.split(".")[0].upper() not in ("CON", "NUL", "LPT1")
    created = reserve(tmp_path, stem, ".mp3")
    assert created.parent == tmp_path
    assert created.exists()


def test_titles_keep_their_letters() -> None:
    assert safe_stem("Café  del Mar", "gen_xyz789") == "Café del Mar [gen_xyz789]"


def test_names_are_never_reused(tmp_path: Path) -> None:
    first = reserve(tmp_path, "Song", ".mp3", ".txt")
    (tmp_path / "Song (2).txt").write_text("someone else's")
    second = reserve(tmp_path, "Song", ".mp3", ".txt")
    assert (first.name, second.name) == ("Song.mp3", "Song (3).mp3")


def test_keys_and_dates_for_id3() -> None:
    assert id3_key("C# minor") == "C#m"
    assert id3_key("F major") == "F"
    assert id3_key("H dorian") is None
    assert id3_date("2025-01-15 10:30:00") == "2025-01-15T10:30:00"
    assert id3_date("2025-01-15T10:30:08.123456Z") == "2025-01-15T10:30:08"


async def test_save_generation_tags_the_file_and_writes_lyrics(
    media: MediaServer, fetcher: MediaFetcher, tone_mp3: bytes, tmp_path: Path
) -> None:
    media.files["/g.mp3"] = Served(tone_mp3)
    track = Track(
        id="gen_1",
        title="Night/Drive <live>",
        audio_url=media.url("/g.mp3"),
        prompt="synthwave, 80s",
        lyrics="la la la",
        bpm=128,
        keyscale="A minor",
        seed=42,
        created_at="2025-01-15 10:30:00",
    )
    music = tmp_path / "music"
    path = await save_generation(track, fetcher, music)
    assert path.parent == music
    assert path.name == "Night_Drive _live_ [gen_1].mp3"
    tags = mutagen.id3.ID3(path)
    assert str(tags["TIT2"]) == "Night/Drive <live>"
    assert str(tags["TPE1"]) == "finetuning.ai"
    assert str(tags["TBPM"]) == "128"
    assert str(tags["TKEY"]) == "Am"
    assert str(tags["TXXX:seed"]) == "42"
    assert str(tags["TXXX:prompt"]) == "synthwave, 80s"
    assert str(tags["COMM:prompt:eng"]) == "synthwave, 80s"
    assert str(tags["TDRC"]) == "2025-01-15 10:30:00"  # mutagen shows the ID3 "T" as a space
    assert path.with_suffix(".txt").read_text(encoding="utf-8") == "la la la\n"
    again = await save_generation(track, fetcher, music)
    assert again.name == "Night_Drive _live_ [gen_1] (2).mp3"
    assert len(media.requests) == 1  # the second save came from the cache


async def test_save_names_the_file_by_its_real_format(
    media: MediaServer, fetcher: MediaFetcher, tmp_path: Path
) -> None:
    media.files["/g.mp3"] = Served(encode_wav(tone_pcm(0.5)))  # a WAV behind an .mp3 URL
    path = await save_generation(Track("w", "Wave", media.url("/g.mp3")), fetcher, tmp_path)
    assert path.suffix == ".wav"
    assert not path.with_suffix(".txt").exists()
    assert str(mutagen.File(path).tags["TIT2"]) == "Wave"


async def test_save_defaults_to_the_music_folder(
    media: MediaServer, fetcher: MediaFetcher, tone_mp3: bytes, fttui_home: Path
) -> None:
    media.files["/g.mp3"] = Served(tone_mp3)
    path = await save_generation(Track("d", "Default", media.url("/g.mp3")), fetcher)
    assert path.parent == fttui_home / "music"


def test_osc52_carries_the_url_in_base64() -> None:
    url = "https://media.example/a b.mp3?x=1"
    sequence = osc52_copy(url)
    assert sequence.startswith("\x1b]52;c;")
    assert sequence.endswith("\x07")
    assert base64.b64decode(sequence[7:-1]).decode() == url


def test_osc8_link_cannot_be_hijacked() -> None:
    link = osc8_link("https://x/a.mp3\x1b]52;c;ZXZpbA==\x07", "song\x1b[2J")
    assert link == "\x1b]8;;https://x/a.mp3]52;c;ZXZpbA==\x1b\\song[2J\x1b]8;;\x1b\\"
    assert strip_controls("a\x9bb\x00c") == "abc"


def test_remote_session_from_ssh_variables() -> None:
    assert is_remote_session({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"})
    assert is_remote_session({"SSH_TTY": "/dev/pts/1"})
    assert not is_remote_session({"TERM": "xterm"})
