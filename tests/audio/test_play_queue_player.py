"""The player's queue: the next track starts when one ends; repeat, shuffle and mute."""

from __future__ import annotations

import random

from fttui.audio.backends.null_backend import NullBackend
from fttui.audio.cache import AudioCache
from fttui.audio.download import MediaFetcher
from fttui.audio.player import Player
from fttui.audio.queue import PlayQueue
from fttui.audio.testing import encode_wav, tone_pcm, wait_until
from fttui.audio.track import Track


def _tracks(cache: AudioCache, count: int, seconds: float = 0.5) -> list[Track]:
    data = encode_wav(tone_pcm(seconds))
    tracks = []
    for number in range(count):
        track_id = f"t{number}"
        part = cache.part_path_for(track_id)
        part.write_bytes(data)
        cache.commit(track_id, part, len(data))
        tracks.append(Track(track_id, f"Tone {number}", "http://127.0.0.1:9/x", seconds))
    return tracks


def _plain(count: int) -> list[Track]:
    return [Track(f"t{n}", f"T{n}", "http://127.0.0.1:9/x", 1.0) for n in range(count)]


def test_queue_plays_in_order_and_ends_after_the_last() -> None:
    queue = PlayQueue()
    assert queue.load(_plain(3), start=1) is not None
    following = queue.following()
    assert following is not None and following.id == "t2"
    assert queue.following() is None


def test_queue_with_repeat_starts_over() -> None:
    queue = PlayQueue(repeat=True)
    queue.load(_plain(2), start=1)
    assert [queue.following().id for _ in range(3)] == ["t0", "t1", "t0"]  # type: ignore[union-attr]


def test_queue_with_shuffle_plays_each_track_once() -> None:
    queue = PlayQueue(shuffle=True, rng=random.Random(4))
    queue.load(_plain(5))
    played = ["t0"]
    while (track := queue.following()) is not None:
        played.append(track.id)
    assert sorted(played) == [f"t{n}" for n in range(5)]


async def test_when_a_track_ends_the_next_in_the_queue_plays(cache: AudioCache) -> None:
    player = Player(NullBackend(speed=8.0), MediaFetcher(cache))
    try:
        tracks = _tracks(cache, 3)
        await player.play_queue(tracks, start=1)
        assert player.state.queue_position == "2/3"
        await wait_until(lambda: player.state.track_id == "t2")
        await wait_until(lambda: player.state.status == "stopped")
        assert player.state.track_id == "t2"  # the last one: the queue ends there
    finally:
        await player.close()


async def test_repeat_and_shuffle_and_mute_are_in_the_state(cache: AudioCache) -> None:
    player = Player(NullBackend(), MediaFetcher(cache))
    try:
        player.toggle_repeat()
        player.toggle_shuffle()
        player.toggle_mute()
        state = player.state
        assert (state.repeat, state.shuffle, state.muted) == (True, True, True)
        player.change_volume(0.1)  # a volume key is meant to be heard
        assert not player.state.muted
    finally:
        await player.close()


def test_deleted_tracks_leave_the_queue_and_the_next_one_still_follows() -> None:
    queue = PlayQueue()
    queue.load(_plain(5), start=1)
    assert not queue.drop({"t3", "t0"})  # the one playing (t1) stays
    assert [t.id for t in queue.tracks] == ["t1", "t2", "t4"] and queue.position == "1/3"
    assert queue.drop({"t1"})  # the one playing went: the one after it comes next
    following = queue.following()
    assert following is not None and following.id == "t2"
    assert queue.following() is not None and queue.current.id == "t4"  # type: ignore[union-attr]
    assert queue.following() is None


def test_under_shuffle_a_deleted_track_is_never_played() -> None:
    queue = PlayQueue(shuffle=True, rng=random.Random(2))
    queue.load(_plain(6))
    queue.drop({"t4", "t5"})
    played = ["t0"]
    while (track := queue.following()) is not None:
        played.append(track.id)
    assert sorted(played) == ["t0", "t1", "t2", "t3"]
