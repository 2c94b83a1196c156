"""Issue 11, point 4: the kept lyrics of the track playing, beside what one is doing.

`L` shows them in a panel over the player bar (the keyboard stays where it was) and
hides them again; the panel follows the queue to the next track, scrolls, and says
plainly when the playing track has no kept lyrics. Rows as in test_play_queue: row 0
is in progress, rows 1 to 4 are finished.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from fttui.audio.cache import AudioCache
from fttui.tui.app import FttuiApp
from fttui.tui.commands import BindingCommands
from fttui.tui.widgets.lyrics_panel import LyricsPanel

from .helpers import make_app, wait_for

SIZE = (160, 48)
VERSE = "[Verse]\nStreetlights hum a minor key"
CHORUS = "[Chorus]\nAnd the rain keeps time for me"


pytestmark = pytest.mark.usefixtures("local_terminal")


def keep_lyrics(app: FttuiApp, row: int, lyrics: str) -> str:
    """Cache `lyrics` with the list's `row`, as a submit from this app does; its id."""
    from fttui.store.database import with_lyrics

    session = app.main.session
    assert session is not None
    generation = app.main.listing.rows[row]
    session.remember(with_lyrics(generation, lyrics))
    return generation.id


def panel(app: FttuiApp) -> LyricsPanel | None:
    found = app.main.query(LyricsPanel)
    return found.first() if found else None


def panel_text(app: FttuiApp) -> str:
    shown = panel(app)
    return "" if shown is None else shown.text


async def ready(pilot: Pilot[Any], app: FttuiApp, row: int = 1) -> None:
    listing = app.main.listing
    await wait_for(pilot, lambda: len(listing.rows) == 5, "the list")
    await wait_for(pilot, lambda: app.main.session is not None, "the session")
    listing.focus_table()
    listing.table.move_cursor(row=row, animate=False)
    await pilot.pause()


async def play(pilot: Pilot[Any], app: FttuiApp, generation_id: str) -> None:
    await pilot.press("space")
    state = lambda: app.playback.player.state  # noqa: E731
    await wait_for(
        pilot,
        lambda: state().track_id == generation_id and state().status == "playing",
        "playback",
    )


async def test_L_shows_the_playing_tracks_lyrics_and_hides_them_again(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        playing = keep_lyrics(app, 1, VERSE)
        await play(pilot, app, playing)
        table = app.main.listing.table
        await pilot.press("L")
        await wait_for(pilot, lambda: "Streetlights hum a minor key" in panel_text(app), "lyrics")
        shown = panel(app)
        assert shown is not None and shown.region.height > 2  # on screen, not just mounted
        assert app.focused is table  # what the user was doing keeps the keyboard
        assert app.main.listing.rows[1].display_title in str(shown.border_title)
        await pilot.press("L")
        await wait_for(pilot, lambda: panel(app) is None, "the panel to go")
        assert app.focused is table


async def test_the_lyrics_follow_the_queue_to_the_next_track(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, row=2)
        first = keep_lyrics(app, 2, VERSE)
        second = keep_lyrics(app, 3, CHORUS)
        await play(pilot, app, first)
        await pilot.press("L")
        await wait_for(pilot, lambda: "Streetlights" in panel_text(app), "the first lyrics")
        # Near the end of the whole file (seeking stops short of what has not arrived).
        await wait_for(pilot, lambda: AudioCache().lookup(first), "the download")
        duration = app.playback.player.state.duration_s
        assert duration is not None
        app.playback.player.seek_to(duration - 0.2)
        await wait_for(pilot, lambda: app.playback.player.state.track_id == second, "next")
        await wait_for(pilot, lambda: "rain keeps time" in panel_text(app), "the next lyrics")
        assert "Streetlights" not in panel_text(app)


async def test_a_track_without_kept_lyrics_says_so_plainly(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await play(pilot, app, app.main.listing.rows[1].id)
        await pilot.press("L")
        await wait_for(pilot, lambda: panel(app) is not None, "the panel")
        title = app.main.listing.rows[1].display_title
        said = f"No lyrics kept for “{title}”: fttui keeps only the lyrics it sent."
        assert panel_text(app) == said


async def test_with_nothing_playing_the_panel_says_how_to_play(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("L")
        await wait_for(pilot, lambda: panel(app) is not None, "the panel")
        assert panel_text(app) == (
            "Nothing is playing: select a finished generation and press space."
        )


async def test_long_lyrics_scroll_in_a_panel_that_leaves_room_for_the_list(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    long_lyrics = "\n".join(f"line {n} of the song" for n in range(1, 61))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        playing = keep_lyrics(app, 1, long_lyrics)
        await play(pilot, app, playing)
        await pilot.press("L")
        await wait_for(pilot, lambda: "line 1 of the song" in panel_text(app), "the lyrics")
        shown = panel(app)
        assert shown is not None
        await wait_for(pilot, lambda: shown.max_scroll_y > 0, "a panel shorter than the song")
        assert shown.region.height <= 24 // 2
        assert app.main.listing.table.region.height > 0
        shown.focus()  # tab or a click reaches it; then the usual keys scroll
        await pilot.press("end")
        await wait_for(pilot, lambda: shown.scroll_y == shown.max_scroll_y, "the last lines")
        await pilot.press("L")  # hides it from there too, and the list has the keys again
        await wait_for(pilot, lambda: panel(app) is None, "the panel to go")
        assert app.focused is app.main.listing.table


async def test_the_lyrics_key_is_in_the_palette_and_the_help(library) -> None:
    from fttui.tui.commands import describe_bindings

    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        provider = BindingCommands(app.main)
        titles = [str(hit.text) for hit in [hit async for hit in provider.discover()]]
        assert "Lyrics of the track playing" in titles
        rows = describe_bindings(app, app.main)
        assert ("L", "Lyrics of the track playing", "list") in rows


def test_the_lyrics_key_keeps_the_player_out_of_the_first_frame() -> None:
    """The list's pane is drawn in the first frame; the player (and httpx under it) is
    loaded after it, and the lyrics panel the pane knows must not bring it earlier."""
    import subprocess
    import sys

    probe = (
        "import sys, fttui.tui.app, fttui.tui.screens.main;"
        "raise SystemExit('fttui.audio.player' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0
