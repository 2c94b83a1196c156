"""The media origin: real MP3, deterministic, byte ranges, no key, a request log."""

from __future__ import annotations

from typing import Any

import httpx
import miniaudio
import pytest

from fttui.clock import VirtualClock
from fttui.sim import mp3
from fttui.sim.server import RunningSim
from fttui.sim.synth import Track

TRACK = {"tags": "jazz smooth saxophone evening", "duration": 10, "bpm": 100, "seed": 11}


def completed(sim: RunningSim, clock: VirtualClock, **changes: Any) -> dict[str, Any]:
    """Create a generation, let it finish on the virtual clock, return its detail."""
    with httpx.Client(base_url=sim.base_url, headers={"X-API-Key": sim.demo_key}) as http:
        gen_id = http.post("/v1/generations", json={**TRACK, **changes}).json()["data"]["id"]
        clock.advance(10.0)
        data: dict[str, Any] = http.get(f"/v1/generations/{gen_id}").json()["data"]
    assert data["status"] == "completed"
    return data


def test_audio_is_mp3_of_the_requested_duration(vsim: RunningSim, clock: VirtualClock) -> None:
    gen = completed(vsim, clock, duration=12, key="F#", scale="minor", timesignature="7")
    response = httpx.get(gen["audioUrl"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == len(response.content) == gen["fileSize"]
    assert response.content.startswith(b"ID3")
    decoded = miniaudio.decode(response.content)
    assert decoded.sample_rate == 44100
    assert abs(decoded.num_frames / decoded.sample_rate - 12) < 0.2
    peak = max(abs(s) for s in decoded.samples[: 44100 * 2 * 2])
    assert peak > 3000  # not silence
    info = miniaudio.mp3_get_info(response.content)
    assert info.sample_rate == 44100 and info.nchannels == 1


def test_audio_url_is_on_another_origin(vsim: RunningSim, clock: VirtualClock) -> None:
    gen = completed(vsim, clock)
    assert gen["audioUrl"].startswith(vsim.media_url + "/audio/")
    assert httpx.URL(vsim.media_url).port != httpx.URL(vsim.base_url).port


def test_same_parameters_same_bytes(vsim: RunningSim, clock: VirtualClock) -> None:
    one = httpx.get(completed(vsim, clock)["audioUrl"]).content
    two = httpx.get(completed(vsim, clock)["audioUrl"]).content
    other = httpx.get(completed(vsim, clock, seed=12)["audioUrl"]).content
    assert one == two
    assert one != other
    assert len(one) == len(other)


def test_synthesis_changes_with_every_parameter() -> None:
    base = Track(duration=10, bpm=120, key="C", scale="major", timesignature="4", seed=1)
    variants = [
        base,
        Track(10, 90, "C", "major", "4", 1),
        Track(10, 120, "D", "major", "4", 1),
        Track(10, 120, "C", "minor", "4", 1),
        Track(10, 120, "C", "major", "3", 1),
    ]
    rendered = {mp3.render(v, "t") for v in variants}
    assert len(rendered) == len(variants)


def test_file_size_is_exact_for_every_duration() -> None:
    for duration in (10, 11, 37, 61, 97, 133):
        track = Track(duration, 120, "A", "minor", "4", duration)
        assert len(mp3.render(track, "a title " * 100)) == mp3.file_size(duration)


def test_a_180_second_track_has_the_size_it_promises() -> None:
    # How fast it renders is measured by bench/synth.py, not asserted here.
    data = mp3.render(Track(180, 60, "F#", "minor", "7", 9), "Long One")
    assert len(data) == mp3.file_size(180)


def test_ranges(vsim: RunningSim, clock: VirtualClock) -> None:
    url = completed(vsim, clock)["audioUrl"]
    whole = httpx.get(url).content
    size = len(whole)

    def fetch(spec: str) -> httpx.Response:
        return httpx.get(url, headers={"Range": spec})

    part = fetch("bytes=100-199")
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.content == whole[100:200]
    tail = fetch("bytes=-500")
    assert tail.status_code == 206 and tail.content == whole[-500:]
    rest = fetch(f"bytes={size - 10}-")
    assert rest.content == whole[-10:]
    clamped = fetch(f"bytes={size - 5}-{size + 100}")
    assert clamped.headers["content-range"] == f"bytes {size - 5}-{size - 1}/{size}"
    for spec in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        refused = fetch(spec)
        assert refused.status_code == 416, spec
        assert refused.headers["content-range"] == f"bytes */{size}"
    for ignored in ("bytes=5-1", "bytes=0-1,5-9", "items=0-9", "nonsense"):
        assert fetch(ignored).status_code == 200, ignored
    head = httpx.head(url, headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.headers["content-length"] == "10"


def test_no_key_needed_and_every_request_logged(vsim: RunningSim, clock: VirtualClock) -> None:
    url = completed(vsim, clock)["audioUrl"]
    assert httpx.get(url).status_code == 200
    httpx.get(url, headers={"Range": "bytes=0-1", "X-Custom": "yes"})
    log = vsim.media_requests
    assert [r.method for r in log] == ["GET", "GET"]
    assert all("x-api-key" not in r.headers for r in log)
    assert log[1].headers["range"] == "bytes=0-1" and log[1].headers["x-custom"] == "yes"
    assert log[0].path == httpx.URL(url).path


def test_unknown_or_unfinished_audio_is_404(vsim: RunningSim, clock: VirtualClock) -> None:
    assert httpx.get(vsim.media_url + "/audio/nope.mp3").status_code == 404
    assert httpx.get(vsim.media_url + "/elsewhere").status_code == 404
    with httpx.Client(base_url=vsim.base_url, headers={"X-API-Key": vsim.demo_key}) as http:
        gen_id = http.post("/v1/generations", json=TRACK).json()["data"]["id"]
    assert httpx.get(f"{vsim.media_url}/audio/{gen_id}.mp3").status_code == 404


def test_media_stops_and_comes_back(vsim: RunningSim, clock: VirtualClock) -> None:
    url = completed(vsim, clock)["audioUrl"]
    first = httpx.get(url).content
    vsim.stop_media()
    assert not vsim.media_running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)
    vsim.start_media()
    assert httpx.get(url).content == first


def test_audio_cached(vsim: RunningSim, clock: VirtualClock) -> None:
    url = completed(vsim, clock)["audioUrl"]
    for _ in range(3):
        httpx.get(url)
    assert vsim.media_app.cache.renders == 1
