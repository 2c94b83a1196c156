"""A picture of the lyrics panel over the player bar, narrow and wide.

Deterministic as tests/tui/test_snapshots.py's: a fixed terminal size, no animations,
the simulator on a virtual clock that never moves and the app's "now" frozen. The
track is stopped before the picture, so its time reads 0:00 whatever the machine's speed.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from fttui.clock import VirtualClock
from fttui.tui.widgets.player_bar import PlayerBar

from .helpers import make_app, wait_for
from .test_lyrics_while_playing import keep_lyrics, panel_text
from .test_snapshots import _ready

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
LYRICS = "\n".join(
    [
        "[Verse]",
        "Streetlights hum a minor key",
        "The last train hums along with me",
        "[Chorus]",
        "And the rain keeps time, keeps time for me",
        "Keeps time for me",
        "[Verse]",
        "Neon letters on the wet concrete",
        "Spell a name I used to meet",
        "[Chorus]",
        "And the rain keeps time, keeps time for me",
    ]
)


pytestmark = pytest.mark.usefixtures("local_terminal")


@pytest.mark.parametrize("size", SIZES)
def test_lyrics_of_the_track_playing(
    snap_compare: Any, sim_factory: Any, size: tuple[int, int]
) -> None:
    sim = sim_factory(clock=VirtualClock(), seed=3, generations=5)
    app = make_app(sim.base_url, sim.demo_key)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(5)(pilot)
        listing = app.main.listing
        listing.focus_table()
        listing.table.move_cursor(row=1, animate=False)
        playing = keep_lyrics(app, 1, LYRICS)
        await pilot.press("space")
        state = lambda: app.playback.player.state  # noqa: E731
        await wait_for(pilot, lambda: state().status == "playing", "playback")
        await pilot.press("s")
        await wait_for(pilot, lambda: state().status == "stopped", "the stop")
        assert state().track_id == playing
        await pilot.press("L")
        await wait_for(pilot, lambda: "Streetlights" in panel_text(app), "the lyrics")
        # The row in progress beside: a finished one's detail shows its link, whose port
        # changes every run.
        listing.table.move_cursor(row=0, animate=False)
        detail = app.main.detail
        await wait_for(
            pilot, lambda: detail.generation is None or detail.generation.id != playing, "row 0"
        )
        # The bar's progress line, drawn in parts once their widths are known.
        bar = app.main.query_one(PlayerBar)
        await wait_for(
            pilot,
            lambda: sum(len(chunk.text) for chunk in bar.query(".chunk")) == bar.size.width,
            "the progress line",
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
