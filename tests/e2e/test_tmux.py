"""The real `fttui --demo` in a real terminal: tmux, driven by keys only.

Each test runs its own tmux server (`tmux -L <unique socket>`), so nothing here can
touch a user's sessions, and the server is killed in teardown whatever happens. The
app gets its environment from the command line itself: a tmux pane inherits the tmux
server's environment, not this process's, so `FTTUI_HOME` and `TERM` are set with `env`.
Every wait polls `capture-pane` against a deadline, and every screen seen on the way is
checked for things that must never show: a traceback, ALSA chatter, the API key.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fttui.sim.accounts import DEMO_KEY

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

START_LIMIT = 15.0  # seconds from launch to the main screen, generous for a busy CI box
STEP_LIMIT = 10.0  # seconds for one key press to show its effect
COMPLETE_LIMIT = 20.0  # seconds for a demo generation (~4 s) to finish, with slack
POLL = 0.1
FORBIDDEN = ("Traceback", "ALSA", DEMO_KEY)
# Tags unlike any seeded generation's. While it runs the list shows the prompt as typed;
# once completed, the title the simulator makes of it ("Zebra Quartz Marimba"), so a
# row that starts with "Zebra" and says completed is this generation, finished. (A
# notification drawn over a row could only put "Zebra" after that row's status.)
TAGS = "zebra quartz marimba"
COMPLETED_ROW = re.compile(r"Zebra.*✓ completed")


class Terminal:
    """One tmux server with one session running a command at a fixed size."""

    def __init__(self, workdir: Path) -> None:
        self.socket = f"fttui-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = workdir / "tmux.conf"
        # No user configuration; keep the pane after the program ends, so what it
        # printed on its way out can still be read. (A detached session with no client
        # keeps the size it was made with.)
        self.config.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")
        self.seen: list[str] = []
        self.socket_path: Path | None = None

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout

    def start(self, command: str, *, width: int, height: int) -> None:
        self.tmux("new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), command)
        self.socket_path = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())
        size = self.tmux("display-message", "-p", "-t", "e2e", "#{pane_width}x#{pane_height}")
        assert size.strip() == f"{width}x{height}"

    def keys(self, *keys: str) -> None:
        """Press keys by tmux name (`n`, `C-s`, `Escape`)."""
        self.tmux("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        """Type `text` literally, as a user would."""
        self.tmux("send-keys", "-t", "e2e", "-l", text)

    def screen(self) -> str:
        text = self.tmux("capture-pane", "-p", "-t", "e2e")
        self.seen.append(text)
        for bad in FORBIDDEN:
            assert bad not in text, f"{bad[:12]!r}… shown on screen:\n{_redact(text)}"
        return text

    def wait_for(self, condition: Callable[[str], bool], what: str, limit: float) -> str:
        """The first screen for which `condition` holds; fails after `limit` seconds."""
        deadline = time.monotonic() + limit
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen was:\n{_redact(text)}")
            time.sleep(POLL)

    def kill(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10, check=False
        )
        if self.socket_path is not None:  # tmux leaves its socket file behind
            self.socket_path.unlink(missing_ok=True)


def _redact(text: str) -> str:
    return text.replace(DEMO_KEY, "<API KEY>")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.kill()


def demo_command(home: Path, exit_file: Path) -> str:
    """`fttui --demo` in an isolated home, writing its exit status when it ends.

    `env -i`: the pane would otherwise inherit whatever the tmux server was started
    with (under pytest that includes COLUMNS=80 and LINES=24, which Textual believes
    over the real size), and any FINETUNING_API_KEY of the person running the tests.
    """
    app = shlex.join(
        [
            "env",
            "-i",
            f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
            f"HOME={home}",
            f"FTTUI_HOME={home}",
            "LANG=C.UTF-8",
            "TERM=xterm-256color",
            "COLORTERM=truecolor",
            sys.executable,
            "-m",
            "fttui",
            "--demo",
        ]
    )
    return f"{app}; echo $? > {shlex.quote(str(exit_file))}"


def main_screen_ready(text: str) -> bool:
    # The footer names the form key, and the cached demo tracks are listed.
    return "Form" in text and "completed" in text


def completed_row(text: str) -> bool:
    return any(COMPLETED_ROW.search(line) for line in text.splitlines())


def wait_for_exit(exit_file: Path, limit: float) -> str:
    deadline = time.monotonic() + limit
    while not exit_file.exists() or not exit_file.read_text().strip():
        if time.monotonic() > deadline:
            pytest.fail("fttui did not exit")
        time.sleep(POLL)
    return exit_file.read_text().strip()


@pytest.mark.parametrize(("width", "height"), [(120, 36), (80, 24)])
def test_submit_by_keys_until_completed(
    terminal: Terminal, tmp_path: Path, width: int, height: int
) -> None:
    home, exit_file = tmp_path / "home", tmp_path / "exit-status"
    terminal.start(demo_command(home, exit_file), width=width, height=height)
    first = terminal.wait_for(main_screen_ready, "the main screen", START_LIMIT)
    # The app drew for the terminal it is in (its borders span the whole width).
    assert max(len(line) for line in first.splitlines()) == width

    terminal.keys("n")
    # The form's own bindings appear in the footer once the tags field has the focus.
    terminal.wait_for(lambda s: "Random seed" in s, "the form", STEP_LIMIT)
    terminal.type(TAGS)
    terminal.wait_for(lambda s: TAGS in s, "the typed tags", STEP_LIMIT)
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "Submitted" in s, "the submission to be accepted", STEP_LIMIT)
    terminal.keys("Escape")  # back to the list (on a narrow terminal the form hid it)
    terminal.wait_for(lambda s: "Filter" in s, "the list", STEP_LIMIT)
    # No key to the top: the new generation is selected and in sight by itself.
    terminal.wait_for(completed_row, "the new generation to complete", COMPLETE_LIMIT)

    terminal.keys("C-q")
    assert wait_for_exit(exit_file, STEP_LIMIT) == "0"
    terminal.screen()  # what the program left on the terminal after it ended
    assert not any(DEMO_KEY in path.read_text(errors="replace") for path in _files(home))


def test_ctrl_q_quits_cleanly(terminal: Terminal, tmp_path: Path) -> None:
    home, exit_file = tmp_path / "home", tmp_path / "exit-status"
    terminal.start(demo_command(home, exit_file), width=120, height=36)
    terminal.wait_for(main_screen_ready, "the main screen", START_LIMIT)
    terminal.keys("C-q")
    assert wait_for_exit(exit_file, STEP_LIMIT) == "0"
    after = terminal.screen()
    assert "Error" not in after, _redact(after)
    # The pane's shell is gone too: nothing of fttui is left running.
    panes = terminal.tmux("list-panes", "-t", "e2e", "-F", "#{pane_dead}").split()
    deadline = time.monotonic() + STEP_LIMIT
    while panes != ["1"] and time.monotonic() < deadline:
        time.sleep(POLL)
        panes = terminal.tmux("list-panes", "-t", "e2e", "-F", "#{pane_dead}").split()
    assert panes == ["1"]


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []
