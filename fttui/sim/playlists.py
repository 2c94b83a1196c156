"""Playlists (API v1.2): made in the web app, so the API only reads them and moves tracks.

Privacy is the server's: a public playlist holds only public tracks, a private one only
its owner's; the API never changes a track's visibility. Anyone may read a public
playlist by id; only its owner changes it. Bulk requests take 1-100 ids and succeed
item by item; adding or moving answers 400 ADD_FAILED / MOVE_FAILED when nothing could
be done, removing answers 200 whatever happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fttui.sim import shapes
from fttui.sim.accounts import Account
from fttui.sim.errors import ApiError
from fttui.sim.validation import FieldError, ValidationFailed, parse_id_list

if TYPE_CHECKING:
    from fttui.sim.state import SimState

PREFIX = "/v1/playlists"
PLAYLIST_NOT_FOUND = "Playlist not found"
NOT_AUTHORIZED = "Not authorized to modify this playlist"
TRACK_NOT_FOUND = "Track not found"
ALREADY_THERE = "Track already in playlist"
PRIVATE_IN_PUBLIC = "Cannot add private track to public playlist"
OTHERS_IN_PRIVATE = "Cannot add another user's track to a private playlist"
NOT_IN_PLAYLIST = "Track not found in playlist or not authorized"


@dataclass
class Playlist:
    """One playlist; `track_ids` in playlist order."""

    id: str
    owner_id: str
    name: str
    description: str | None
    is_public: bool
    created_at: datetime
    updated_at: datetime
    track_ids: list[str] = field(default_factory=list)

    def visible_to(self, account: Account) -> bool:
        return self.is_public or self.owner_id == account.id


class PlaylistStore:
    """Every account's playlists, by id (guarded by the state's lock)."""

    def __init__(self) -> None:
        self._by_id: dict[str, Playlist] = {}

    def add(self, playlist: Playlist) -> None:
        self._by_id[playlist.id] = playlist

    def get(self, playlist_id: str) -> Playlist | None:
        return self._by_id.get(playlist_id)

    def owned_by(self, account_id: str) -> list[Playlist]:
        """`account_id`'s playlists, the most recently changed (then made) first."""
        mine = [p for p in reversed(self._by_id.values()) if p.owner_id == account_id]
        return sorted(mine, key=lambda p: p.updated_at, reverse=True)

    def drop_tracks(self, gone: set[str], when: datetime) -> None:
        """Take deleted tracks out of every playlist that held them."""
        for playlist in self._by_id.values():
            kept = [t for t in playlist.track_ids if t not in gone]
            if len(kept) != len(playlist.track_ids):
                playlist.track_ids = kept
                playlist.updated_at = when


# -- shapes ------------------------------------------------------------------------


def summary(state: SimState, playlist: Playlist) -> dict[str, Any]:
    """An entry of GET /v1/playlists."""
    tracks = [t for t in (state.track(i) for i in playlist.track_ids) if t is not None]
    return {
        "id": playlist.id,
        "name": playlist.name,
        "description": playlist.description,
        "trackCount": len(tracks),
        "totalDuration": sum(t.duration for t in tracks),
        "isPublic": playlist.is_public,
        "createdAt": shapes.format_created(playlist.created_at),
        "updatedAt": shapes.format_created(playlist.updated_at),
    }


def full(state: SimState, playlist: Playlist, account: Account) -> dict[str, Any]:
    """GET /v1/playlists/{id}: the summary, `isOwner` and every track (a visitor sees
    only the public ones)."""
    owner = playlist.owner_id == account.id
    now = state.now()
    tracks = [t for t in (state.track(i) for i in playlist.track_ids) if t is not None]
    shown = [t for t in tracks if owner or t.is_public]
    data = summary(state, playlist)
    data["isOwner"] = owner
    data["tracks"] = [shapes.item(t, now, state.media_url) for t in shown]
    return data


# -- changes -----------------------------------------------------------------------


def _playlist_problem(playlist: Playlist | None, account: Account) -> str | None:
    """Why `account` may not change `playlist`, or None."""
    if playlist is None or not playlist.visible_to(account):
        return PLAYLIST_NOT_FOUND
    if playlist.owner_id != account.id:
        return NOT_AUTHORIZED
    return None


def _add_problem(
    state: SimState, account: Account, playlist: Playlist | None, track_id: str
) -> str | None:
    """Why `track_id` cannot go into `playlist`, or None."""
    problem = _playlist_problem(playlist, account)
    if problem is not None or playlist is None:
        return problem or PLAYLIST_NOT_FOUND
    track = state.track(track_id)
    if track is None or not (track.is_public or track.account_id == account.id):
        return TRACK_NOT_FOUND
    if track_id in playlist.track_ids:
        return ALREADY_THERE
    if playlist.is_public and not track.is_public:
        return PRIVATE_IN_PUBLIC
    if not playlist.is_public and track.account_id != account.id:
        return OTHERS_IN_PRIVATE
    return None


def _failure(code: str, errors: list[dict[str, str]]) -> ApiError:
    """Nothing succeeded: 400 with the first reason as the message, all in `details`."""
    return ApiError(code, errors[0]["error"], details=errors)


def _result(done_key: str, done: list[str], errors: list[dict[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {done_key: done}
    if errors:  # omitted when every item succeeded
        data["errors"] = errors
    return data


def add_tracks(
    state: SimState, account: Account, playlist_id: str, track_ids: list[str]
) -> dict[str, Any]:
    playlist = state.playlists.get(playlist_id)
    added: list[str] = []
    errors: list[dict[str, str]] = []
    for track_id in track_ids:
        problem = _add_problem(state, account, playlist, track_id)
        if problem is not None or playlist is None:
            errors.append({"trackId": track_id, "error": problem or PLAYLIST_NOT_FOUND})
            continue
        playlist.track_ids.append(track_id)
        added.append(track_id)
    if not added:
        raise _failure("ADD_FAILED", errors)
    assert playlist is not None
    playlist.updated_at = state.clock.now()
    return _result("added", added, errors)


def remove_tracks(
    state: SimState, account: Account, playlist_id: str, track_ids: list[str]
) -> dict[str, Any]:
    playlist = state.playlists.get(playlist_id)
    mine = playlist is not None and playlist.owner_id == account.id
    removed: list[str] = []
    errors: list[dict[str, str]] = []
    for track_id in track_ids:
        if not mine or playlist is None or track_id not in playlist.track_ids:
            errors.append({"trackId": track_id, "error": NOT_IN_PLAYLIST})
            continue
        playlist.track_ids.remove(track_id)
        removed.append(track_id)
    if removed and playlist is not None:
        playlist.updated_at = state.clock.now()
    return _result("removed", removed, errors)


def move_tracks(
    state: SimState, account: Account, source_id: str, track_ids: list[str], target_id: str
) -> dict[str, Any]:
    """Each track: added to the target and, only if that worked, taken out of the source."""
    if target_id == source_id:
        same = FieldError("targetPlaylistId", "targetPlaylistId must differ from the source")
        raise ValidationFailed(f"Invalid request: {same.message}", [same])
    source = state.playlists.get(source_id)
    target = state.playlists.get(target_id)
    source_problem = _playlist_problem(source, account)
    moved: list[str] = []
    errors: list[dict[str, str]] = []
    for track_id in track_ids:
        problem = source_problem
        if problem is None and source is not None and track_id not in source.track_ids:
            problem = NOT_IN_PLAYLIST
        if problem is None:
            problem = _add_problem(state, account, target, track_id)
        if problem is not None or source is None or target is None:
            errors.append({"trackId": track_id, "error": problem or PLAYLIST_NOT_FOUND})
            continue
        target.track_ids.append(track_id)
        source.track_ids.remove(track_id)
        moved.append(track_id)
    if not moved:
        raise _failure("MOVE_FAILED", errors)
    assert source is not None and target is not None
    source.updated_at = target.updated_at = state.clock.now()
    return _result("moved", moved, errors)


# -- routes ------------------------------------------------------------------------


def route(
    state: SimState, account: Account, method: str, path: str, body: bytes
) -> tuple[int, Any] | None:
    """(status, data) for a playlist endpoint, or None when `path` is not one.

    Raises ApiError, or ValidationFailed for a bad body."""
    if path == PREFIX and method == "GET":
        playlists = state.playlists.owned_by(account.id)
        return 200, {"playlists": [summary(state, p) for p in playlists]}
    rest = path[len(PREFIX) + 1 :].split("/") if path.startswith(PREFIX + "/") else []
    if not rest or not rest[0]:
        return None
    playlist_id, action = rest[0], "/".join(rest[1:])
    if method == "GET" and not action:
        playlist = state.playlists.get(playlist_id)
        if playlist is None or not playlist.visible_to(account):
            raise ApiError("NOT_FOUND", f"Playlist {playlist_id} not found")
        return 200, full(state, playlist, account)
    if method != "POST":
        return None
    if action == "tracks":
        ids = parse_id_list(body, "trackIds")["trackIds"]
        return 200, add_tracks(state, account, playlist_id, ids)
    if action == "tracks/bulk-remove":
        ids = parse_id_list(body, "trackIds")["trackIds"]
        return 200, remove_tracks(state, account, playlist_id, ids)
    if action == "tracks/move":
        parsed = parse_id_list(body, "trackIds", ("targetPlaylistId",))
        return 200, move_tracks(
            state, account, playlist_id, parsed["trackIds"], parsed["targetPlaylistId"]
        )
    return None
