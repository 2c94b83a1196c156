"""Pictures of the app's main states, as SVG, from the real app in demo conditions.

Each state runs the app in-process (Textual's `run_test`, a fixed terminal size) against
a simulator started here with a fixed seed, in its own throwaway `FTTUI_HOME`, and
saves what Textual itself renders (`App.export_screenshot`). No SVG may contain the
API key: the script checks every picture before writing it. The player is the null
backend (no sound, same bar), and no state but the SSH one sees an SSH session.

    python scripts/screenshots.py [--out screenshots] [--png] [NAME...]

`--png` also converts each SVG with `rsvg-convert` (to look at; not checked in).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input, TextArea  # noqa: E402

from fttui.api.key import ApiKey  # noqa: E402
from fttui.config import Settings  # noqa: E402
from fttui.sim.accounts import DEMO_KEY  # noqa: E402
from fttui.sim.server import RunningSim, run_in_thread, start  # noqa: E402
from fttui.tui.app import FttuiApp  # noqa: E402
from fttui.tui.screens.help import HelpScreen  # noqa: E402
from fttui.tui.screens.key_entry import KeyEntryScreen  # noqa: E402
from fttui.tui.screens.playlists import PlaylistsScreen  # noqa: E402
from fttui.tui.screens.remote_play import RemoteFileScreen  # noqa: E402

WIDE = (120, 36)
NARROW = (80, 24)
SEED = 7
GENERATIONS = 24
SPEED = 2.0  # as in `fttui --demo`: a generation takes about four seconds
LIMIT = 20.0  # seconds any awaited state may take before the script gives up
SSH_ENV = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")
DEMO_SSH = "203.0.113.5 50022 198.51.100.7 22"  # documentation addresses (RFC 5737)
DRAFT = {
    "tags": "dusty lofi piano, rain on the window, vinyl crackle",
    "lyrics": "[Verse]\nTea going cold by the window\nCity lights blur in the rain",
    "duration": 90,
    "bpm": 78,
    "key": "D#",
    "scale": "minor",
    "timesignature": "4",
    "seed": 4242,
}


class ShotFailed(RuntimeError):
    """A state the script waits for never came."""


@dataclass
class Shot:
    name: str
    description: str
    size: tuple[int, int]
    steps: Callable[[FttuiApp, Pilot[Any], RunningSim, Path], Awaitable[None]]
    with_key: bool = True
    own_simulator: bool = False  # the state stops its simulator
    over_ssh: bool = False  # the state runs as if in an SSH session


# --- helpers ------------------------------------------------------------------------------


async def until(pilot: Pilot[Any], condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition()` holds."""
    deadline = time.monotonic() + LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise ShotFailed(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def loaded(app: FttuiApp, pilot: Pilot[Any]) -> None:
    """The account is known and the list shows the demo's generations."""
    main = app.main
    await until(pilot, lambda: main.header.account is not None, "the account")
    await until(pilot, lambda: len(main.listing.rows) >= GENERATIONS, "the list")


def still_cursors(app: FttuiApp) -> None:
    # A blinking cursor would be caught on or off at random: show it steadily.
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


# --- the states -----------------------------------------------------------------------------


async def main_screen(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)


async def select_completed(app: FttuiApp, pilot: Pilot[Any], index: int = 0) -> None:
    """Put the list's cursor on its `index`-th completed generation, its detail beside."""
    listing = app.main.listing
    done = [g for g in listing.rows if g.status == "completed"]
    listing.move_to(done[index].id)
    detail = app.main.detail
    wanted = done[index].id
    await until(
        pilot, lambda: detail.generation is not None and detail.generation.id == wanted, "detail"
    )


async def showcase(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    """A filled form, a completed generation selected with its detail, a track playing."""
    await loaded(app, pilot)
    app.main.form.load(DRAFT)
    await select_completed(app, pilot, 1)
    await pilot.press("space")
    state = lambda: app.playback.player.state  # noqa: E731
    await until(pilot, lambda: state().status == "playing" and state().position_s > 2, "play")
    app.main.listing.focus_table()


async def search(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    word = next(g.prompt for g in app.main.listing.rows if g.prompt).split()[0]
    await pilot.press("slash", *word)
    await until(pilot, lambda: app.main.listing.query_text == word, "the search")
    await until(pilot, lambda: len(app.main.listing.rows) < GENERATIONS, "the matches")


async def playlist(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    session = app.main.session
    assert session is not None
    summaries = await session.client.list_playlists()
    screen = PlaylistsScreen()
    await app.push_screen(screen)
    await until(pilot, lambda: app.screen is screen and screen.is_mounted, "the playlists")
    await pilot.pause()  # its own mount shows an empty list first
    screen.show_playlists(summaries)
    screen.show_playlist(await session.client.get_playlist(summaries[0].id))
    await pilot.pause(0.2)


async def ssh_download(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    await select_completed(app, pilot)
    await pilot.press("d")
    await until(pilot, lambda: isinstance(app.screen, RemoteFileScreen), "the scp offer")


async def form_error(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    await pilot.press("n", *"rainy jazz trio")
    await pilot.click("#bpm")
    await pilot.press(*"250")
    await pilot.press("ctrl+s")  # refused by the form: the reason shows at the field
    form = app.main.form
    await until(pilot, lambda: form.query_one("#bpm-error").has_class("-shown"), "the error")


async def generating(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    before = sim.post_count()
    await pilot.press("n", *"dusty lofi piano rain")
    await pilot.press("ctrl+s")
    listing = app.main.listing
    await until(pilot, lambda: sim.post_count() == before + 1, "the submission")
    await until(
        pilot,
        lambda: (
            listing.rows[0].prompt == "dusty lofi piano rain"
            and listing.rows[0].status == "processing"
        ),
        "the new generation in progress",
    )
    save(app, out / "generating.svg")
    await until(pilot, lambda: listing.rows[0].status == "completed", "the completion")
    await until(
        pilot,
        lambda: any("completed" in (n.title or "") for n in app._notifications),
        "the notification",
    )


async def failed_detail(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    listing = app.main.listing
    index = next(i for i, g in enumerate(listing.rows) if g.status == "failed")
    await pilot.press(*["j"] * index, "enter")
    detail = app.main.detail
    await until(
        pilot,
        lambda: detail.generation is not None and detail.generation.error_message,
        "the failed generation's full detail",
    )


async def help_screen(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")


async def key_entry(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await until(pilot, lambda: isinstance(app.screen, KeyEntryScreen), "the key entry")
    # The real key, typed: the picture proves the field masks it.
    await pilot.press(*DEMO_KEY)
    field = app.screen.query_one("#key-input", Input)
    await until(pilot, lambda: field.value == DEMO_KEY, "the typed key")


async def offline(app: FttuiApp, pilot: Pilot[Any], sim: RunningSim, out: Path) -> None:
    await loaded(app, pilot)
    sim.close()
    await pilot.press("ctrl+r")
    banner = app.main.banner
    await until(pilot, lambda: "offline" in banner.kinds, "the offline banner")


SHOTS = [
    Shot(
        "main",
        "a filled form, a completed generation selected with its detail, a track playing",
        WIDE,
        showcase,
    ),
    Shot("search", "the list searched as you type (`/`)", WIDE, search),
    Shot("playlist", "a playlist and its tracks", WIDE, playlist),
    Shot(
        "ssh-download",
        "over SSH, after `d`: the file is on the remote machine; `c` copies the scp line",
        WIDE,
        ssh_download,
        over_ssh=True,
    ),
    Shot(
        "main-narrow", "main screen on an 80x24 terminal (one pane at a time)", NARROW, main_screen
    ),
    Shot(
        "form-error", "the form refusing a BPM out of range, reason at the field", WIDE, form_error
    ),
    Shot("generating", "a new generation in progress at the top of the list", WIDE, generating),
    Shot("completed", "the same generation completed, with its notification", WIDE, generating),
    Shot("failed-detail", "the full detail of a failed generation", WIDE, failed_detail),
    Shot("help", "the key help (`?`)", WIDE, help_screen),
    Shot(
        "key-entry",
        "the key entry at start with no key, the key typed (masked)",
        WIDE,
        key_entry,
        with_key=False,
    ),
    Shot(
        "offline",
        "the offline banner after the server went away",
        WIDE,
        offline,
        own_simulator=True,
    ),
]


# --- running ---------------------------------------------------------------------------------


def save(app: FttuiApp, path: Path) -> None:
    """Write the current screen as SVG, after checking that the key is not in it."""
    still_cursors(app)
    svg = app.export_screenshot(title=f"fttui — {path.stem}")
    if DEMO_KEY in svg or DEMO_KEY.removeprefix("ft_live_") in svg:
        raise ShotFailed(f"the API key appears in {path.name}")
    path.write_text(svg, encoding="utf-8")


@contextmanager
def isolated_home() -> Any:
    """A fresh FTTUI_HOME for one state, so no state's draft or cache leaks into another."""
    previous = os.environ.get("FTTUI_HOME")
    with tempfile.TemporaryDirectory(prefix="fttui-shot-") as home:
        os.environ["FTTUI_HOME"] = home
        try:
            yield Path(home)
        finally:
            if previous is None:
                os.environ.pop("FTTUI_HOME", None)
            else:
                os.environ["FTTUI_HOME"] = previous


async def take(shot: Shot, sim: RunningSim, out: Path) -> None:
    for name in SSH_ENV:
        os.environ.pop(name, None)
    if shot.over_ssh:
        os.environ["SSH_CONNECTION"] = DEMO_SSH
        os.environ["USER"] = "ada"
    app = FttuiApp(
        settings=Settings(bell=False, theme="textual-dark", player_backend="null"),
        key=ApiKey(DEMO_KEY) if shot.with_key else None,
        base_url=sim.base_url,
        demo=shot.with_key,
    )
    # Notifications are off in run_test by default; several states are about them.
    async with app.run_test(size=shot.size, notifications=True) as pilot:
        await shot.steps(app, pilot, sim, out)
        await pilot.pause(0.2)  # let the last change paint
        save(app, out / f"{shot.name}.svg")


def take_one(shot: Shot, out: Path) -> None:
    """Take one state in this process, in a fresh home, against a fresh simulator."""
    with isolated_home():
        if shot.own_simulator:
            sim = start(speed=SPEED, generations=GENERATIONS, seed=SEED)
            try:
                asyncio.run(take(shot, sim, out))
            finally:
                if sim.media_running:  # the state stops it when it succeeds
                    sim.close()
        else:
            with run_in_thread(speed=SPEED, generations=GENERATIONS, seed=SEED) as sim:
                asyncio.run(take(shot, sim, out))


def take_all(out: Path, only: set[str]) -> list[str]:
    """Each state in a process of its own, so no state inherits another's app or loop."""
    failed: list[str] = []
    for shot in SHOTS:
        if (only and shot.name not in only) or shot.name == "generating":
            continue  # "completed" makes "generating" on its way
        run = subprocess.run(
            [sys.executable, __file__, "--out", str(out), "--one", shot.name],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        made = [f"{shot.name}.svg"] + (["generating.svg"] if shot.name == "completed" else [])
        if run.returncode == 0:
            print("  " + ", ".join(made))
        else:
            failed.append(shot.name)
            print(f"  {shot.name}: FAILED\n{run.stderr[-3000:]}", file=sys.stderr)
    return failed


def write_index(out: Path) -> None:
    lines = [
        "# Screenshots",
        "",
        "Made by `python scripts/screenshots.py` (Textual's own SVG "
        "export, demo simulator, seed 7).",
        "",
    ]
    for shot in SHOTS:
        width, height = shot.size
        lines.append(f"- `{shot.name}.svg` ({width}x{height}): {shot.description}")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def to_png(out: Path) -> None:
    """A PNG beside each SVG, rendered by librsvg (fonts as a browser would pick them)."""
    for svg in sorted(out.glob("*.svg")):
        subprocess.run(["rsvg-convert", "-o", str(svg.with_suffix(".png")), str(svg)], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("only", nargs="*", help="names of the states to take (default: all)")
    parser.add_argument("--png", action="store_true", help="also convert to PNG (rsvg-convert)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.pop("FINETUNING_API_KEY", None)
    if args.one:
        take_one(next(shot for shot in SHOTS if shot.name == args.one), args.out)
        return 0
    print(f"writing to {args.out}")
    failed = take_all(args.out, set(args.only))
    write_index(args.out)
    if args.png:
        to_png(args.out)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
