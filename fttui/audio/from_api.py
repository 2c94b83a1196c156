"""The bridge from the API's models to the audio layer's `Track`."""

from __future__ import annotations

from fttui.api.models import Generation
from fttui.audio.track import Track


def track_for(generation: Generation, *, lyrics: str | None = None) -> Track | None:
    """A playable track for a finished generation, or None when it has no audio yet.

    The API does not echo lyrics back; pass them when they are known (the request).
    """
    if not generation.audio_url:
        return None
    params = generation.parameters
    return Track(
        id=generation.id,
        title=generation.display_title,
        audio_url=generation.audio_url,
        duration_s=generation.length_seconds,
        file_size=generation.file_size,
        prompt=generation.prompt,
        lyrics=lyrics or params.lyrics,
        bpm=params.bpm,
        keyscale=params.keyscale or " ".join(p for p in params.key_and_scale if p) or None,
        seed=params.seed,
        created_at=generation.created_at.isoformat() if generation.created_at else None,
    )
