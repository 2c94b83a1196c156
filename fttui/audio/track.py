"""What the audio layer needs to know about a generation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Track:
    """A playable generation. The app builds one from its API model.

    Only `id`, `title` and `audio_url` are needed to play; the rest makes the player
    bar, the cache's length check and the saved file's tags better.
    """

    id: str
    title: str
    audio_url: str
    duration_s: float | None = None
    file_size: int | None = None
    prompt: str | None = None
    lyrics: str | None = None
    bpm: float | None = None
    keyscale: str | None = None  # as the API says it, e.g. "C minor"
    seed: int | None = None
    created_at: str | None = None  # ISO 8601 date or date-time
