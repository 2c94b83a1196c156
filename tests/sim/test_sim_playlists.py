"""The five playlist endpoints (v1.2): reading, privacy, partial success, seeding.

Playlists are made the web app's way (`sim.add_playlist`); tracks are POSTed and their
visibility set as their owner would (`sim.set_public`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fttui.clock import VirtualClock
from fttui.sim.accounts import DEMO_KEY, LIFETIME_KEY
from fttui.sim.server import RunningSim

PRIVATE_IN_PUBLIC = "Cannot add private track to public playlist"
OTHERS_IN_PRIVATE = "Cannot add another user's track to a private playlist"
ALREADY = "Track already in playlist"
TRACK_NOT_FOUND = "Track not found"
PLAYLIST_NOT_FOUND = "Playlist not found"
NOT_AUTHORIZED = "Not authorized to modify this playlist"
NOT_IN_PLAYLIST = "Track not found in playlist or not authorized"


class World:
    """A demo user with tracks and playlists, and another user with some of theirs."""

    def __init__(self, sim: RunningSim, clock: VirtualClock) -> None:
        self.sim = sim
        self.me = httpx.Client(base_url=sim.base_url, headers={"X-API-Key": DEMO_KEY})
        self.other = httpx.Client(base_url=sim.base_url, headers={"X-API-Key": LIFETIME_KEY})
        self.private = [self.make(self.me, clock, f"mine {i}") for i in range(3)]
        self.public = [self.make(self.me, clock, f"shared {i}", public=True) for i in range(2)]
        self.others_public = self.make(self.other, clock, "theirs", public=True)
        self.others_private = self.make(self.other, clock, "secret")
        self.mix = sim.add_playlist("Mix", description="private, mine", track_ids=[self.private[0]])
        self.show = sim.add_playlist("Show", public=True, track_ids=[self.public[0]])
        self.theirs = sim.add_playlist("Theirs", key=LIFETIME_KEY, public=True)
        self.hidden = sim.add_playlist("Hidden", key=LIFETIME_KEY)

    def make(self, http: httpx.Client, clock: VirtualClock, tags: str, public: bool = False) -> str:
        response = http.post("/v1/generations", json={"tags": tags, "duration": 30})
        assert response.status_code == 202, response.text
        clock.advance(7.0)  # under 10 a minute; each completes
        gen_id: str = response.json()["data"]["id"]
        if public:
            self.sim.set_public(gen_id)
        return gen_id

    def tracks(self, playlist_id: str) -> list[str]:
        data = self.me.get(f"/v1/playlists/{playlist_id}").json()["data"]
        return [t["id"] for t in data["tracks"]]

    def close(self) -> None:
        self.me.close()
        self.other.close()


@pytest.fixture
def world(vsim: RunningSim, clock: VirtualClock) -> Iterator[World]:
    made = World(vsim, clock)
    clock.advance(10.0)
    yield made
    made.close()


def test_list_own_playlists(world: World) -> None:
    data = world.me.get("/v1/playlists").json()["data"]
    assert [p["name"] for p in data["playlists"]] == ["Show", "Mix"]  # latest change first
    show, mix = data["playlists"]
    assert mix == {
        "id": world.mix,
        "name": "Mix",
        "description": "private, mine",
        "trackCount": 1,
        "totalDuration": 30,
        "isPublic": False,
        "createdAt": mix["createdAt"],
        "updatedAt": mix["updatedAt"],
    }
    assert show["description"] is None and show["isPublic"] is True
    assert mix["createdAt"] == "2026-01-15 10:30:49"  # the space form


def test_get_playlist_with_tracks(world: World) -> None:
    data = world.me.get(f"/v1/playlists/{world.mix}").json()["data"]
    assert data["isOwner"] is True and data["trackCount"] == 1
    (track,) = data["tracks"]
    assert track["id"] == world.private[0] and track["status"] == "completed"
    assert track["audioUrl"].endswith(".mp3") and track["isPublic"] is False


def test_others_public_playlist_readable_private_not(world: World, expect_error: Any) -> None:
    data = world.me.get(f"/v1/playlists/{world.theirs}").json()["data"]
    assert data["isOwner"] is False and data["name"] == "Theirs"
    expect_error(world.me.get(f"/v1/playlists/{world.hidden}"), "NOT_FOUND")
    expect_error(world.me.get("/v1/playlists/no-such-playlist"), "NOT_FOUND")
    names = [p["name"] for p in world.me.get("/v1/playlists").json()["data"]["playlists"]]
    assert "Theirs" not in names  # the list holds only your own


def test_add_partial_success(world: World) -> None:
    ids = [world.private[1], world.private[0], "nope", world.others_private, world.private[2]]
    response = world.me.post(f"/v1/playlists/{world.mix}/tracks", json={"trackIds": ids})
    assert response.status_code == 200
    assert response.json()["data"] == {
        "added": [world.private[1], world.private[2]],
        "errors": [
            {"trackId": world.private[0], "error": ALREADY},
            {"trackId": "nope", "error": TRACK_NOT_FOUND},
            {"trackId": world.others_private, "error": TRACK_NOT_FOUND},
        ],
    }
    assert world.tracks(world.mix) == [world.private[0], world.private[1], world.private[2]]


def test_add_errors_omitted_when_all_added(world: World) -> None:
    body = {"trackIds": [world.public[1], world.others_public]}
    response = world.me.post(f"/v1/playlists/{world.show}/tracks", json=body)
    assert response.json()["data"] == {"added": body["trackIds"]}


@pytest.mark.parametrize(
    ("playlist", "track", "reason"),
    [
        ("show", "private0", PRIVATE_IN_PUBLIC),  # a public playlist: public tracks only
        ("mix", "others_public", OTHERS_IN_PRIVATE),  # a private one: your own only
        ("theirs", "public1", NOT_AUTHORIZED),  # someone else's public playlist
        ("hidden", "public1", PLAYLIST_NOT_FOUND),  # someone else's private playlist
        ("nowhere", "public1", PLAYLIST_NOT_FOUND),
        ("mix", "private0", ALREADY),
    ],
)
def test_add_failed_when_nothing_added(
    world: World, expect_error: Any, playlist: str, track: str, reason: str
) -> None:
    playlist_id = {"show": world.show, "mix": world.mix, "theirs": world.theirs}.get(
        playlist, world.hidden if playlist == "hidden" else "nowhere"
    )
    track_id = {
        "private0": world.private[0],
        "public1": world.public[1],
        "others_public": world.others_public,
    }[track]
    before = world.sim.state.playlists.get(playlist_id)
    count = len(before.track_ids) if before else 0
    response = world.me.post(f"/v1/playlists/{playlist_id}/tracks", json={"trackIds": [track_id]})
    error = expect_error(response, "ADD_FAILED")
    assert error["message"] == reason
    assert error["details"] == [{"trackId": track_id, "error": reason}]
    after = world.sim.state.playlists.get(playlist_id)
    assert (len(after.track_ids) if after else 0) == count


def test_bulk_remove_partial_and_always_200(world: World) -> None:
    world.me.post(f"/v1/playlists/{world.mix}/tracks", json={"trackIds": [world.private[1]]})
    body = {"trackIds": [world.private[0], "nope"]}
    response = world.me.post(f"/v1/playlists/{world.mix}/tracks/bulk-remove", json=body)
    assert response.status_code == 200
    assert response.json()["data"] == {
        "removed": [world.private[0]],
        "errors": [{"trackId": "nope", "error": NOT_IN_PLAYLIST}],
    }
    assert world.tracks(world.mix) == [world.private[1]]
    assert world.me.get(f"/v1/generations/{world.private[0]}").status_code == 200  # kept
    # Nothing removed, someone else's playlist: still 200.
    other = world.me.post(
        f"/v1/playlists/{world.theirs}/tracks/bulk-remove", json={"trackIds": [world.public[0]]}
    )
    assert other.status_code == 200
    assert other.json()["data"] == {
        "removed": [],
        "errors": [{"trackId": world.public[0], "error": NOT_IN_PLAYLIST}],
    }


def test_bulk_remove_errors_omitted_when_all_removed(world: World) -> None:
    body = {"trackIds": [world.private[0]]}
    response = world.me.post(f"/v1/playlists/{world.mix}/tracks/bulk-remove", json=body)
    assert response.json()["data"] == {"removed": [world.private[0]]}


def test_move_partial_success(world: World) -> None:
    world.me.post(
        f"/v1/playlists/{world.mix}/tracks", json={"trackIds": [world.public[1], world.private[1]]}
    )
    body = {
        "trackIds": [world.public[1], world.private[1], "nope"],
        "targetPlaylistId": world.show,
    }
    response = world.me.post(f"/v1/playlists/{world.mix}/tracks/move", json=body)
    assert response.status_code == 200
    assert response.json()["data"] == {
        "moved": [world.public[1]],
        "errors": [
            {"trackId": world.private[1], "error": PRIVATE_IN_PUBLIC},
            {"trackId": "nope", "error": NOT_IN_PLAYLIST},
        ],
    }
    # A track that could not be added stays in the source.
    assert world.tracks(world.mix) == [world.private[0], world.private[1]]
    assert world.tracks(world.show) == [world.public[0], world.public[1]]


def test_move_failed_when_nothing_moved(world: World, expect_error: Any) -> None:
    body = {"trackIds": [world.private[0]], "targetPlaylistId": world.show}
    error = expect_error(
        world.me.post(f"/v1/playlists/{world.mix}/tracks/move", json=body), "MOVE_FAILED"
    )
    assert error["message"] == PRIVATE_IN_PUBLIC
    assert error["details"] == [{"trackId": world.private[0], "error": PRIVATE_IN_PUBLIC}]
    assert world.tracks(world.mix) == [world.private[0]]
    into_theirs = {"trackIds": [world.public[0]], "targetPlaylistId": world.theirs}
    error = expect_error(
        world.me.post(f"/v1/playlists/{world.show}/tracks/move", json=into_theirs), "MOVE_FAILED"
    )
    assert error["details"] == [{"trackId": world.public[0], "error": NOT_AUTHORIZED}]


def test_move_to_the_same_playlist_is_a_validation_error(world: World, expect_error: Any) -> None:
    body = {"trackIds": [world.private[0]], "targetPlaylistId": world.mix}
    expect_error(
        world.me.post(f"/v1/playlists/{world.mix}/tracks/move", json=body), "VALIDATION_ERROR"
    )


def test_deleting_a_track_removes_it_from_every_playlist(world: World) -> None:
    world.other.post(f"/v1/playlists/{world.theirs}/tracks", json={"trackIds": [world.public[0]]})
    world.me.post("/v1/generations/bulk-delete", json={"ids": [world.public[0]]})
    assert world.tracks(world.show) == []
    assert world.tracks(world.theirs) == []


def test_visitor_sees_only_public_tracks(world: World) -> None:
    world.other.post(f"/v1/playlists/{world.theirs}/tracks", json={"trackIds": [world.public[0]]})
    world.sim.set_public(world.public[0], False)  # its owner hid it in the web app
    assert world.tracks(world.theirs) == []
    own_view = world.other.get(f"/v1/playlists/{world.theirs}").json()["data"]
    assert [t["id"] for t in own_view["tracks"]] == [world.public[0]]


def test_seeded_playlists_follow_the_privacy_rules(sim_factory: Any) -> None:
    running = sim_factory(generations=60, playlists=4, seed=2)
    with httpx.Client(base_url=running.base_url, headers={"X-API-Key": DEMO_KEY}) as http:
        listed = http.get("/v1/playlists").json()["data"]["playlists"]
        assert len(listed) == 4
        assert sorted(p["isPublic"] for p in listed) == [False, False, True, True]
        mine = {g.id for g in running.state.generations(DEMO_KEY)}
        for summary in listed:
            data = http.get(f"/v1/playlists/{summary['id']}").json()["data"]
            assert data["trackCount"] == len(data["tracks"]) > 0
            assert {t["id"] for t in data["tracks"]} <= mine
            if data["isPublic"]:
                assert all(t["isPublic"] for t in data["tracks"])


def test_demo_data_has_playlists_to_browse(sim_factory: Any) -> None:
    from fttui.cli.session import DEMO_GENERATIONS, DEMO_SEED, DEMO_SPEED

    demo = sim_factory(speed=DEMO_SPEED, generations=DEMO_GENERATIONS, seed=DEMO_SEED)
    with httpx.Client(base_url=demo.base_url, headers={"X-API-Key": DEMO_KEY}) as http:
        listed = http.get("/v1/playlists").json()["data"]["playlists"]
        assert len(listed) == 3
        assert any(p["isPublic"] for p in listed) and not all(p["isPublic"] for p in listed)
        assert sum(p["trackCount"] for p in listed) > 0


@pytest.mark.parametrize(
    ("options", "count"),
    [
        ({"generations": 24}, 3),
        ({"generations": 24, "playlists": 0}, 0),
        ({}, 0),
        ({"playlists": 2}, 2),  # no generations: empty playlists
    ],
)
def test_how_many_playlists_are_seeded(
    sim_factory: Any, options: dict[str, Any], count: int
) -> None:
    running = sim_factory(**options)
    response = httpx.get(running.base_url + "/v1/playlists", headers={"X-API-Key": DEMO_KEY})
    assert len(response.json()["data"]["playlists"]) == count
