"""Saving a generation to the music folder, tagged, with its lyrics beside it."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

from fttui import locations
from fttui.audio.download import MediaFetcher
from fttui.audio.files import reserve, safe_stem
from fttui.audio.formats import SNIFF_BYTES, require_format
from fttui.audio.tagging import tag_file
from fttui.audio.track import Track

log = logging.getLogger(__name__)


async def save_generation(
    track: Track, fetcher: MediaFetcher, directory: Path | None = None
) -> Path:
    """Save `track` into `directory` (the music folder by default); returns the file's path.

    The audio comes from the cache when it is there, else it is downloaded into the
    cache first. The file is named "Title [id].ext" after its real format, made safe,
    never overwriting; a "Title [id].txt" with the lyrics is written when they are known.
    """
    cached = await fetcher.fetch(track)
    target = directory if directory is not None else locations.music_dir()
    return await asyncio.to_thread(_save_file, cached, track, target)


def _save_file(cached: Path, track: Track, directory: Path) -> Path:
    with open(cached, "rb") as handle:
        fmt = require_format(handle.read(SNIFF_BYTES))
    companions = (".txt",) if track.lyrics else ()
    path = reserve(directory, safe_stem(track.title, track.id), fmt.extension, *companions)
    try:
        shutil.copyfile(cached, path)
    except BaseException:
        path.unlink(missing_ok=True)  # never leave a half-copied file behind
        raise
    try:
        tag_file(path, fmt, track)
    except Exception:  # an untagged file is still worth having
        log.exception("could not tag %s", path)
    if track.lyrics:
        path.with_suffix(".txt").write_text(track.lyrics + "\n", encoding="utf-8")
    return path
