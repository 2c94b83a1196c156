"""Playing the list as a queue, repeat/shuffle/mute, and the player with no sound card.

Rows as in test_app_player: row 0 is in progress, rows 1 to 4 are finished.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from fttui.audio.cache import AudioCache
from fttui.audio.player import PlayerState
from fttui.tui.app import FttuiApp
from fttui.tui.screens.remote_play import RemotePlayScreen
from fttui.tui.widgets.player_bar import PlayerBar

from .helpers import make_app, wait_for
from .test_app_player import NO_DEVICE, NoDeviceBackend

SIZE = (160, 48)


pytestmark = pytest.mark.usefixtures("local_terminal")


def _state(app: FttuiApp) -> PlayerState:
    return app.main.query_one(PlayerBar).state


def _bar_text(app: FttuiApp) -> str:
    return app.main.query_one(PlayerBar).render().plain


def _messages(app: FttuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _ready(pilot: Pilot[Any], app: FttuiApp, row: int = 1) -> None:
    listing = app.main.listing
    await wait_for(pilot, lambda: len(listing.rows) == 5, "the list")
    listing.focus_table()
    listing.table.move_cursor(row=row, animate=False)
    await pilot.pause()


async def test_when_a_track_ends_the_next_finished_row_plays(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app, row=2)
        rows = app.main.listing.rows
        await pilot.press("space")
        await wait_for(pilot, lambda: _state(app).status == "playing", "playback")
        assert _state(app).track_id == rows[2].id
        assert _state(app).queue_position == "1/3"  # rows 2, 3 and 4
        # Near the end of the whole file (seeking stops short of what has not arrived).
        await wait_for(pilot, lambda: AudioCache().lookup(rows[2].id), "the download")
        duration = _state(app).duration_s
        assert duration is not None
        app.playback.player.seek_to(duration - 0.2)
        await wait_for(pilot, lambda: _state(app).track_id == rows[3].id, "the next track")
        await wait_for(pilot, lambda: _state(app).status == "playing", "the next one playing")
        assert rows[3].display_title in _bar_text(app)
        assert "2/3" in _bar_text(app)


async def test_repeat_shuffle_and_mute_keys_show_in_the_bar(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: _state(app).status == "playing", "playback")
        await pilot.press("m")
        await wait_for(pilot, lambda: "muted" in _bar_text(app), "muted in the bar")
        await pilot.press("R")
        await wait_for(pilot, lambda: "repeat" in _bar_text(app), "repeat in the bar")
        await pilot.press("S")
        await wait_for(pilot, lambda: "shuffle" in _bar_text(app), "shuffle in the bar")
        assert app.playback.player.queue.repeat and app.playback.player.queue.shuffle
        await pilot.press("m", "R", "S")
        await wait_for(pilot, lambda: "vol 80%" in _bar_text(app), "the volume back")
        assert "repeat" not in _bar_text(app) and "shuffle" not in _bar_text(app)


async def test_without_a_sound_card_the_bar_names_the_track_the_keys_act_on(library) -> None:
    app = make_app(library.base_url, library.demo_key, audio_backend=NoDeviceBackend())
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        rows = app.main.listing.rows
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RemotePlayScreen), "closed")
        app.main.listing.table.move_cursor(row=3, animate=False)
        await pilot.pause()
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        await wait_for(pilot, lambda: _state(app).track_id == rows[3].id, "the bar to follow")
        assert rows[3].display_title in _bar_text(app)
        assert NO_DEVICE in _bar_text(app)


async def test_without_a_sound_card_seek_volume_and_stop_say_why(library) -> None:
    app = make_app(library.base_url, library.demo_key, audio_backend=NoDeviceBackend())
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RemotePlayScreen), "closed")
        for key in ("right_square_bracket", "plus", "s", "m"):
            before = len(_messages(app))
            await pilot.press(key)
            await wait_for(pilot, lambda n=before: len(_messages(app)) > n, f"a reason for {key}")
            assert NO_DEVICE in _messages(app)[-1]


async def test_seek_with_nothing_playing_says_so(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: _messages(app), "a reason")
        assert "Nothing is playing" in _messages(app)[-1]
