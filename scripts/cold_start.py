"""What each import step of fttui's start costs, so a slow start points at its cause.

Each step is imported in a fresh interpreter after the steps before it, so its figure is
what it adds, not what it shares with them (pydantic counted once, where it first
comes). The steps follow the real start: the command line, settings and key, the
app's module, up to the first frame; then what the app imports only once that frame is
drawn, in a thread (the models for the form, the player, the session's client and
cache, the demo's simulator). Then the modules that
cost most by themselves (`python -X importtime`), and the whole `fttui --help`.

    python scripts/cold_start.py [--runs 5] [--top 15]

Compare with `bench/startup.py`, which times the whole start to the first frame.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

PYTHON = sys.executable

# (module, what it brings, imported before the first frame?)
STEPS: list[tuple[str, str, bool]] = [
    ("textual.app", "Textual itself (the bare app pays this too)", True),
    ("fttui.cli", "argument parsing", True),
    ("fttui.cli.launch", "settings (a dataclass and TOML), key, URL check", True),
    ("fttui.tui.app", "the app, its screens and widgets (Textual's widget modules)", True),
    ("fttui.store.last_seen", "after the first frame: the cache's first page (stdlib)", False),
    ("fttui.api.models", "after the first frame: pydantic, for the form's rules", False),
    ("fttui.tui.playback", "after the first frame: the player (httpx, miniaudio, mutagen)", False),
    ("fttui.session.session", "after the first frame: the API client and watcher", False),
    ("fttui.store.database", "after the first frame: the SQLite cache", False),
    ("fttui.sim.server", "--demo only, after the first frame, in a thread", False),
]


def _step_seconds(before: list[str], module: str) -> float:
    code = (
        "import importlib, time\n"
        f"for name in {before!r}: importlib.import_module(name)\n"
        "began = time.perf_counter()\n"
        f"importlib.import_module({module!r})\n"
        "print(time.perf_counter() - began)\n"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _process_seconds(argv: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - began


def _heaviest(modules: list[str], top: int) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, name) of the modules slowest to import by themselves."""
    code = "; ".join(f"import {m}" for m in modules)
    err = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    ).stderr
    rows = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = line.removeprefix("import time:").split("|")
        rows.append((int(own), int(total), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per step")
    parser.add_argument("--top", type=int, default=15, help="how many modules to list")
    args = parser.parse_args()

    print(f"Median of {args.runs} fresh interpreters per step\n")
    print("| step | adds | before first frame | what |")
    print("| --- | ---: | --- | --- |")
    before: list[str] = []
    first_frame = 0.0
    for module, what, early in STEPS:
        seconds = statistics.median(_step_seconds(before, module) for _ in range(args.runs))
        if early:
            first_frame += seconds
        print(f"| `{module}` | {seconds * 1000:6.1f} ms | {'yes' if early else 'no'} | {what} |")
        before.append(module)
    print(f"\nImports before the first frame: {first_frame * 1000:.0f} ms")

    bare = statistics.median(_process_seconds([PYTHON, "-c", "pass"]) for _ in range(args.runs))
    helps = statistics.median(
        _process_seconds([PYTHON, "-m", "fttui", "--help"]) for _ in range(args.runs)
    )
    print(f"Interpreter alone: {bare * 1000:.0f} ms; `fttui --help`: {helps * 1000:.0f} ms")

    early_modules = [module for module, _, early in STEPS if early]
    print(f"\nSlowest modules by themselves, up to the first frame (top {args.top}):\n")
    print("| module | self | with its imports |")
    print("| --- | ---: | ---: |")
    for own, total, name in _heaviest(early_modules, args.top):
        print(f"| `{name}` | {own / 1000:6.1f} ms | {total / 1000:6.1f} ms |")


if __name__ == "__main__":
    main()
