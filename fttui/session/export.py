"""The cached library as CSV or JSON: for `fttui export` and the app's palette. No Textual.

One row per cached generation with its parameters, seed, lyrics (when the server kept
them), times, and the local audio file when it was saved (found by the "[id]" that
every saved file name carries, see `fttui.audio.files.safe_stem`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fttui.api.models import Generation, StatusFilter
from fttui.session.fields import PARAMETERS
from fttui.store import GenerationStore

ExportFormat = Literal["csv", "json"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json")
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".flac", ".ogg", ".m4a", ".aac", ".opus"})
_PAGE = 500

COLUMNS = (
    "id",
    "type",
    "status",
    "title",
    *PARAMETERS,
    "createdAt",
    "completedAt",
    "generationTime",
    "audioUrl",
    "errorMessage",
    "localFile",
)


def saved_files(folder: Path | None) -> dict[str, Path]:
    """Audio files in `folder` by the generation id in their name ("Title [id].mp3")."""
    found: dict[str, Path] = {}
    if folder is None or not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in AUDIO_SUFFIXES or path.name.startswith("."):
            continue
        stem = path.stem
        if stem.endswith(")") and " (" in stem:  # "Title [id] (2)": a second copy
            stem = stem[: stem.rindex(" (")]
        if stem.endswith("]") and "[" in stem:
            found.setdefault(stem[stem.rindex("[") + 1 : -1], path)
    return found


def cached_generations(
    store: GenerationStore, status: StatusFilter | None = None
) -> Iterator[Generation]:
    """Every cached generation of `status` (all when None), newest first."""
    # Step by whole pages: a row this version cannot read is skipped within its page.
    for offset in range(0, store.count(status=status), _PAGE):
        yield from store.page(status=status, limit=_PAGE, offset=offset)


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def row(generation: Generation, local_file: Path | None) -> dict[str, Any]:
    """One generation as a flat record with the API's own names."""
    parameters = generation.parameters
    key, scale = parameters.key_and_scale
    return {
        "id": generation.id,
        "type": generation.type,
        "status": generation.status,
        "title": generation.title,
        "tags": parameters.tags or generation.prompt,
        "lyrics": parameters.lyrics,
        "duration": parameters.duration if parameters.duration is not None else None,
        "bpm": parameters.bpm,
        "key": key,
        "scale": scale,
        "timesignature": parameters.timesignature,
        "language": parameters.language,
        "seed": parameters.seed,
        "createdAt": _time(generation.created_at),
        "completedAt": _time(generation.completed_at),
        "generationTime": generation.generation_time,
        "audioUrl": generation.audio_url,
        "errorMessage": generation.error_message,
        "localFile": str(local_file) if local_file else None,
    }


def export_text(generations: list[Generation], fmt: ExportFormat, saved: dict[str, Path]) -> str:
    """The whole export as text in `fmt`."""
    rows = [row(g, saved.get(g.id)) for g in generations]
    if fmt == "json":
        return json.dumps({"generations": rows}, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for each in rows:
        writer.writerow({k: "" if v is None else v for k, v in each.items()})
    return out.getvalue()


def export_library(
    store: GenerationStore,
    fmt: ExportFormat,
    *,
    status: StatusFilter | None = None,
    music_folder: Path | None = None,
) -> tuple[str, int]:
    """The cached library (of one status) as text, and how many generations it holds."""
    generations = list(cached_generations(store, status))
    return export_text(generations, fmt, saved_files(music_folder)), len(generations)
