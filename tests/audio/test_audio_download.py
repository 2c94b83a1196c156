"""Downloads into the cache: no key sent, length checked, truncation retried, replay offline,
eviction of the least recently played."""

from __future__ import annotations

from pathlib import Path

import pytest

from fttui.api.origins import InsecureURLError
from fttui.audio.backends.null_backend import NullBackend
from fttui.audio.cache import AudioCache, IncompleteDownload
from fttui.audio.download import MediaError, MediaFetcher
from fttui.audio.player import Player
from fttui.audio.testing import MediaServer, Served, wait_until
from fttui.audio.track import Track
from fttui.sim.server import RunningSim


async def test_download_from_the_simulator_lands_whole_without_a_key(
    media_sim: RunningSim, sim_track: Track, fetcher: MediaFetcher, cache: AudioCache
) -> None:
    sim, track = media_sim, sim_track
    path = await fetcher.fetch(track)
    assert path == cache.lookup(track.id)
    assert path.stat().st_size == track.file_size
    assert not cache.part_path_for(track.id).exists()
    for request in sim.media_requests:
        assert "x-api-key" not in request.headers
        assert "authorization" not in request.headers


async def test_truncated_download_is_detected_and_resumed(
    media_sim: RunningSim, sim_track: Track, fetcher: MediaFetcher
) -> None:
    sim, track = media_sim, sim_track
    sim.set_faults(truncated_audio="next:1")
    path = await fetcher.fetch(track)
    assert path.stat().st_size == track.file_size
    ranges = [r.headers.get("range") for r in sim.media_requests]
    assert ranges[0] is None
    assert ranges[1] is not None
    assert ranges[1].startswith("bytes=")


async def test_restart_when_the_server_ignores_ranges(
    media: MediaServer, fetcher: MediaFetcher, tone_mp3: bytes
) -> None:
    media.files["/a.mp3"] = Served(tone_mp3, ranges=False, cut_first=1)
    path = await fetcher.fetch(Track("a", "A", media.url("/a.mp3")))
    assert path.read_bytes() == tone_mp3
    assert len(media.requests) == 2


async def test_a_file_that_stays_short_is_never_taken_as_complete(
    media: MediaServer, fetcher: MediaFetcher, cache: AudioCache, tone_mp3: bytes
) -> None:
    media.files["/a.mp3"] = Served(tone_mp3, ranges=False, cut_first=99)
    with pytest.raises(MediaError, match="Download"):
        await fetcher.fetch(Track("a", "A", media.url("/a.mp3")))
    assert cache.lookup("a") is None
    assert len(media.requests) == 4  # the first try and three retries


async def test_announced_file_size_is_checked(
    media: MediaServer, fetcher: MediaFetcher, cache: AudioCache, tone_mp3: bytes
) -> None:
    # No Content-Length and a body cut short: only the API's fileSize can tell.
    media.files["/a.mp3"] = Served(tone_mp3, length_header=False, cut_first=1)
    path = await fetcher.fetch(Track("a", "A", media.url("/a.mp3"), file_size=len(tone_mp3)))
    assert path.read_bytes() == tone_mp3
    assert media.requests[1]["headers"]["Range"] == f"bytes={len(tone_mp3) // 2}-"
    with pytest.raises(IncompleteDownload):
        cache.commit("b", _part(cache, "b", b"short"), expected=10)
    assert cache.lookup("b") is None


async def test_cached_track_plays_with_the_media_server_stopped(
    media_sim: RunningSim, sim_track: Track, cache: AudioCache
) -> None:
    sim, track = media_sim, sim_track
    backend = NullBackend()
    fetcher = MediaFetcher(cache)
    player = Player(backend, fetcher)
    try:
        await fetcher.fetch(track)
        sim.stop_media()
        before = len(sim.media_requests)
        await player.play(track)
        await wait_until(lambda: backend.frames_delivered > 4096)
        assert player.state.status == "playing"
        assert len(sim.media_requests) == before
    finally:
        await player.close()


async def test_redirects_are_followed_only_to_safe_urls(
    media: MediaServer, fetcher: MediaFetcher, tone_mp3: bytes
) -> None:
    media.files["/real.mp3"] = Served(tone_mp3)
    media.files["/moved.mp3"] = Served(b"", redirect_to="/real.mp3")
    media.files["/evil.mp3"] = Served(b"", redirect_to="http://example.com/a.mp3")
    assert (await fetcher.fetch(Track("m", "M", media.url("/moved.mp3")))).read_bytes() == tone_mp3
    with pytest.raises(MediaError, match="https"):
        await fetcher.fetch(Track("e", "E", media.url("/evil.mp3")))
    with pytest.raises(MediaError, match="https"):
        await fetcher.fetch(Track("h", "H", "http://example.com/a.mp3"))
    assert issubclass(InsecureURLError, ValueError)


def _audio(size: int) -> bytes:
    """`size` bytes that start like an MP3 (an ID3 tag), as the cache requires."""
    return b"ID3" + bytes(size - 3)


def _part(cache: AudioCache, track_id: str, data: bytes) -> Path:
    part = cache.part_path_for(track_id)
    part.write_bytes(data)
    return part


def test_eviction_removes_the_least_recently_played(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c", max_bytes=2500)
    for name in ("a", "b"):
        cache.commit(name, _part(cache, name, _audio(1000)), 1000)
    cache.touch("a")  # a is now more recent than b
    cache.commit("c", _part(cache, "c", _audio(1000)), 1000)  # 3000 > 2500: one must go
    assert cache.lookup("b") is None
    assert cache.lookup("a") is not None
    assert cache.lookup("c") is not None
    assert cache.total_bytes() == 2000


def test_a_playing_track_is_never_evicted(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c", max_bytes=1500)
    cache.commit("a", _part(cache, "a", _audio(1000)), 1000)
    cache.pin("a")
    cache.commit("b", _part(cache, "b", _audio(1000)), 1000)
    assert cache.lookup("a") is not None
    assert cache.lookup("b") is None
    cache.unpin("a")
    assert cache.evict() == []  # back under the cap already


def test_ids_never_become_paths(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c")
    hostile = "../../etc/passwd"
    assert cache.path_for(hostile).parent == cache.directory
    assert cache.part_path_for(hostile).parent == cache.directory


def test_a_file_changed_behind_the_cache_is_dropped(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c")
    path = cache.commit("a", _part(cache, "a", _audio(1000)), 1000)
    path.write_bytes(bytes(10))
    assert cache.lookup("a") is None


def test_a_reader_of_a_failed_download_gets_its_reason_not_a_missing_file(
    tmp_path: Path,
) -> None:
    # The download fails its content check and removes its .part file; the decoder
    # reading it at that moment must hear why, not "No such file or directory".
    from fttui.audio.source import DownloadFailed, DownloadProgress

    part = tmp_path / "gone.part"
    part.write_bytes(b"<html>" * 100)
    progress = DownloadProgress(part)
    progress.advance(600)
    progress.fail(MediaError("this is a web page, not audio"))
    part.unlink()
    with pytest.raises(DownloadFailed, match="web page"):
        progress.read_at(0, 100)
