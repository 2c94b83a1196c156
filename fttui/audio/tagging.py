"""Tags written into saved files: title, artist, prompt, tempo, key, seed and date."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import mutagen.flac
import mutagen.id3
import mutagen.oggvorbis
import mutagen.wave

from fttui.audio.formats import AudioFormat
from fttui.audio.track import Track

ARTIST = "finetuning.ai"

# mutagen's frame classes are untyped; one Any name each keeps mypy --strict meaningful
# everywhere else.
_id3: Any = mutagen.id3
_flac: Any = mutagen.flac
_ogg: Any = mutagen.oggvorbis
_wave: Any = mutagen.wave


def id3_key(keyscale: str | None) -> str | None:
    """The ID3 TKEY form of an API key such as "C# minor" ("C#m"), or None."""
    if not keyscale:
        return None
    match = re.fullmatch(r"\s*([A-Ga-g])([#b]?)\s*(major|minor|maj|min|m)?\s*", keyscale)
    if match is None:
        return None
    note, accidental, scale = match.groups()
    minor = scale is not None and scale.lower() in ("minor", "min", "m")
    return f"{note.upper()}{accidental}{'m' if minor else ''}"


def id3_date(created_at: str | None) -> str | None:
    """An ID3 timestamp from the API's ISO or "YYYY-MM-DD HH:MM:SS" forms."""
    if not created_at:
        return None
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?", created_at)
    if match is None:
        return None
    day, time = match.groups()
    return f"{day}T{time}" if time else day


def _id3_frames(track: Track) -> list[Any]:
    frames: list[Any] = [
        _id3.TIT2(encoding=3, text=track.title),
        _id3.TPE1(encoding=3, text=ARTIST),
    ]
    if track.prompt:
        frames.append(_id3.COMM(encoding=3, lang="eng", desc="prompt", text=track.prompt))
        frames.append(_id3.TXXX(encoding=3, desc="prompt", text=track.prompt))
    if track.bpm is not None:
        frames.append(_id3.TBPM(encoding=3, text=str(round(track.bpm))))
    key = id3_key(track.keyscale)
    if key:
        frames.append(_id3.TKEY(encoding=3, text=key))
    if track.seed is not None:
        frames.append(_id3.TXXX(encoding=3, desc="seed", text=str(track.seed)))
    date = id3_date(track.created_at)
    if date:
        frames.append(_id3.TDRC(encoding=3, text=date))
    if track.lyrics:
        frames.append(_id3.USLT(encoding=3, lang="eng", desc="", text=track.lyrics))
    frames.append(_id3.TXXX(encoding=3, desc="finetuning.ai id", text=track.id))
    return frames


def _vorbis_comments(track: Track) -> dict[str, str]:
    comments = {"title": track.title, "artist": ARTIST, "finetuning.ai id": track.id}
    optional = {
        "comment": track.prompt,
        "bpm": None if track.bpm is None else str(round(track.bpm)),
        "key": id3_key(track.keyscale),
        "seed": None if track.seed is None else str(track.seed),
        "date": id3_date(track.created_at),
        "lyrics": track.lyrics,
    }
    comments.update({k: v for k, v in optional.items() if v})
    return comments


def tag_file(path: Path, fmt: AudioFormat, track: Track) -> None:
    """Write `track`'s details into the audio file at `path` (ID3 or Vorbis comments)."""
    if fmt is AudioFormat.MP3:
        try:
            tags = _id3.ID3(path)
        except _id3.ID3NoHeaderError:
            tags = _id3.ID3()
        for frame in _id3_frames(track):
            tags.add(frame)
        tags.save(path)
    elif fmt is AudioFormat.WAV:
        wave = _wave.WAVE(path)
        if wave.tags is None:
            wave.add_tags()
        for frame in _id3_frames(track):
            wave.tags.add(frame)
        wave.save()
    else:
        vorbis = _flac.FLAC(path) if fmt is AudioFormat.FLAC else _ogg.OggVorbis(path)
        if vorbis.tags is None:
            vorbis.add_tags()
        for name, value in _vorbis_comments(track).items():
            vorbis[name] = value
        vorbis.save()
