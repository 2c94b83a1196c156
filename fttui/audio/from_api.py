"""The bridge from the API's models to the audio layer's `Track`."""

from __future__ import annotations

from fttui.api.models import Generation
from fttui.api.sound_effects import SoundEffect
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


def track_for_sound_effect(effect: SoundEffect) -> Track | None:
    """A playable track for a finished sound effect, or None when it has no audio yet."""
    if not effect.audio_url:
        return None
    return Track(
        id=effect.id,
        title=effect.prompt or "Sound effect",
        audio_url=effect.audio_url,
        duration_s=effect.duration,
        prompt=effect.prompt,
        created_at=effect.created_at.isoformat() if effect.created_at else None,
    )
