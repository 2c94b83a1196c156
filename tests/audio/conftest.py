"""Fixtures for the audio layer: synthetic files, a media server, a cache, a fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from fttui.audio.backends.null_backend import NullBackend
from fttui.audio.cache import AudioCache
from fttui.audio.download import MediaFetcher
from fttui.audio.player import Player
from fttui.audio.testing import MediaServer, encode_mp3, encode_wav, tone_pcm
from fttui.audio.track import Track
from fttui.sim import shapes
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim


@pytest.fixture(scope="session")
def tone_mp3() -> bytes:
    """Twenty seconds of 440 Hz, encoded by LAME."""
    return encode_mp3(tone_pcm(20.0))


@pytest.fixture(scope="session")
def tone_wav() -> bytes:
    """Three seconds of 440 Hz in a WAV written by the `wave` module."""
    return encode_wav(tone_pcm(3.0))


@pytest.fixture
def media() -> Iterator[MediaServer]:
    """A loopback media server with no files yet."""
    with MediaServer() as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> AudioCache:
    return AudioCache(tmp_path / "audio-cache")


@pytest.fixture
async def fetcher(cache: AudioCache) -> AsyncIterator[MediaFetcher]:
    fetcher = MediaFetcher(cache, backoff_s=0.01)
    yield fetcher
    await fetcher.aclose()


@pytest.fixture
async def null_player(cache: AudioCache) -> AsyncIterator[tuple[Player, NullBackend]]:
    """A player on the null backend (real-time consumption, no sound)."""
    backend = NullBackend()
    player = Player(backend, MediaFetcher(cache, backoff_s=0.01))
    yield player, backend
    await player.close()


@pytest.fixture
def media_sim(sim_factory: Callable[..., RunningSim]) -> RunningSim:
    """A simulator with a few finished generations to fetch."""
    return sim_factory(generations=3)


@pytest.fixture
def sim_track(media_sim: RunningSim) -> Track:
    """A finished generation of `media_sim`, as a Track."""
    return track_of(media_sim)


def track_of(sim: RunningSim, index: int = 0) -> Track:
    """The `index`-th completed generation of the simulator's demo account, as a Track."""
    now = sim.state.now()
    done = [g for g in sim.state.generations(DEMO_KEY) if g.status(now) == "completed"]
    data = shapes.detail(done[index], now, sim.media_url)
    return Track(
        id=data["id"],
        title=data["title"],
        audio_url=data["audioUrl"],
        duration_s=float(data["duration"]),
        file_size=data["fileSize"],
    )
