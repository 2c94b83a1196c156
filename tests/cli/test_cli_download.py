"""`fttui download` and `generate --download` never clobber a file and fail in one line.

Run as the real program against the simulator over HTTP; the media faults are the
simulator's own.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from fttui.audio import save
from fttui.cli import main
from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui

SimFactory = Callable[..., RunningSim]
HELD_SAVE = Path(__file__).with_name("held_save.py")


@pytest.fixture
def media_sim(sim_factory: SimFactory) -> RunningSim:
    return sim_factory(generations=3)


def _done_id(sim: RunningSim) -> str:
    now = sim.state.now()
    return next(g.id for g in sim.state.generations(DEMO_KEY) if g.status(now) == "completed")


def _one_line(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1 and stderr.startswith("fttui: "), stderr


@pytest.mark.parametrize(
    ("faults", "words"),
    [
        ({"html_audio": "1"}, "web page"),
        ({"empty_audio": "1"}, "empty"),
        ({"json_audio": "1"}, "JSON"),
        ({"oversize_audio": "1"}, "more than"),
        ({"truncated_audio": "1"}, "broke off"),
        ({"audio_origin": "file:///etc"}, "https"),
        ({"audio_origin": "javascript:alert(1)//"}, "https"),
        ({"audio_origin": "http://example.com"}, "https"),
    ],
)
def test_every_media_failure_is_one_line_and_the_transport_exit(
    media_sim: RunningSim, tmp_path: Path, faults: dict[str, str], words: str
) -> None:
    media_sim.set_faults(**faults)
    result = fttui("download", _done_id(media_sim), str(tmp_path), "--base-url", media_sim.base_url)
    assert result.returncode == ExitCode.TRANSPORT
    _one_line(result.stderr)
    assert words in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing is left in the folder"
    if "audio_origin" in faults:
        assert media_sim.media_requests == [], "refused before any fetch"


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's sysfs")
def test_a_folder_that_cannot_be_written_is_one_line(media_sim: RunningSim) -> None:
    # sysfs refuses new files even to root, unlike a chmod-ed folder.
    result = fttui("download", _done_id(media_sim), "/sys/kernel", "--base-url", media_sim.base_url)
    assert result.returncode == ExitCode.TRANSPORT
    _one_line(result.stderr)
    assert "/sys/kernel" in result.stderr


def _full_disk(name_ends: str) -> Callable[[Path, str], tuple[IO[bytes], Path]]:
    """An opener for save's temporary files whose writes hit /dev/full (ENOSPC)."""
    real = save._open_temp

    def opener(directory: Path, final_name: str) -> tuple[IO[bytes], Path]:
        handle, path = real(directory, final_name)
        if not final_name.endswith(name_ends):
            return handle, path
        handle.close()
        return open("/dev/full", "wb"), path

    return opener


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_disk_full_while_saving_the_audio_is_one_line(
    media_sim: RunningSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FINETUNING_API_KEY", DEMO_KEY)
    monkeypatch.setattr(save, "_open_temp", _full_disk(".mp3"))
    code = main(["download", _done_id(media_sim), str(tmp_path), "--base-url", media_sim.base_url])
    assert code == ExitCode.TRANSPORT
    err = capsys.readouterr().err
    _one_line(err)
    assert os.strerror(errno.ENOSPC).lower() in err.lower()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_disk_full_while_writing_the_lyrics_keeps_the_audio(
    sim: RunningSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FINETUNING_API_KEY", DEMO_KEY)
    monkeypatch.setattr(save, "_open_temp", _full_disk(".txt"))
    code = main(
        ["generate", "lofi", "--duration", "10", "--lyrics", "la la", "--wait",
         "--download", str(tmp_path), "--json", "--base-url", sim.base_url]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == ExitCode.OK, "the audio was saved, which is what was asked"
    saved = Path(json.loads(out)["savedTo"])
    assert saved.stat().st_size > 10_000
    assert [p.name for p in tmp_path.iterdir()] == [saved.name], "no 0-byte .txt, no temp"
    _one_line(err)
    assert "lyrics" in err and os.strerror(errno.ENOSPC).lower() in err.lower()


def test_an_exact_name_never_overwrites_the_users_txt(sim: RunningSim, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n")
    result = fttui(
        "generate", "lofi", "--duration", "10", "--lyrics", "la la", "--wait",
        "--download", str(tmp_path / "notes.mp3"), "--base-url", sim.base_url,
    )  # fmt: skip
    assert result.returncode == ExitCode.OK, result.stderr
    assert notes.read_text() == "my own notes\n"
    assert (tmp_path / "notes.mp3").stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp3", "notes.txt"]
    _one_line(result.stderr)
    assert "notes.txt" in result.stderr and "not" in result.stderr


def test_an_existing_file_is_refused_before_any_download(
    media_sim: RunningSim, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.mp3"
    mine.write_bytes(b"precious")
    result = fttui("download", _done_id(media_sim), str(mine), "--base-url", media_sim.base_url)
    assert result.returncode == ExitCode.USAGE
    _one_line(result.stderr)
    assert mine.read_bytes() == b"precious"
    assert media_sim.media_requests == []


def test_a_failed_download_still_prints_the_paid_generation(
    sim: RunningSim, tmp_path: Path
) -> None:
    sim.set_faults(html_audio="1")
    result = fttui(
        "generate", "lofi", "--duration", "10", "--wait", "--download", str(tmp_path),
        "--json", "--base-url", sim.base_url,
    )  # fmt: skip
    assert result.returncode == ExitCode.TRANSPORT
    data = json.loads(result.stdout)
    assert data["status"] == "completed" and data["id"]
    assert "web page" in data["downloadError"]
    assert "savedTo" not in data
    _one_line(result.stderr)
    assert sim.post_count() == 1


def _held(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "FINETUNING_API_KEY": DEMO_KEY}
    return subprocess.Popen(
        [sys.executable, str(HELD_SAVE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_hold(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == "held\n", (line, process.stderr.read() if process.stderr else "")


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = process.communicate(timeout=60)
    return process.returncode, err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_the_copy_leaves_no_file_under_its_name(
    media_sim: RunningSim, tmp_path: Path, signum: int
) -> None:
    target = tmp_path / "song.mp3"
    process = _held(
        "audio", "download", _done_id(media_sim), str(target), "--base-url", media_sim.base_url
    )
    _wait_for_hold(process)
    # Mid-copy: the bytes so far are in a temporary file, never under the final name.
    names = [p.name for p in tmp_path.iterdir()]
    assert "song.mp3" not in names
    assert len(names) == 1 and names[0].startswith(".")
    process.send_signal(signum)
    code, err = _finish(process)
    assert code == 128 + signum
    _one_line(err)
    assert list(tmp_path.iterdir()) == [], "the temporary file was removed"


def test_a_signal_while_writing_the_lyrics_leaves_no_partial_sidecar(
    sim: RunningSim, tmp_path: Path
) -> None:
    process = _held(
        "lyrics", "generate", "lofi", "--duration", "10", "--lyrics", "la la", "--wait",
        "--download", str(tmp_path / "song.mp3"), "--base-url", sim.base_url,
    )  # fmt: skip
    _wait_for_hold(process)
    song = tmp_path / "song.mp3"
    complete = song.read_bytes()
    assert not (tmp_path / "song.txt").exists()
    process.send_signal(signal.SIGTERM)
    code, err = _finish(process)
    assert code == 128 + signal.SIGTERM
    _one_line(err)
    assert [p.name for p in tmp_path.iterdir()] == ["song.mp3"]
    assert song.read_bytes() == complete
