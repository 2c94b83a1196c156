"""Helpers for driving the whole app against the simulator (imported by the tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from rich.console import Console
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from fttui.api.key import ApiKey
from fttui.clock import SystemClock
from fttui.config import Settings
from fttui.tui.app import FttuiApp
from fttui.tui.screens.key_entry import KeyEntryScreen

FIXED_NOW = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)


class FrozenClock(SystemClock):
    """Real waiting, but a wall clock stuck at one moment: stable "… ago" texts."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def make_app(base_url: str, key: str | None, **options: Any) -> FttuiApp:
    """The app as `fttui` would start it, with bell and theme saving kept quiet."""
    # The null backend: no test ever opens a real audio device.
    settings = options.pop("settings", None) or Settings(bell=False, player_backend="null")
    return FttuiApp(
        settings=settings,
        key=ApiKey(key) if key else None,
        base_url=base_url,
        clock=options.pop("clock", None) or FrozenClock(),
        **options,
    )


async def started(pilot: Pilot[Any], app: FttuiApp) -> None:
    """Wait for what the app adds once its first frame is drawn: the rest of the panes
    and the player (both there before the session starts, so before any row is listed)."""
    await wait_for(pilot, lambda: app.is_started, "the panes and the player")


async def wait_for(
    pilot: Pilot[Any],
    condition: Callable[[], object],
    what: str,
    *,
    limit: float = 15.0,
    seen: Callable[[], object] | None = None,
) -> None:
    """Let the app run until `condition()` holds; fail after `limit` seconds of trying,
    saying what `seen()` shows then (so a failure on a loaded machine can be read)."""
    step = 0.05
    for _ in range(int(limit / step)):
        if condition():
            return
        await pilot.pause(step)
    if not condition():
        # An AssertionError, not `pytest.fail` (a BaseException): inside a snapshot's
        # `run_before` Textual only ends the app on an Exception, and would hang for ever.
        shown = "" if seen is None else f"; seen: {seen()!r}"
        raise AssertionError(f"timed out waiting for {what}{shown}")


def key_dialog_ready(app: FttuiApp) -> bool:
    """The key dialog is up, composed, and its field has the focus (typing reaches it)."""
    focused = app.focused
    return (
        isinstance(app.screen, KeyEntryScreen) and focused is not None and focused.id == "key-input"
    )


def send_keys_at_once(app: FttuiApp, *keys: str) -> None:
    """Queue key presses back to back, as a held key repeats.

    `pilot.press` lets the app go idle between two keys, which on a loaded machine can
    take longer than any repeat guard: this does not wait.
    """
    for key in keys:
        app.post_message(events.Key(key, None))


async def settled(pilot: Pilot[Any], app: FttuiApp) -> None:
    """Wait until start-up and the first connection are over (before quitting the app).

    A test about something else must not quit the app while these still run.
    """
    await started(pilot, app)
    await wait_for(
        pilot,
        lambda: (
            not any(
                w.group in ("startup", "session", "connect") and not w.is_finished
                for w in app.workers
            )
        ),
        "start-up and the first connection",
    )


def detail_text(app: FttuiApp) -> str:
    """The main screen's detail pane, as text the way it is drawn (100 columns)."""
    console = Console(width=100, record=True, color_system=None)
    console.print(app.main.detail.query_one(Static).content)
    return console.export_text()
