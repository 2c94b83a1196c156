"""Playlists (API v1.2) against the simulator over HTTP: reading them, and adding,
removing and moving tracks in requests of 100 whose per-item results are merged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fttui.api import errors
from fttui.api.models import RequestInvalid
from fttui.clock import VirtualClock
from fttui.sim.accounts import LIFETIME_KEY
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport


@pytest.fixture
def vsim(sim_factory: Callable[..., RunningSim], clock: VirtualClock) -> RunningSim:
    """The demo account with 260 older generations and no playlist yet."""
    return sim_factory(clock=clock, speed=1.0, generations=260, playlists=0)


def track_ids(sim: RunningSim, count: int) -> list[str]:
    return [g.id for g in sim.state.generations(sim.demo_key)][:count]


async def test_list_and_get_playlists(make_client: ClientFactory, vsim: RunningSim) -> None:
    tracks = track_ids(vsim, 3)
    mine = vsim.add_playlist("Night drive", track_ids=tracks, description="for the road")
    empty = vsim.add_playlist("Empty")
    client = make_client()
    listed = await client.list_playlists()
    assert {p.id for p in listed} == {mine, empty}
    summary = next(p for p in listed if p.id == mine)
    assert summary.name == "Night drive"
    assert summary.description == "for the road"
    assert summary.track_count == 3
    assert summary.total_duration is not None and summary.total_duration > 0
    assert summary.is_public is False
    assert summary.created_at is not None
    full = await client.get_playlist(mine)
    assert full.is_owner is True
    assert [t.id for t in full.tracks] == tracks
    assert next(p for p in listed if p.id == empty).description is None


async def test_another_users_public_playlist_shows_only_public_tracks(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    tracks = track_ids(vsim, 2)
    for track in tracks:
        vsim.set_public(track)
    public = vsim.add_playlist("Shared", public=True, track_ids=tracks)
    other = await make_client(key=LIFETIME_KEY).get_playlist(public)
    assert other.is_owner is False
    assert [t.id for t in other.tracks] == tracks


async def test_a_missing_playlist_is_not_found(make_client: ClientFactory) -> None:
    with pytest.raises(errors.NotFound):
        await make_client().get_playlist("no-such-playlist")


async def test_add_splits_at_100_and_a_chunk_refused_whole_becomes_item_errors(
    make_client: ClientFactory, vsim: RunningSim, counting: CountingTransport
) -> None:
    playlist = vsim.add_playlist("Big")
    good = track_ids(vsim, 100)
    unknown = [f"missing-{n}" for n in range(30)]
    client = make_client(transport=counting)
    used_before = client.rate.used_last_minute
    result = await client.add_to_playlist(playlist, [*good, *unknown])
    # The second request of 30 unknown ids was answered ADD_FAILED: merged, not raised.
    assert result.added == good
    assert list(result.failed) == unknown
    assert set(result.failed.values()) == {"Track not found"}
    assert client.rate.used_last_minute - used_before == 2
    assert len([r for r in counting.requests if r[0] == "POST"]) == 2
    assert [t.id for t in (await client.get_playlist(playlist)).tracks] == good


async def test_add_that_adds_nothing_gives_every_items_reason(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    playlist = vsim.add_playlist("Small", track_ids=track_ids(vsim, 1))
    already = track_ids(vsim, 1)
    unknown = [f"missing-{n}" for n in range(120)]
    # The server says ADD_FAILED (400) for each request: the items' reasons, not a failure.
    result = await make_client().add_to_playlist(playlist, [*already, *unknown])
    assert result.added == []
    assert len(result.failed) == 121  # both requests' items, merged
    assert result.failed[already[0]] == "Track already in playlist"
    assert result.failed["missing-119"] == "Track not found"
    assert result.lost_answer_note is None


async def test_an_add_cut_off_by_a_closing_connection_is_sent_once_more_and_done(
    make_client: ClientFactory, vsim: RunningSim, counting: CountingTransport
) -> None:
    tracks = track_ids(vsim, 2)
    playlist = vsim.add_playlist("Small")
    client = make_client(transport=counting)
    await client.get_playlist(playlist)  # a kept-alive connection the server then closes
    vsim.set_faults(close_idle="next:1,only:POST")
    result = await client.add_to_playlist(playlist, tracks)
    assert result.added == tracks and result.failed == {}
    assert result.answer_lost and result.lost_answer_note is None  # nothing to doubt
    assert counting.requests.count(("POST", f"/v1/playlists/{playlist}/tracks")) == 2
    assert [t.id for t in (await client.get_playlist(playlist)).tracks] == tracks


async def test_an_add_whose_answer_was_lost_after_it_was_done_says_so_beside_the_reasons(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    tracks = track_ids(vsim, 2)
    playlist = vsim.add_playlist("Small")
    vsim.set_faults(drop_after_commit="next:1,only:POST")  # done, then the answer cut
    result = await make_client().add_to_playlist(playlist, tracks)
    # The repeat finds them there; the result says the first try may have done it.
    assert result.added == []
    assert set(result.failed.values()) == {"Track already in playlist"}
    assert result.lost_answer_note is not None and "first try" in result.lost_answer_note
    assert [t.id for t in (await make_client().get_playlist(playlist)).tracks] == tracks


async def test_a_bulk_change_is_sent_again_only_once_after_a_cut(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    tracks = track_ids(vsim, 2)
    playlist = vsim.add_playlist("Small", track_ids=tracks)
    vsim.set_faults(close_idle="next:2,only:POST")
    with pytest.raises(errors.TransportError) as caught:
        await make_client().remove_from_playlist(playlist, tracks)
    assert caught.value.cut and vsim.faults.close_idle.fired == 2
    assert len((await make_client().get_playlist(playlist)).tracks) == 2


async def test_remove_merges_and_never_raises_for_items(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    tracks = track_ids(vsim, 150)
    playlist = vsim.add_playlist("Long", track_ids=tracks)
    result = await make_client().remove_from_playlist(playlist, [*tracks[:120], "not-there"])
    assert result.removed == tracks[:120]
    assert list(result.failed) == ["not-there"]
    left = await make_client().get_playlist(playlist)
    assert [t.id for t in left.tracks] == tracks[120:]


async def test_move_splits_merges_and_moves_only_what_it_can(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    tracks = track_ids(vsim, 210)
    source = vsim.add_playlist("Source", track_ids=tracks[:205])
    target = vsim.add_playlist("Target")
    client = make_client()
    result = await client.move_tracks(source, [*tracks[:205], *tracks[205:]], target)
    assert result.moved == tracks[:205]
    assert sorted(result.failed) == sorted(tracks[205:])  # never in the source
    assert len((await client.get_playlist(target)).tracks) == 205
    assert (await client.get_playlist(source)).tracks == []


async def test_move_that_moves_nothing_gives_every_items_reason(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    tracks = track_ids(vsim, 2)
    source = vsim.add_playlist("Source")
    target = vsim.add_playlist("Target")
    result = await make_client().move_tracks(source, tracks, target)  # MOVE_FAILED
    assert result.moved == [] and sorted(result.failed) == sorted(tracks)


async def test_move_to_the_same_playlist_is_refused_locally(
    make_client: ClientFactory, vsim: RunningSim, counting: CountingTransport
) -> None:
    source = vsim.add_playlist("Source")
    with pytest.raises(RequestInvalid) as caught:
        await make_client(transport=counting).move_tracks(source, ["a"], source)
    assert "targetPlaylistId" in caught.value.field_errors
    assert counting.requests == []
