"""Pictures of the main screen: empty, populated and with errors, narrow and wide.

Deterministic by construction: a fixed terminal size, no animations, the simulator on
a virtual clock that never moves (fixed ids and timestamps from its seed), and the
app's own "now" frozen at the same moment, so "… ago" never changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from fttui.clock import VirtualClock
from fttui.sim.accounts import EXHAUSTED_KEY

from .helpers import make_app, started, wait_for

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def _ready(rows: int, banner: str | None = None) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        app.animation_level = "none"
        main = app.main
        await wait_for(pilot, lambda: main.header.account is not None, "the account")
        await wait_for(pilot, lambda: len(main.listing.rows) == rows, "the rows")
        await started(pilot, app)
        # The player bar's line is laid out, and given its text, a refresh or two after
        # the bar mounts: wait for both, then for the paint.
        title = main.query_one("#player-bar #title")
        await wait_for(
            pilot, lambda: title.size.width > 0 and title.text.plain, "the player bar's text"
        )
        if banner is not None:
            await wait_for(pilot, lambda: banner in main.banner.kinds, "the banner")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_empty(snap_compare: Any, sim_factory: Any, size: tuple[int, int]) -> None:
    sim = sim_factory(clock=VirtualClock(), seed=1)
    app = make_app(sim.base_url, sim.demo_key)
    assert snap_compare(app, terminal_size=size, run_before=_ready(0))


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_populated(snap_compare: Any, sim_factory: Any, size: tuple[int, int]) -> None:
    sim = sim_factory(clock=VirtualClock(), seed=1, generations=40)
    app = make_app(sim.base_url, sim.demo_key)
    assert snap_compare(app, terminal_size=size, run_before=_ready(40))


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_out_of_credits(
    snap_compare: Any, sim_factory: Any, size: tuple[int, int]
) -> None:
    sim = sim_factory(clock=VirtualClock(), seed=1)
    app = make_app(sim.base_url, EXHAUSTED_KEY)
    assert snap_compare(app, terminal_size=size, run_before=_ready(0, banner="credits"))


def test_no_audio_device_in_the_player_bar(snap_compare: Any, sim_factory: Any) -> None:
    from fttui.tui.screens.remote_play import RemotePlayScreen

    from .test_app_player import NoDeviceBackend

    sim = sim_factory(clock=VirtualClock(), seed=3, generations=5)
    app = make_app(sim.base_url, sim.demo_key, audio_backend=NoDeviceBackend())

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(5)(pilot)
        app.main.listing.table.move_cursor(row=1, animate=False)
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        await pilot.press("escape")  # the offer shows the URL, whose port changes every run
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_offline_banner_and_stale_header(
    snap_compare: Any, sim_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fttui.api import errors
    from fttui.tui.widgets.banner import Banner

    from .test_app_errors import _fail_me_with

    # The countdown stands still: a picture taken a second later would read "9 s".
    monkeypatch.setattr(Banner, "tick", lambda self: None)
    sim = sim_factory(clock=VirtualClock(), seed=1, generations=12)
    app = make_app(sim.base_url, sim.demo_key)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(12)(pilot)
        # The connection fails as the client reports it when the server has gone away.
        _fail_me_with(app, errors.TransportError("Could not connect to the server."))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "offline" in app.main.banner.kinds, "the banner")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_server_validation_message_at_its_field(snap_compare: Any, sim_factory: Any) -> None:
    from textual.widgets import Input

    from fttui.api import errors

    from .test_app_errors import _fail_posts_with

    sim = sim_factory(clock=VirtualClock(), seed=1)
    app = make_app(sim.base_url, sim.demo_key)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(0)(pilot)
        details = [{"field": "bpm", "message": "bpm must be 60-200 for this model"}]
        _fail_posts_with(app, errors.ValidationFailed("invalid", status=400, details=details))
        app.main.form.load({"tags": "rainy jazz trio", "bpm": 120})
        await pilot.press("n", "ctrl+s")
        error = app.main.form.query_one("#bpm-error")
        await wait_for(pilot, lambda: error.has_class("-shown"), "the message at the field")
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor is caught on or off at random
        await pilot.pause()

    # Wide: the whole form in sight, so no scrolling to the field can be caught halfway.
    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
