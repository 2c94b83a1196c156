"""No audio device: a clear message, never a crash, nothing on the process's stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fttui.audio.alsa import silence_native_audio
from fttui.audio.backends import NoAudioDevice
from fttui.audio.backends.simpleaudio_backend import SimpleaudioBackend, load_simpleaudio

ROOT = Path(__file__).resolve().parents[2]

# Opens the default device the way the app does, in a fresh process whose fd 2 we read.
_PROBE = textwrap.dedent(
    """
    import asyncio, json, sys, tempfile
    from pathlib import Path
    from fttui.audio.backends import select_backend
    from fttui.audio.cache import AudioCache
    from fttui.audio.download import MediaFetcher
    from fttui.audio.player import Player
    from fttui.audio.track import Track

    async def main():
        with tempfile.TemporaryDirectory() as folder:
            player = Player(select_backend(sys.argv[1]), MediaFetcher(AudioCache(Path(folder))))
            await player.play(Track("x", "Probe", "http://127.0.0.1:9/x.mp3"))
            state = player.state
            await player.close()
            print(json.dumps({"status": state.status, "message": state.message,
                              "device_ok": state.device_ok}))

    asyncio.run(main())
    """
)


def _probe(backend: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", _PROBE, backend], capture_output=True, text=True, env=env, timeout=60
    )


def test_opening_a_device_writes_nothing_to_stderr() -> None:
    result = _probe("auto")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no "ALSA lib ... cannot find card" over the screen
    state = json.loads(result.stdout)
    if state["device_ok"] is False:  # this machine (and CI) has no sound card
        assert state["status"] == "error"
        assert state["message"].startswith("No audio device")
    else:
        assert state["device_ok"] is True


def test_silencing_is_idempotent() -> None:
    first = silence_native_audio()
    assert silence_native_audio() == first


@pytest.mark.skipif(load_simpleaudio() is None, reason="simpleaudio is not installed")
def test_simpleaudio_backend_plays_or_says_why() -> None:
    result = _probe("simpleaudio")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    state = json.loads(result.stdout)
    assert state["device_ok"] is True or state["message"].startswith("No audio device")


def test_simpleaudio_missing_is_a_message_not_a_crash() -> None:
    if load_simpleaudio() is not None:
        pytest.skip("simpleaudio is installed here")
    with pytest.raises(NoAudioDevice, match="not installed"):
        SimpleaudioBackend().open()


# A real track through simpleaudio into ALSA's null device: CI installs the ALSA headers
# so the extra builds, and this process gets a null default device of its own through
# ALSA_CONFIG_PATH (nothing is written to the machine's ALSA configuration).
_SIMPLEAUDIO_PLAY = textwrap.dedent(
    """
    import asyncio, json, sys, tempfile, time
    from pathlib import Path
    from fttui.audio.backends import select_backend
    from fttui.audio.cache import AudioCache
    from fttui.audio.download import MediaFetcher
    from fttui.audio.player import Player
    from fttui.audio.testing import MediaServer, Served, encode_mp3, tone_pcm
    from fttui.audio.track import Track

    async def main():
        with tempfile.TemporaryDirectory() as folder, MediaServer() as server:
            server.files["/t.mp3"] = Served(encode_mp3(tone_pcm(3.0)))
            player = Player(select_backend("simpleaudio"), MediaFetcher(AudioCache(Path(folder))))
            await player.play(Track("t", "Tone", server.url("/t.mp3"), duration_s=3.0))
            deadline = time.monotonic() + 20
            while player.state.position_s < 1.0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            state = player.state
            await player.close()
            print(json.dumps({"status": state.status, "position": state.position_s,
                              "device_ok": state.device_ok, "backend": "simpleaudio"}))

    asyncio.run(main())
    """
)


@pytest.mark.skipif(load_simpleaudio() is None, reason="simpleaudio is not installed")
def test_simpleaudio_backend_plays_a_track_on_a_null_alsa_device(tmp_path: Path) -> None:
    config = tmp_path / "alsa.conf"
    config.write_text("pcm.!default { type null }\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ALSA_CONFIG_PATH": str(config)}
    result = subprocess.run(
        [sys.executable, "-c", _SIMPLEAUDIO_PLAY],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    state = json.loads(result.stdout)
    assert state["device_ok"] is True
    assert state["position"] >= 1.0, state
