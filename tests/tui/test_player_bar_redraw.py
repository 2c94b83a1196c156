"""The player bar's progress line is drawn once its parts are laid out, even when the
track stops before the bar has redrawn itself while playing (found by the lyrics
snapshot: a track stopped at once left the bar's second line empty)."""

from __future__ import annotations

from typing import Any

import pytest

from fttui.clock import VirtualClock
from fttui.tui.widgets.player_bar import PlayerBar

from .helpers import make_app, wait_for

pytestmark = pytest.mark.usefixtures("local_terminal")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_track_stopped_at_once_still_shows_its_progress_line(
    sim_factory: Any, size: tuple[int, int]
) -> None:
    sim = sim_factory(clock=VirtualClock(), seed=3, generations=5)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=size) as pilot:
        listing = app.main.listing
        await wait_for(pilot, lambda: len(listing.rows) == 5, "the list")
        listing.focus_table()
        listing.table.move_cursor(row=1, animate=False)
        await pilot.pause()
        state = lambda: app.playback.player.state  # noqa: E731
        await pilot.press("space")
        await wait_for(pilot, lambda: state().status == "playing", "playback")
        await pilot.press("s")
        await wait_for(pilot, lambda: state().status == "stopped", "the stop")
        bar = app.main.query_one(PlayerBar)
        await wait_for(
            pilot,
            lambda: sum(len(chunk.text) for chunk in bar.query(".chunk")) == bar.size.width,
            "the progress line in the bar's parts",
        )
