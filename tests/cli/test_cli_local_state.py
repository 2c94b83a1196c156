"""The real program against local state in the way, a key file others can read, and no
terminal: one clear line and an exit code each, never a traceback, never the key.

The app's own start is run in a pseudo-terminal (`pty`), as a person would run it; what
it prints before its first frame is read back from the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim

LIMIT = 60.0  # seconds for a command that fails at once, on a busy CI box


def fttui(*args: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FINETUNING_API_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "fttui", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=stdin,
        timeout=LIMIT,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert DEMO_KEY not in result.stdout + result.stderr
    return result


def in_a_terminal(*args: str, code: str | None = None) -> tuple[int, str]:
    """Run `fttui *args` (or `python -c code`) with a terminal of its own until it ends:
    its exit code and everything it wrote to the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    command = ["-c", code] if code is not None else ["-m", "fttui", *args]
    env = {
        k: v for k, v in os.environ.items() if k not in ("FINETUNING_API_KEY", "COLUMNS", "LINES")
    }
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [sys.executable, *command], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + LIMIT
    try:
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([master], [], [], left)[0]:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the program ended and closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        else:
            pytest.fail("fttui did not end")
        code_ = process.wait(timeout=LIMIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code_, b"".join(chunks).decode("utf-8", errors="replace")


def home() -> Path:
    return Path(os.environ["FTTUI_HOME"])


def put_in_the_way(place: str) -> Path:
    """A file at `place` (under FTTUI_HOME), where fttui wants a folder."""
    blocker = home() / place
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("in the way")
    return blocker


def test_a_config_file_that_is_not_utf8_is_one_clear_line() -> None:
    config = home() / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(b'theme = "\xff\xfe"\n')
    result = fttui("me", "--demo")
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == f"fttui: the config file {config} is not UTF-8 text\n"
    code, shown = in_a_terminal("--demo")  # and the app's start
    assert code == ExitCode.USAGE
    assert f"the config file {config} is not UTF-8 text" in shown
    assert "Traceback" not in shown


@pytest.mark.parametrize("place", ["config", "data", "data/journal", "cache/audio"])
def test_a_file_where_a_folder_should_be_is_one_clear_line(place: str) -> None:
    blocker = put_in_the_way(place)
    result = fttui("me", "--demo")
    assert result.returncode == ExitCode.USAGE
    message = f"fttui: fttui needs a folder at {blocker}, but a file is there; move it away"
    assert result.stderr == message + "\n"


def test_the_app_start_names_a_file_where_a_folder_should_be() -> None:
    blocker = put_in_the_way("data")
    code, shown = in_a_terminal("--demo")
    assert code == ExitCode.USAGE
    assert f"fttui needs a folder at {blocker}" in shown
    assert "Traceback" not in shown


@pytest.mark.parametrize("place", ["log", "log/fttui.log"])
def test_a_log_that_cannot_be_written_is_skipped(place: str) -> None:
    if place == "log":
        put_in_the_way(place)
    else:
        (home() / place).mkdir(parents=True)  # the log file is a folder
    result = fttui("me", "--demo")
    assert result.returncode == ExitCode.OK, result.stderr
    assert result.stderr == ""
    assert "plan:" in result.stdout


def test_a_key_file_others_can_read_is_made_private_with_a_warning(sim: RunningSim) -> None:
    config = home() / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'api_key = "{DEMO_KEY}"\n')
    config.chmod(0o644)
    first = fttui("me", "--base-url", sim.base_url)
    assert first.returncode == ExitCode.OK, first.stderr
    assert "others could read it (mode 0644)" in first.stderr
    assert "readable by you only" in first.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    again = fttui("me", "--base-url", sim.base_url)  # warned once: it is private now
    assert again.returncode == ExitCode.OK and again.stderr == ""


def test_the_app_without_a_terminal_refuses_and_points_to_the_headless_commands(
    tmp_path: Path,
) -> None:
    # `fttui </dev/null >file`: Textual would write escape codes into the file forever.
    with (tmp_path / "out").open("w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "fttui", "--demo"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=LIMIT,
        )
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == (
        "fttui: the app needs a terminal; for scripts use the headless commands (fttui --help)\n"
    )
    assert (tmp_path / "out").read_text() == ""


CRASH = f"""
import sys
from fttui.tui.app import FttuiApp

def crash(self, event):
    key_in_the_clear = {DEMO_KEY!r}  # a frame holding the key, as a careless one might
    raise RuntimeError("an unexpected failure")

FttuiApp.on_ready = crash
from fttui.cli import main
sys.exit(main(["--demo"]))
"""


def test_a_crash_in_the_app_exits_non_zero_and_never_shows_the_key() -> None:
    code, shown = in_a_terminal(code=CRASH)
    assert "RuntimeError" in shown and "an unexpected failure" in shown  # reported...
    assert DEMO_KEY not in shown and DEMO_KEY[8:] not in shown  # ...without the locals
    assert code == 1
    log = (home() / "log" / "fttui.log").read_text("utf-8")
    assert "an unexpected failure" in log and DEMO_KEY not in log


def test_a_key_that_is_not_hex_is_left_for_the_server_to_judge(sim: RunningSim) -> None:
    # The vendor's CLI checks only ft_live_ and the length: so does fttui. This one is
    # refused by the server (401), not locally: the message says so.
    env = dict(os.environ, FINETUNING_API_KEY="ft_live_" + "z" * 32)
    result = subprocess.run(
        [sys.executable, "-m", "fttui", "me", "--base-url", sim.base_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=LIMIT,
    )
    assert result.returncode == ExitCode.AUTH
    assert result.stderr.startswith("fttui: the API key was refused (INVALID_API_KEY)")
    assert "z" * 32 not in result.stderr
