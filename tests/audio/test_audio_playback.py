"""Playback semantics on the null backend: real-time position, pause, seek, volume, end."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fttui.audio.backends import select_backend
from fttui.audio.backends.null_backend import NullBackend
from fttui.audio.cache import AudioCache
from fttui.audio.download import MediaFetcher
from fttui.audio.formats import FRAME_BYTES, SAMPLE_RATE
from fttui.audio.player import Player, PlayerState, adjacent
from fttui.audio.source import DownloadProgress
from fttui.audio.stream import PcmStream
from fttui.audio.testing import MediaServer, Served, encode_wav, tone_pcm, wait_until
from fttui.audio.track import Track

NullPlayer = tuple[Player, NullBackend]


def _cached_track(
    cache: AudioCache, data: bytes, track_id: str = "t1", seconds: float = 20.0
) -> Track:
    part = cache.part_path_for(track_id)
    part.write_bytes(data)
    cache.commit(track_id, part, len(data))
    # The URL is never used: the file is cached, and nothing listens on port 9.
    return Track(track_id, "Tone", "http://127.0.0.1:9/none.mp3", duration_s=seconds)


async def test_position_advances_in_real_time(
    null_player: NullPlayer, cache: AudioCache, tone_mp3: bytes
) -> None:
    player, backend = null_player
    track = _cached_track(cache, tone_mp3)
    began = time.monotonic()
    await player.play(track)
    await wait_until(lambda: player.state.position_s >= 0.5)
    state = player.state
    assert state.status == "playing"
    assert state.title == "Tone"
    assert state.duration_s == 20.0
    # Frames are consumed at the device's pace, never faster than the clock.
    assert state.position_s <= time.monotonic() - began + 0.05
    assert backend.frames_delivered >= SAMPLE_RATE // 2


async def test_pause_holds_the_position_and_resume_continues(
    null_player: NullPlayer, cache: AudioCache, tone_mp3: bytes
) -> None:
    player, backend = null_player
    await player.play(_cached_track(cache, tone_mp3))
    await wait_until(lambda: player.state.position_s > 0.2)
    player.toggle_pause()
    assert player.state.status == "paused"
    held = player.state.position_s
    delivered = backend.frames_delivered
    asked = backend.frames_asked
    await wait_until(lambda: backend.frames_asked > asked + SAMPLE_RATE // 4)  # time passes
    assert player.state.position_s == held
    assert backend.frames_delivered == delivered
    player.toggle_pause()
    await wait_until(lambda: player.state.position_s > held + 0.1)
    assert player.state.status == "playing"


async def test_seek_forward_back_and_clamps(
    null_player: NullPlayer, cache: AudioCache, tone_mp3: bytes
) -> None:
    player, _ = null_player
    await player.play(_cached_track(cache, tone_mp3))
    await wait_until(lambda: player.state.position_s > 0.1)
    player.seek_to(10.0)
    assert 10.0 <= player.state.position_s < 10.5
    player.seek(-30.0)
    assert player.state.position_s < 0.5
    player.seek(+5.0)
    assert 5.0 <= player.state.position_s < 5.5
    player.seek_to(999.0)  # past the end: to the end, which finishes the track
    await wait_until(lambda: player.state.status == "stopped")
    assert player.state.position_s == 20.0


async def test_volume_is_clamped_and_applied(
    null_player: NullPlayer, cache: AudioCache, tone_mp3: bytes
) -> None:
    player, _ = null_player
    seen: list[PlayerState] = []
    player.subscribe(seen.append)
    player.set_volume(1.7)
    assert player.state.volume == 1.0
    player.change_volume(-0.3)
    assert player.state.volume == pytest.approx(0.7)
    player.set_volume(-1)
    assert player.state.volume == 0.0
    assert [s.volume for s in seen][-3:] == [1.0, pytest.approx(0.7), 0.0]


def test_stream_applies_volume_to_pcm(tmp_path: Path) -> None:
    pcm = tone_pcm(1.0, amplitude=0.5)
    path = tmp_path / "tone"
    path.write_bytes(encode_wav(pcm))
    stream = PcmStream(DownloadProgress.complete(path))
    stream.start()
    try:
        stream.set_volume(0.5)  # a quarter of the amplitude (volume is squared)
        deadline = time.monotonic() + 5
        data = b""
        while not data and time.monotonic() < deadline:
            data = stream.read(1024)
        loud = max(
            abs(int.from_bytes(pcm[i : i + 2], "little", signed=True)) for i in range(0, 4096, 2)
        )
        quiet = max(
            abs(int.from_bytes(data[i : i + 2], "little", signed=True)) for i in range(0, 4096, 2)
        )
        assert quiet == pytest.approx(loud / 4, abs=2)
    finally:
        stream.close()


async def test_end_of_track_is_detected_from_the_stream(cache: AudioCache) -> None:
    backend = NullBackend(speed=8.0)
    player = Player(backend, MediaFetcher(cache))
    states: list[str] = []
    player.subscribe(lambda s: states.append(s.status))
    try:
        await player.play(_cached_track(cache, encode_wav(tone_pcm(1.0)), seconds=1.0))
        await wait_until(lambda: player.state.status == "stopped")
        assert player.state.position_s == 1.0
        assert backend.frames_delivered == SAMPLE_RATE
        assert states[-1] == "stopped"
        assert "error" not in states
        await player.play_pause()  # the play key after the end plays it again
        await wait_until(
            lambda: player.state.status == "stopped" and backend.frames_delivered == 2 * SAMPLE_RATE
        )
    finally:
        await player.close()


async def test_streaming_starts_before_the_download_ends(
    cache: AudioCache, tone_mp3: bytes
) -> None:
    served = Served(tone_mp3, pause_at=len(tone_mp3) // 4)
    with MediaServer({"/t.mp3": served}) as media:
        backend = NullBackend()
        player = Player(backend, MediaFetcher(cache))
        try:
            await player.play(Track("s1", "Stream", media.url("/t.mp3"), duration_s=20.0))
            await wait_until(lambda: backend.frames_delivered > 0)
            state = player.state
            assert state.downloaded is not None
            assert state.downloaded < 0.5
            assert cache.lookup("s1") is None
            player.seek_to(15.0)  # beyond what has arrived: clamped short of it
            assert player.state.position_s < 20.0 * 0.25
            served.resume.set()
            await wait_until(lambda: cache.lookup("s1") is not None)
            assert cache.lookup("s1").read_bytes() == tone_mp3  # type: ignore[union-attr]
        finally:
            served.resume.set()
            await player.close()


async def test_a_broken_file_is_an_error_not_a_crash(
    null_player: NullPlayer, media: MediaServer
) -> None:
    player, _ = null_player
    media.files["/a.mp3"] = Served(b"<html>502 Bad Gateway</html>" * 10)
    await player.play(Track("t1", "Tone", media.url("/a.mp3")))
    await wait_until(lambda: player.state.status == "error")
    # The decoder or the download's own check, whichever looks first.
    message = player.state.message
    assert "not a supported audio format" in message or "web page" in message


def test_backends_by_name() -> None:
    assert select_backend("null").name == "null"
    assert select_backend("auto").name == "miniaudio"
    assert select_backend("simpleaudio").name == "simpleaudio"
    with pytest.raises(ValueError, match="unknown audio backend"):
        select_backend("pulse")  # type: ignore[arg-type]


def test_next_and_previous() -> None:
    tracks = [Track(str(n), f"T{n}", "https://x/a.mp3") for n in range(3)]
    assert adjacent(tracks, "1", +1) is tracks[2]
    assert adjacent(tracks, "1", -1) is tracks[0]
    assert adjacent(tracks, "2", +1) is None
    assert adjacent(tracks, None, +1) is tracks[0]
    assert adjacent([], None, +1) is None
    assert FRAME_BYTES == 4
