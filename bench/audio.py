"""Audio benchmark: streaming start against download-then-decode, and memory while playing.

For an uncached 180 s MP3 served over loopback, it measures the time from the play
request to the first frames delivered to the (null) device, both by streaming (the
player) and by the naive way (download the whole file, decode it whole, then play),
each repeated in fresh processes; then the peak resident memory while the whole track
plays, against the idle process. The file is served by the project's simulator
(unthrottled), and by a throttled loopback server to show a slower link.

    python bench/audio.py [--runs 5]

Targets: first frames within 300 ms; less than 30 MB above idle while playing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

TRACK_S = 180
THROTTLE_BPS = 1_000_000  # 8 Mbit/s: a modest home connection
PLAY_SPEED = 30.0  # the memory run plays the whole track at 30x real time


# -- measuring (in a child process, so each figure starts from a clean process) ----------
def _memory_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:  # Linux >= 4.0: "5" resets the peak resident size to the current one
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


async def _stream(url: str, size: int, whole: bool) -> dict[str, Any]:
    from fttui.audio.backends.null_backend import NullBackend
    from fttui.audio.cache import AudioCache
    from fttui.audio.download import MediaFetcher
    from fttui.audio.player import Player
    from fttui.audio.track import Track

    with tempfile.TemporaryDirectory() as folder:
        backend = NullBackend(speed=PLAY_SPEED if whole else 1.0)
        player = Player(backend, MediaFetcher(AudioCache(Path(folder))))
        track = Track("bench", "Bench", url, duration_s=TRACK_S, file_size=size)
        idle_kb = _memory_kb("VmRSS")
        _reset_peak()
        began = time.monotonic()
        await player.play(track)
        while backend.first_frames_at is None:  # noqa: ASYNC110 (set by a thread; 1 ms resolution)
            await asyncio.sleep(0.001)
        first = backend.first_frames_at - began
        if whole:
            while player.state.status != "stopped":  # noqa: ASYNC110 (polled like the player bar)
                await asyncio.sleep(0.05)
        peak_kb = _memory_kb("VmHWM")
        await player.close()
        return {"first_s": first, "idle_kb": idle_kb, "peak_kb": peak_kb}


async def _naive(url: str, size: int, whole: bool) -> dict[str, Any]:
    import miniaudio

    from fttui.audio.backends.null_backend import NullBackend
    from fttui.audio.formats import FRAME_BYTES

    class Memory:
        def __init__(self, pcm: memoryview) -> None:
            self.pcm, self.pos = pcm, 0

        def read(self, frames: int) -> bytes:
            part = bytes(self.pcm[self.pos : self.pos + frames * FRAME_BYTES])
            self.pos += len(part)
            return part

    backend = NullBackend(speed=PLAY_SPEED if whole else 1.0)
    idle_kb = _memory_kb("VmRSS")
    _reset_peak()
    began = time.monotonic()
    async with httpx.AsyncClient() as client:
        data = (await client.get(url)).content
    decoded = await asyncio.to_thread(
        miniaudio.decode, data, miniaudio.SampleFormat.SIGNED16, 2, 44100
    )
    source = Memory(memoryview(decoded.samples).cast("B"))  # no second copy
    backend.start(source)
    while backend.first_frames_at is None:  # noqa: ASYNC110 (set by a thread; 1 ms resolution)
        await asyncio.sleep(0.001)
    first = backend.first_frames_at - began
    peak_kb = _memory_kb("VmHWM")
    backend.close()
    return {"first_s": first, "idle_kb": idle_kb, "peak_kb": peak_kb, "bytes": len(data)}


def _child(mode: str, url: str, size: int, whole: bool) -> None:
    import fttui.audio.player  # noqa: F401  (imports count towards idle, not playing)

    run = _stream if mode == "stream" else _naive
    print(json.dumps(asyncio.run(run(url, size, whole))))


def _measure(mode: str, url: str, size: int, whole: bool = False) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, url, str(size), "1" if whole else "0"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# -- serving ---------------------------------------------------------------------------
def _sim_track(sim: Any) -> tuple[str, int]:
    headers = {"X-API-Key": sim.demo_key}
    with httpx.Client(base_url=sim.base_url, headers=headers, timeout=30) as client:
        made = client.post("/v1/generations", json={"tags": "bench", "duration": TRACK_S})
        made.raise_for_status()
        gen_id = made.json()["data"]["id"]
        while True:
            data = client.get(f"/v1/generations/{gen_id}").json()["data"]
            if data["status"] == "completed":
                break
            time.sleep(0.05)
        httpx.get(data["audioUrl"], timeout=60).raise_for_status()  # render it before timing
        return str(data["audioUrl"]), int(data["fileSize"])


def _row(name: str, stream: list[float], naive: list[float]) -> str:
    s, n = statistics.median(stream) * 1000, statistics.median(naive) * 1000
    return f"| {name} | {s:8.1f} ms | {n:8.1f} ms | {n / s:6.1f}x |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=4, metavar=("MODE", "URL", "SIZE", "WHOLE"))
    args = parser.parse_args()
    if args.child:
        mode, url, size, whole = args.child
        _child(mode, url, int(size), whole == "1")
        return

    from fttui.audio.testing import MediaServer, Served
    from fttui.sim.server import run_in_thread

    rows = []
    with run_in_thread(speed=100.0) as sim:
        url, size = _sim_track(sim)
        body = httpx.get(url).content
        stream = [_measure("stream", url, size)["first_s"] for _ in range(args.runs)]
        naive = [_measure("naive", url, size)["first_s"] for _ in range(args.runs)]
        rows.append(_row("simulator, loopback", stream, naive))
        loopback_first = statistics.median(stream)
        played = _measure("stream", url, size, whole=True)
        whole = _measure("naive", url, size, whole=True)
    with MediaServer({"/t.mp3": Served(body, bytes_per_s=THROTTLE_BPS)}) as media:
        slow = media.url("/t.mp3")
        runs = max(1, args.runs // 2)
        stream = [_measure("stream", slow, size)["first_s"] for _ in range(runs)]
        naive = [_measure("naive", slow, size)["first_s"] for _ in range(runs)]
        rows.append(_row(f"loopback at {THROTTLE_BPS // 1000} kB/s", stream, naive))

    print(f"Uncached {TRACK_S} s MP3 ({size / 1e6:.2f} MB), median of the runs\n")
    print("| served by | first frames, streaming | download then decode | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print("\n".join(rows))
    grow = (played["peak_kb"] - played["idle_kb"]) / 1024
    naive_grow = (whole["peak_kb"] - whole["idle_kb"]) / 1024
    print(f"\nPeak resident memory above idle ({played['idle_kb'] / 1024:.1f} MB), whole track:\n")
    print("| playing by | above idle | ratio |")
    print("| --- | ---: | ---: |")
    print(f"| streaming (player) | {grow:6.1f} MB | 1.0x |")
    print(f"| download then decode | {naive_grow:6.1f} MB | {naive_grow / max(grow, 0.1):.1f}x |")
    verdict = "met" if loopback_first < 0.3 and grow < 30 else "NOT met"
    print(f"\nTargets (first frames < 300 ms on loopback, < 30 MB above idle): {verdict}")
    if os.environ.get("CI"):
        print("(CI machine: figures are indicative only)")


if __name__ == "__main__":
    main()
