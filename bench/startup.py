"""Startup benchmark: launch to first interactive frame, against a bare Textual app.

Each start is a real process in a pseudo-terminal (120x36), timed from the launch until
markers appear in what it draws (control sequences removed, as a terminal shows it).
fttui's first interactive frame is the main screen with its footer: both the form's
title ("New generation") and the footer's command-palette hint ("palette") drawn. That
frame holds the header, the panes' frames, the tags field, the list's table and the
footer; the form's other fields, the search box and filter, and the player bar are
mounted just after it, so the bench also times "form complete" (the seed row's "Lock",
in the last part mounted) and "rows shown" (the list's summary). The
baseline, a bare Textual app with a Header and a Footer (bench/baseline_app.py), is
timed to its own "palette" in the same run, interleaved with fttui's starts:

- the real app (no `--demo`) against a simulator this bench runs, empty cache: the
  product's start-up, and the one the 1.5x target is about;
- `--demo`, separately: its own simulator's start is part of demo mode;
- the real app started again on the cache its first run left (the everyday start):
  launch to the header filled (the last-known account, marked stale until the server
  answers) and the rows shown, against the same bare app (target 2x);
- the real app with 10,000 generations, every one already in the local cache: first
  frame, the cached rows shown ("50 of 10,000"), the resident memory of that process;
  and, in-process with `run_test`, the time from one search keystroke to the list
  holding the re-filtered rows.

    python bench/startup.py [--runs 5] [--before DIR]

`--before DIR`: also start, on the same cache and interleaved with this tree's starts,
the fttui of another checkout (e.g. `git archive HEAD | tar -x -C DIR`), for a "before"
of the everyday start measured in the same run.

Targets: start <= 1.5x the baseline; with 10,000 cached: first frame within 1 s, a
search keystroke within 50 ms, resident memory under 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fttui.sim.accounts import DEMO_KEY  # noqa: E402
from fttui.sim.server import RunningSim, run_in_thread  # noqa: E402

if TYPE_CHECKING:
    from textual.app import App

COLUMNS, LINES = 120, 36
FIRST_FRAME = b"palette"  # at 120 columns the footer's other keys are cut, not this one
MAIN_SCREEN = b"New generation"  # the form's title: the main screen's earliest text
FORM_COMPLETE = b"Lock"  # the seed lock, among the fields mounted after the first frame
# The list's count line: all the simulator's rows. (Until round 5 this was b"24  ", the
# count line's old form; the new one never matched it, the detail pane's "…#24" did.)
ROWS_SHOWN = b"24 generations"
HEADER_FILLED = b"Demo User"  # the account's name in the header (from the cache or the server)
LIMIT = 30.0  # seconds any one start may take before the bench gives up on it
CACHED = 10_000
SEARCH_KEYS = ["j", "backspace"] * 5  # each one changes the rows: jazz only, then all


# What a terminal would show, less the control sequences between the characters: a
# word drawn in two styles, or wrapped at the last column, arrives split by escapes.
_ESCAPE = re.compile(
    rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78MDEc])"
)
_LONGEST_ESCAPE = 4096  # past this, a lone ESC is not the start of a sequence


class ScreenText:
    """The printable text a program wrote so far, its control sequences removed."""

    def __init__(self) -> None:
        self.text = bytearray()
        self._pending = b""

    def feed(self, data: bytes) -> None:
        """Add what was read; a sequence cut between two reads waits for its end."""
        pending = self._pending + data
        cut = pending.rfind(b"\x1b")
        if cut >= 0 and not _ESCAPE.match(pending, cut) and len(pending) - cut < _LONGEST_ESCAPE:
            pending, self._pending = pending[:cut], pending[cut:]
        else:
            self._pending = b""
        self.text += _ESCAPE.sub(b"", pending)


@dataclass
class Start:
    """One launch: seconds to each marker, and memory once they were all drawn."""

    seconds: dict[bytes, float] = field(default_factory=dict)
    hwm_kb: int = 0
    rss_kb: int = 0


def _memory_kb(pid: int) -> tuple[int, int]:
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                values[name] = int(rest.split()[0])
    return values.get("VmHWM", 0), values.get("VmRSS", 0)


def launch(
    argv: Sequence[str], env: dict[str, str], markers: Sequence[bytes], cwd: Path | None = None
) -> Start:
    """Run `argv` in a pseudo-terminal until every marker was drawn, then quit it.

    `cwd`: where it runs; `python -m fttui` imports the fttui found there first."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    began = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    start = Start()
    seen = ScreenText()
    try:
        deadline = began + LIMIT
        while len(start.seconds) < len(markers):
            left = deadline - time.perf_counter()
            if left <= 0 or proc.poll() is not None:
                raise RuntimeError(
                    f"{argv[-1]}: markers {markers} not all drawn:\n{seen.text[-2000:]!r}"
                )
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                seen.feed(os.read(master, 1 << 16))
                now = time.perf_counter() - began
                for marker in markers:
                    if marker not in start.seconds and marker in seen.text:
                        start.seconds[marker] = now
        start.hwm_kb, start.rss_kb = _memory_kb(proc.pid)
        os.write(master, b"\x11")  # ctrl+q
        _drain_until_exit(master, proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return start


def _drain_until_exit(master: int, proc: subprocess.Popen[bytes]) -> None:
    # Keep reading: a child blocked on a full terminal would never get to exit.
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 1 << 16)
            except OSError:
                break  # the child closed the terminal
    if proc.poll() is None:
        proc.terminate()
    proc.wait(timeout=10)


def _env(home: Path, key: str | None = None, source: Path | None = None) -> dict[str, str]:
    """A clean environment; `source`: a checkout whose fttui is imported instead of this one."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "FTTUI_HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    if key:
        env["FINETUNING_API_KEY"] = key
    if source is not None:
        env["PYTHONPATH"] = str(source)  # for `python -m`, the folder it runs in comes first
    return env


def prefill(home: Path, sim: RunningSim) -> None:
    """Put every generation of the simulator into the cache at `home`.

    Straight from the simulator's list shapes into the store: syncing 10,000 through
    the API would take minutes at 60 requests a minute, and the start being measured
    does not care how the rows arrived.
    """
    from fttui import locations
    from fttui.api.models import Generation
    from fttui.sim import shapes
    from fttui.store import GenerationStore

    os.environ["FTTUI_HOME"] = str(home)
    now = sim.state.now()
    items = [shapes.item(g, now, sim.media_url) for g in sim.state.generations(DEMO_KEY)]
    with GenerationStore(locations.database_file()) as store:
        store.upsert([Generation.model_validate(item) for item in items])


def type_key(app: App[Any], char: str) -> None:
    """A key press as the terminal driver delivers one (bindings, then the focus).

    Not `pilot.press`: it waits for the whole process to go idle after each key, which
    by itself costs tens of milliseconds and would swamp what is measured here.
    """
    from textual import events

    app.post_message(events.Key(char, char if len(char) == 1 else None))


async def search_keystrokes(home: Path, sim: RunningSim) -> list[float]:
    """Seconds from each search keystroke to the list holding the re-filtered rows."""
    from textual.widgets import Input

    from fttui import locations
    from fttui.api.key import ApiKey
    from fttui.config import Settings
    from fttui.store import GenerationStore
    from fttui.store.sync import PAGE_SIZE
    from fttui.tui.app import FttuiApp

    os.environ["FTTUI_HOME"] = str(home)
    with GenerationStore(locations.database_file()) as store:
        expected = {
            query: [g.id for g in store.page(query=query or None, limit=PAGE_SIZE)]
            for query in ("", "j")
        }
    app = FttuiApp(settings=Settings(bell=False), key=ApiKey(DEMO_KEY), base_url=sim.base_url)
    timings = []
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        listing = app.main.listing
        deadline = time.monotonic() + LIMIT
        # Timed once start-up is over (the session's rows, the account, every pane).
        while (
            len(listing.rows) < PAGE_SIZE or app.main.header.account is None or not app.is_started
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the cached list never showed")
            await pilot.pause(0.05)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        for key in SEARCH_KEYS:
            want = expected["j" if key == "j" else ""]
            began = time.perf_counter()
            type_key(app, key)
            while [g.id for g in listing.rows] != want:
                if time.perf_counter() - began > LIMIT:
                    raise RuntimeError(f"the list never showed the rows after {key!r}")
                await asyncio.sleep(0.001)
            timings.append(time.perf_counter() - began)
    return timings


async def bare_keystrokes() -> list[float]:
    """The same keystroke timing on a bare Input: what the harness costs by itself."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()

    timings = []
    app = Bare()
    async with app.run_test(size=(COLUMNS, LINES)):
        field = app.query_one(Input)
        field.focus()
        for key in SEARCH_KEYS:
            began = time.perf_counter()
            type_key(app, key)
            while field.value != ("j" if key == "j" else ""):  # noqa: ASYNC110 (1 ms steps)
                await asyncio.sleep(0.001)
            timings.append(time.perf_counter() - began)
    return timings


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another checkout, for a warm start before")
    args = parser.parse_args()
    if args.before is not None and not (args.before / "fttui" / "__init__.py").exists():
        parser.error(f"{args.before} holds no fttui package")
    python = sys.executable
    baseline_argv = [python, str(ROOT / "bench" / "baseline_app.py")]

    frame = [MAIN_SCREEN, FIRST_FRAME]
    later = [FORM_COMPLETE, ROWS_SHOWN]
    with tempfile.TemporaryDirectory(prefix="fttui-bench-") as tmp:
        base = Path(tmp)
        baseline, real, demo, warm, before = [], [], [], [], []
        useful = [*frame, HEADER_FILLED, ROWS_SHOWN]
        with run_in_thread(generations=24, seed=7) as sim:
            real_argv = [python, "-m", "fttui", "--base-url", sim.base_url]
            for run in range(args.runs):  # interleaved, so a slow moment hits all alike
                baseline.append(launch(baseline_argv, _env(base / f"bare-{run}"), [FIRST_FRAME]))
                real_env = _env(base / f"real-{run}", DEMO_KEY)
                real.append(launch(real_argv, real_env, [*frame, *later, HEADER_FILLED]))
                # The same home again: the cache holds the rows and the account now.
                warm.append(launch(real_argv, real_env, useful))
                if args.before is not None:  # the other checkout, on the same cache
                    before_env = _env(base / f"real-{run}", DEMO_KEY, args.before)
                    before.append(launch(real_argv, before_env, useful, cwd=args.before))
                demo_argv = [python, "-m", "fttui", "--demo"]
                demo.append(launch(demo_argv, _env(base / f"demo-{run}"), frame))

        with run_in_thread(generations=CACHED, seed=7) as sim:
            home = base / "cached"
            prefill(home, sim)
            rows = f" of {CACHED:,}".encode()
            argv = [python, "-m", "fttui", "--base-url", sim.base_url]
            markers = [*frame, FORM_COMPLETE, rows]
            big = [launch(argv, _env(home, DEMO_KEY), markers) for _ in range(args.runs)]
            keys = asyncio.run(search_keystrokes(home, sim))
        bare_keys = asyncio.run(bare_keystrokes())

    def median(starts: list[Start], marker: bytes | None = None) -> float:
        """Median seconds to `marker`, or to the first interactive frame (all of `frame`)."""
        markers = [marker] if marker is not None else frame
        return statistics.median(
            max(s.seconds[m] for m in markers if m in s.seconds) for s in starts
        )

    def useful_median(starts: list[Start]) -> float:
        """Median seconds to the header filled and the rows shown, both."""
        return statistics.median(max(s.seconds[m] for m in useful) for s in starts)

    base_s = median(baseline, FIRST_FRAME)
    real_s, demo_s, big_first, big_rows = median(real), median(demo), median(big), median(big, rows)
    key_s, bare_key_s = statistics.median(keys), statistics.median(bare_keys)
    hwm_mb = max(s.hwm_kb for s in big) / 1024
    rss_mb = statistics.median(s.rss_kb for s in big) / 1024
    base_mb = statistics.median(s.hwm_kb for s in baseline) / 1024
    bare = f"bare app {_ms(base_s)}"
    real_useful, warm_useful = useful_median(real), useful_median(warm)
    table = [
        ("first interactive frame, real app", _ms(real_s), bare, real_s / base_s),
        (
            "header filled and rows shown, real app, cache of the last run",
            _ms(warm_useful),
            bare,
            warm_useful / base_s,
        ),
        *(
            [
                (
                    f"same, `--before` {args.before}",
                    _ms(useful_median(before)),
                    bare,
                    useful_median(before) / base_s,
                )
            ]
            if before
            else []
        ),
        (
            "header filled and rows shown, real app, empty cache (network)",
            _ms(real_useful),
            bare,
            real_useful / base_s,
        ),
        (
            "form complete, real app",
            _ms(median(real, FORM_COMPLETE)),
            bare,
            median(real, FORM_COMPLETE) / base_s,
        ),
        (
            "rows shown, real app",
            _ms(median(real, ROWS_SHOWN)),
            bare,
            median(real, ROWS_SHOWN) / base_s,
        ),
        ("first interactive frame, `--demo`", _ms(demo_s), bare, demo_s / base_s),
        (f"first interactive frame, {CACHED:,} cached", _ms(big_first), bare, big_first / base_s),
        (
            f"form complete, {CACHED:,} cached",
            _ms(median(big, FORM_COMPLETE)),
            bare,
            median(big, FORM_COMPLETE) / base_s,
        ),
        (f"cached rows shown, {CACHED:,} cached", _ms(big_rows), f"target {_ms(1.0)}", big_rows),
        (f"search keystroke, {CACHED:,} cached", _ms(key_s), f"target {_ms(0.05)}", key_s / 0.05),
        (
            "same keystroke, bare Input (harness)",
            _ms(bare_key_s),
            f"target {_ms(0.05)}",
            bare_key_s / 0.05,
        ),
        (
            f"peak resident memory, {CACHED:,} cached",
            f"{hwm_mb:6.1f} MB",
            "target 150 MB",
            hwm_mb / 150,
        ),
        (
            "resident memory (VmRSS) then",
            f"{rss_mb:6.1f} MB",
            f"bare app peak {base_mb:.1f} MB",
            rss_mb / base_mb,
        ),
    ]
    print(f"Median of {args.runs} starts each, {COLUMNS}x{LINES} pseudo-terminal\n")
    print("| measure | fttui | baseline or target | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, value, against, ratio in table:
        print(f"| {name} | {value} | {against} | {ratio:.2f}x |")
    steps = ", ".join(f"{k * 1000:.0f} ms" for k in keys)
    print(f"\nsearch keystrokes ({' '.join(SEARCH_KEYS[:2])}, repeated): {steps}")
    verdicts = {
        "real start <= 1.5x bare app": real_s / base_s <= 1.5,
        "header and rows (cache) <= 2x bare app": warm_useful / base_s <= 2.0,
        "demo start <= 1.5x bare app": demo_s / base_s <= 1.5,
        "10k rows within 1 s": big_rows <= 1.0,
        "keystroke within 50 ms": key_s <= 0.05,
        "memory < 150 MB": hwm_mb < 150,
    }
    print("Targets: " + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in verdicts.items()))
    if os.environ.get("CI"):
        print("(CI machine: figures are indicative only)")


if __name__ == "__main__":
    main()
