"""What the media origin sends is checked before the cache takes it: audio only, never
past the announced size or the cache cap, within an overall deadline, with a reason."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from fttui.audio.cache import AudioCache, size_limit
from fttui.audio.download import MediaError, MediaFetcher
from fttui.audio.formats import sniff
from fttui.audio.testing import MediaServer, Served
from fttui.audio.track import Track
from fttui.sim.media import CAPTIVE_PORTAL_PAGE
from fttui.sim.server import RunningSim


def _leftovers(cache: AudioCache) -> list[str]:
    return sorted(p.name for p in cache.directory.glob("*.part"))


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("html_audio", "web page"),
        ("empty_audio", "empty"),
        ("json_audio", "JSON"),
    ],
)
async def test_a_body_that_is_not_audio_is_never_cached(
    media_sim: RunningSim,
    sim_track: Track,
    fetcher: MediaFetcher,
    cache: AudioCache,
    fault: str,
    words: str,
) -> None:
    media_sim.set_faults(**{fault: "next:1"})
    with pytest.raises(MediaError, match=words):
        await fetcher.fetch(sim_track)
    assert cache.lookup(sim_track.id) is None
    assert _leftovers(cache) == []
    assert len(media_sim.media_requests) == 1, "a wrong body is not retried"
    # Once the origin is right again, the file is fetched, not a stale answer reused.
    path = await fetcher.fetch(sim_track)
    assert sniff(path.read_bytes()[:64]) is not None
    assert path.stat().st_size == sim_track.file_size


@pytest.mark.parametrize(
    "kept",
    [CAPTIVE_PORTAL_PAGE.encode(), b"ID3" + bytes(1000)],
    ids=["a captive portal's page", "audio far shorter than fileSize"],
)
async def test_a_cached_file_that_fails_the_check_is_dropped_and_fetched_again(
    media_sim: RunningSim, sim_track: Track, fetcher: MediaFetcher, cache: AudioCache, kept: bytes
) -> None:
    # What an older fttui committed without checking.
    part = cache.part_path_for(sim_track.id)
    part.write_bytes(kept)
    cache.commit(sim_track.id, part, None)
    path = await fetcher.fetch(sim_track)
    assert sniff(path.read_bytes()[:64]) is not None
    assert len(media_sim.media_requests) == 1


async def test_a_stream_past_the_file_size_is_stopped_and_cleaned(
    media_sim: RunningSim, sim_track: Track, fetcher: MediaFetcher, cache: AudioCache
) -> None:
    assert sim_track.file_size is not None
    media_sim.set_faults(oversize_audio="1")
    with pytest.raises(MediaError, match="more than"):
        await fetcher.fetch(sim_track)
    assert cache.lookup(sim_track.id) is None
    assert _leftovers(cache) == []
    assert len(media_sim.media_requests) == 1, "too much is not retried"


async def test_a_download_of_unknown_size_never_grows_past_the_cache_cap(
    media_sim: RunningSim, sim_track: Track, tmp_path: Path
) -> None:
    assert sim_track.file_size is not None
    small = AudioCache(tmp_path / "small", max_bytes=sim_track.file_size // 2)
    fetcher = MediaFetcher(small, backoff_s=0.01)
    unknown = Track(sim_track.id, sim_track.title, sim_track.audio_url)  # no fileSize
    media_sim.set_faults(oversize_audio="1")
    try:
        with pytest.raises(MediaError, match="audio cache"):
            await fetcher.fetch(unknown)
    finally:
        await fetcher.aclose()
    assert _leftovers(small) == []
    assert small.total_bytes() == 0


def test_stale_part_files_are_cleaned_when_the_cache_opens(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c")
    old, fresh = cache.part_path_for("old"), cache.part_path_for("fresh")
    old.write_bytes(bytes(1000))
    fresh.write_bytes(bytes(1000))
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    AudioCache(tmp_path / "c")
    assert not old.exists()
    assert fresh.exists(), "a fresh one may be another fttui's download under way"


def test_part_files_count_against_the_cache_cap(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "c", max_bytes=2500)
    part = cache.part_path_for("a")
    part.write_bytes(b"ID3" + bytes(997))
    cache.commit("a", part, 1000)
    cache.part_path_for("b").write_bytes(bytes(2000))  # a download under way
    assert cache.total_bytes() == 3000
    cache.evict()
    assert cache.lookup("a") is None, "the complete file made room for the download"


async def test_an_endless_trickle_ends_at_the_overall_deadline_with_a_reason(
    media_sim: RunningSim, sim_track: Track, cache: AudioCache
) -> None:
    media_sim.set_faults(trickle_audio="1")
    fetcher = MediaFetcher(cache, backoff_s=0.01, min_deadline_s=0.5, min_bytes_per_s=10**12)
    try:
        with pytest.raises(MediaError, match=r"too long: \d[\d,]* of [\d,]+ bytes in 0\.5 s"):
            await fetcher.fetch(sim_track)
    finally:
        await fetcher.aclose()
    assert _leftovers(cache) == []


async def test_a_stalled_server_fails_with_a_reason(
    media_sim: RunningSim, sim_track: Track, cache: AudioCache
) -> None:
    media_sim.set_faults(stalled_audio="1")
    fetcher = MediaFetcher(cache, backoff_s=0.01, retries=1, timeout_s=0.2)
    try:
        with pytest.raises(MediaError, match="stopped sending"):
            await fetcher.fetch(sim_track)
    finally:
        await fetcher.aclose()
    assert _leftovers(cache) == []


def test_the_deadline_grows_with_the_file_and_has_a_floor(tmp_path: Path) -> None:
    fetcher = MediaFetcher(AudioCache(tmp_path / "c"), min_deadline_s=60, min_bytes_per_s=16_000)
    assert fetcher.deadline_s(None) == 8_000_000 / 16_000  # a long track, until a length is known
    assert fetcher.deadline_s(160_000) == 60
    assert fetcher.deadline_s(3_200_000) == 200


async def test_an_announced_length_past_the_bound_is_refused_before_reading(
    media: MediaServer, fetcher: MediaFetcher, cache: AudioCache, tone_mp3: bytes
) -> None:
    media.files["/a.mp3"] = Served(tone_mp3)
    track = Track("a", "A", media.url("/a.mp3"), file_size=1000)
    assert len(tone_mp3) > size_limit(1000)
    with pytest.raises(MediaError, match="more than the 1,000 bytes the API announced"):
        await fetcher.fetch(track)
    assert _leftovers(cache) == []
    assert len(media.requests) == 1
