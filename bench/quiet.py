"""Terminal bytes benchmark: what fttui writes to its terminal while nothing changes.

Over a slow SSH link every byte of redraw is latency for the next keystroke. Each
figure is the bytes a real `fttui --demo --player null` process writes to a real
pseudo-terminal (120x36) per second, counted over a window once the app has settled:

- idle, focus in the list;
- idle, focus in the tags field (`n`);
- a track playing (`l` back to the list, `.` plays the next finished generation; the
  null audio device still advances the time).

Each figure is printed beside its baseline measured in the same run, in the same
way: fttui as it was before this work (the commit `--before`, exported with `git
archive` into a temporary folder), and a bare Textual app with one focused `Input`.
fttui is measured twice: as on a local terminal, and as over SSH (`SSH_CONNECTION`
set), where the cursor does not blink. Over SSH the play key offers a link instead of
sound, so "playing" is measured locally.

    python bench/quiet.py [--seconds 8] [--before a495ca8]

Targets (issue 10): idle 0 B/s wherever the focus is (over SSH), playing <= 300 B/s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 120, 36
READY = b"palette"  # the footer's command-palette hint, in fttui and the bare app
LIMIT = 30.0  # seconds a start may take before the bench gives up
SETTLE = 3.0  # seconds after a key before counting
STARTED = 35.0
"""Seconds after the first frame before counting: the demo's newest generation is still
processing at the start; it finishes (its row and a notification, ~10 s), and 20 s
later the account is read again (the credits it used). Those are news, not idle."""
BEFORE = "a495ca8"  # the commit before the quiet terminal work (issue 10, point 5)
SSH = {"SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22", "SSH_TTY": "/dev/pts/9"}

BARE_INPUT = """
from textual.app import App, ComposeResult
from textual.widgets import Footer, Input

class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="type here")
        yield Footer()

Bare().run()
"""


class Terminal:
    """One program in a pseudo-terminal; everything it writes is read and counted."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=env["HOME"],  # not this checkout: `-m` would import fttui from the cwd
            start_new_session=True,
        )
        os.close(slave)
        self.seen = bytearray()

    def read_for(self, seconds: float) -> int:
        """Read for `seconds`; the number of bytes the program wrote meanwhile."""
        total = 0
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    data = os.read(self.master, 1 << 16)
                except OSError:
                    break
                total += len(data)
                self.seen += data[-4096:]
                del self.seen[:-8192]
        return total

    def wait_for(self, marker: bytes) -> None:
        deadline = time.monotonic() + LIMIT
        while marker not in self.seen:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"{marker!r} never drawn: {bytes(self.seen[-1500:])!r}")
            self.read_for(0.05)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        try:
            self.press(b"\x11")  # ctrl+q
            deadline = time.monotonic() + 10
            while self.proc.poll() is None and time.monotonic() < deadline:
                self.read_for(0.05)  # a child blocked on a full terminal never exits
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            os.close(self.master)


@dataclass
class Figures:
    idle_list: float = 0.0
    idle_field: float = 0.0
    playing: float = 0.0


def _env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "FTTUI_HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    env.update(extra or {})
    return env


def measure_fttui(source: Path, env: dict[str, str], seconds: float, *, play: bool) -> Figures:
    """Bytes per second in each state, from one run of fttui's demo."""
    argv = [sys.executable, "-m", "fttui", "--demo", "--player", "null"]
    term = Terminal(argv, {**env, "PYTHONPATH": str(source)})
    figures = Figures()
    try:
        term.wait_for(READY)
        term.read_for(STARTED)
        figures.idle_list = term.read_for(seconds) / seconds
        term.press(b"n")
        term.read_for(SETTLE)
        figures.idle_field = term.read_for(seconds) / seconds
        if play:
            term.press(b"\x1b")  # esc: back to the list
            term.read_for(1.0)
            term.seen.clear()
            term.press(b".")  # the next finished generation, played
            term.wait_for("▶".encode())
            term.read_for(SETTLE)
            figures.playing = term.read_for(seconds) / seconds
    finally:
        term.close()
    return figures


def measure_bare_input(home: Path, seconds: float) -> float:
    term = Terminal([sys.executable, "-c", BARE_INPUT], _env(home))
    try:
        term.wait_for(READY)
        term.read_for(SETTLE)
        return term.read_for(seconds) / seconds
    finally:
        term.close()


def export(ref: str, into: Path) -> Path:
    """The package as it was at `ref`, in a folder of its own."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "fttui"], check=True, capture_output=True
    )
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="counting window per state")
    parser.add_argument("--before", default=BEFORE, help="git ref of the baseline fttui")
    args = parser.parse_args()
    seconds: float = args.seconds

    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        old_source = export(args.before, base / "before")
        homes = [base / name for name in ("new", "new-ssh", "old", "old-ssh", "bare")]
        for home in homes:
            home.mkdir()
        # The five side by side (each in its own terminal, read by its own thread): the
        # bytes drawn do not depend on the pace, and a run stays near a minute.
        with ThreadPoolExecutor(max_workers=5) as pool:
            runs = [
                pool.submit(measure_fttui, ROOT, _env(homes[0]), seconds, play=True),
                pool.submit(measure_fttui, ROOT, _env(homes[1], SSH), seconds, play=False),
                pool.submit(measure_fttui, old_source, _env(homes[2]), seconds, play=True),
                pool.submit(measure_fttui, old_source, _env(homes[3], SSH), seconds, play=False),
            ]
            bare_run = pool.submit(measure_bare_input, homes[4], seconds)
            new, new_ssh, old, old_ssh = (run.result() for run in runs)
            bare = bare_run.result()

    def ratio(now: float, before: float) -> str:
        return "—" if before == 0 else f"{now / before:.2f}x"

    rows = [
        ("idle, focus in the list, over SSH", new_ssh.idle_list, old_ssh.idle_list),
        ("idle, focus in the tags field, over SSH", new_ssh.idle_field, old_ssh.idle_field),
        ("idle, focus in the list, local", new.idle_list, old.idle_list),
        ("idle, focus in the tags field, local", new.idle_field, old.idle_field),
        ("a track playing, local", new.playing, old.playing),
    ]
    print(f"{seconds:g} s per state, {COLUMNS}x{LINES}, baseline fttui at {args.before}")
    print("| state | fttui B/s | before B/s | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for label, now, before in rows:
        print(f"| {label} | {now:,.0f} | {before:,.0f} | {ratio(now, before)} |")
    print(f"| bare Textual app, focused Input, idle | {bare:,.0f} | | |")


if __name__ == "__main__":
    main()
