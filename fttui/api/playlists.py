"""Playlists (API v1.2): made in the web app; the API reads them and moves their tracks."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from fttui.api.models import (
    Generation,
    Id,
    LenientBool,
    LenientFloat,
    LenientInt,
    LenientText,
    Timestamp,
    _Response,
)

log = logging.getLogger(__name__)


def _readable(items: Any, model: type[_Response], what: str) -> list[Any]:
    """The items `model` can read; the others are skipped with a warning, not fatal."""
    readable: list[Any] = []
    for item in items if isinstance(items, list) else []:
        try:
            readable.append(model.model_validate(item))
        except ValidationError:
            log.warning("skipping an unreadable %s", what)
    return readable


class PlaylistSummary(_Response):
    """An entry of GET /v1/playlists."""

    id: Id
    name: LenientText = None
    description: LenientText = None
    track_count: LenientInt = None
    total_duration: LenientFloat = None
    is_public: LenientBool = None
    created_at: Timestamp = None
    updated_at: Timestamp = None

    @property
    def display_name(self) -> str:
        return self.name or self.id


class Playlist(PlaylistSummary):
    """GET /v1/playlists/{id}: the summary, whether it is yours, and its tracks (another
    user's public playlist shows only its public tracks)."""

    is_owner: LenientBool = None
    tracks: list[Generation] = Field(default_factory=list)

    @field_validator("tracks", mode="before")
    @classmethod
    def _tracks(cls, value: Any) -> list[Any]:
        return _readable(value, Generation, "track of a playlist")


class PlaylistList(_Response):
    """GET /v1/playlists: every playlist of the account (no paging)."""

    playlists: list[PlaylistSummary] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _skip_unreadable(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        return {**data, "playlists": _readable(data.get("playlists"), PlaylistSummary, "playlist")}
