"""Fake playlists built from the real API models, for the playlists screen's tests."""

from __future__ import annotations

from typing import Any

from fttui.api.playlists import Playlist, PlaylistSummary


def track(n: int, title: str, duration: float = 90.0, bpm: int = 100) -> dict[str, Any]:
    return {
        "id": f"t{n}",
        "title": title,
        "status": "completed",
        "duration": duration,
        "parameters": {"bpm": bpm, "tags": "ambient"},
        "createdAt": "2026-12-01T10:00:00Z",
    }


TRACKS = [
    track(1, "Rain on tin", 95),
    track(2, "Night drive", 180, 120),
    track(3, "Harbour lights", 60, 80),
]

SUMMARIES = [
    PlaylistSummary.model_validate(
        {"id": "p1", "name": "Focus", "trackCount": 3, "totalDuration": 335, "isPublic": False}
    ),
    PlaylistSummary.model_validate(
        {"id": "p2", "name": "Road trip", "trackCount": 12, "totalDuration": 2460, "isPublic": True}
    ),
    PlaylistSummary.model_validate({"id": "p3", "name": "Sketches", "trackCount": 0}),
]

FOCUS = Playlist.model_validate(
    {
        "id": "p1",
        "name": "Focus",
        "trackCount": 3,
        "totalDuration": 335,
        "isPublic": False,
        "isOwner": True,
        "tracks": TRACKS,
    }
)
