"""Playlists in the whole app against the simulator: browse, play, remove, move, add."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from fttui.clock import VirtualClock
from fttui.tui.app import FttuiApp
from fttui.tui.commands import BindingCommands
from fttui.tui.screens.playlists import PlaylistPicker, PlaylistsScreen

from .helpers import make_app, wait_for

SIZE = (160, 48)


pytestmark = pytest.mark.usefixtures("local_terminal")


@pytest.fixture
def library(sim_factory: Any) -> Any:
    # A clock that never moves: row 0 stays in progress, rows 1 to 4 are finished.
    return sim_factory(clock=VirtualClock(), seed=3, generations=5, playlists=2)


def _playlist(sim: Any, name: str) -> Any:
    account = sim.state.account(sim.demo_key)
    return next(p for p in sim.state.playlists.owned_by(account.id) if p.name == name)


def _arrange(sim: Any, focus: list[str], intros: list[str], private: set[str]) -> None:
    """Focus Beats (private) holds `focus`, Podcast Intros (public) `intros`; the
    generations in `private` are private, the others public."""
    with sim.state.lock:
        _playlist(sim, "Focus Beats").track_ids = list(focus)
        _playlist(sim, "Podcast Intros").track_ids = list(intros)
        for generation in sim.state.generations(sim.demo_key):
            generation.is_public = generation.id not in private


def _messages(app: FttuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _results(screen: PlaylistsScreen) -> str:
    return str(screen.query_one("#playlist-results", Static).render())


async def _finished_ids(pilot: Pilot[Any], app: FttuiApp) -> list[str]:
    await wait_for(pilot, lambda: len(app.main.listing.rows) == 5, "the list")
    app.main.listing.focus_table()
    return [g.id for g in app.main.listing.rows[1:]]


async def _open_focus(pilot: Pilot[Any], app: FttuiApp) -> PlaylistsScreen:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen), "the playlists")
    screen = app.screen
    assert isinstance(screen, PlaylistsScreen)
    await wait_for(pilot, lambda: len(screen.playlists) == 2, "the account's playlists")
    names = [p.display_name for p in screen.playlists]
    screen.query_one("#playlist-list", DataTable).move_cursor(row=names.index("Focus Beats"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.open_playlist is not None, "the playlist's tracks")
    return screen


async def test_p_lists_the_accounts_playlists(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _finished_ids(pilot, app)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen), "the playlists")
        screen = app.screen
        assert isinstance(screen, PlaylistsScreen)
        await wait_for(pilot, lambda: len(screen.playlists) == 2, "the account's playlists")
        assert {p.display_name for p in screen.playlists} == {"Focus Beats", "Podcast Intros"}
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PlaylistsScreen), "leaving")


async def test_a_playlists_track_plays_as_a_queue(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[2], ids[0]], [], set())
        screen = await _open_focus(pilot, app)
        assert [t.id for t in screen.open_playlist.tracks] == [ids[2], ids[0]]
        await pilot.press("enter")
        player = app.playback.player
        await wait_for(pilot, lambda: player.state.status == "playing", "playback")
        assert player.track is not None and player.track.id == ids[2]


async def test_removing_a_track_leaves_the_playlist_on_the_server(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0], ids[1]], [], set())
        screen = await _open_focus(pilot, app)
        await pilot.press("d")
        await wait_for(pilot, lambda: "Removed 1 track" in _results(screen), "the result")
        assert _playlist(library, "Focus Beats").track_ids == [ids[1]]
        await wait_for(pilot, lambda: len(screen.open_playlist.tracks) == 1, "the new tracks")


async def test_moving_says_why_each_track_not_moved_by_title(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0], ids[1]], [], private={ids[1]})
        screen = await _open_focus(pilot, app)
        private_title = screen.open_playlist.tracks[1].display_title
        await pilot.press("space", "space", "m")
        await pilot.press("enter")  # the only other playlist: Podcast Intros
        await wait_for(pilot, lambda: "Moved 1 track" in _results(screen), "the result")
        said = _results(screen)
        assert f"“{private_title}”: Cannot add private track to public playlist." in said
        assert _playlist(library, "Podcast Intros").track_ids == [ids[0]]
        assert _playlist(library, "Focus Beats").track_ids == [ids[1]]


async def test_moving_when_nothing_can_move_lists_every_reason(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0]], [], private={ids[0]})
        screen = await _open_focus(pilot, app)
        title = screen.open_playlist.tracks[0].display_title
        await pilot.press("m", "enter")
        await wait_for(pilot, lambda: "Moved 0 tracks" in _results(screen), "the result")
        assert f"“{title}”: Cannot add private track to public playlist." in _results(screen)


async def test_adding_marked_rows_from_the_list_to_a_chosen_playlist(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0]], [], set())
        listing = app.main.listing
        listing.table.move_cursor(row=1, animate=False)
        await pilot.pause()
        already = listing.rows[1]
        await pilot.press("x", "x", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistPicker), "the picker")
        picker = app.screen
        assert isinstance(picker, PlaylistPicker)
        await wait_for(pilot, lambda: picker.ready, "the playlists in the picker")
        picker.choose("Focus Beats")
        await wait_for(pilot, lambda: any("Added 1" in m for m in _messages(app)), "the result")
        assert _playlist(library, "Focus Beats").track_ids == [ids[0], ids[1]]
        said = " ".join(_messages(app))
        assert f"“{already.display_title}”: Track already in playlist." in said
        assert listing.marked == ()


async def test_the_palette_opens_the_playlists(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _finished_ids(pilot, app)
        provider = BindingCommands(app.main)
        hits = [hit async for hit in provider.discover()]
        chosen = next(hit for hit in hits if str(hit.text) == "Playlists")
        await chosen.command()
        await wait_for(pilot, lambda: isinstance(app.screen, PlaylistsScreen), "the playlists")
        screen = app.screen
        assert isinstance(screen, PlaylistsScreen)
        await wait_for(pilot, lambda: len(screen.playlists) == 2, "the account's playlists")


async def test_adding_by_id_in_a_playlist_says_why_each_was_refused(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0]], [], set())
        screen = await _open_focus(pilot, app)
        title = screen.open_playlist.tracks[0].display_title
        await pilot.press("a")
        box = screen.query_one("#playlist-add")
        await wait_for(pilot, lambda: app.focused is box, "the ids box")  # typed into it only
        typed = f"{ids[0]} {ids[1]}"
        await pilot.press(*typed)
        await wait_for(pilot, lambda: box.value == typed, "the ids typed")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "Added 1 track" in _results(screen),
            "the result",
            seen=lambda: (_results(screen), _messages(app)),
        )
        assert f"“{title}”: Track already in playlist." in _results(screen)
        assert _playlist(library, "Focus Beats").track_ids == [ids[0], ids[1]]
        await wait_for(pilot, lambda: len(screen.open_playlist.tracks) == 2, "the new tracks")


async def test_a_deleted_generation_leaves_the_open_playlist_view(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0], ids[1]], [], set())
        screen = await _open_focus(pilot, app)
        # A delete asked for from the list finishes while the playlist is open.
        app.main.run_worker(app.main.library._delete([ids[0]]))
        await wait_for(pilot, lambda: len(screen.open_playlist.tracks) == 1, "the track to go")
        assert screen.open_playlist.tracks[0].id == ids[1]
        assert _playlist(library, "Focus Beats").track_ids == [ids[1]]


@pytest.mark.parametrize(
    ("fault", "said", "added"),
    [
        # A proxy's page, not the API: offline, said plainly.
        ({"html_502": "next:1,only:POST"}, ["Offline"], False),
        # The server closes the pooled connection as the add goes out: sent once more.
        ({"close_idle": "next:1,only:POST"}, ["Added 1 track."], True),
        # Added, then the answer cut: the repeat finds it there, and says why it may be.
        (
            {"drop_after_commit": "next:1,only:POST"},
            ["Added 0 tracks.", "Track already in playlist", "first try"],
            True,
        ),
    ],
    ids=["offline", "cut-before", "cut-after"],
)
async def test_an_add_that_meets_a_network_fault_says_what_happened_plainly(
    library, fault: dict[str, str], said: list[str], added: bool
) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        ids = await _finished_ids(pilot, app)
        _arrange(library, [ids[0]], [], set())
        screen = await _open_focus(pilot, app)
        library.set_faults(**fault)
        screen.post_message(PlaylistsScreen.AddTracks(screen.open_playlist.id, [ids[1]]))
        await wait_for(
            pilot,
            lambda: all(part in _results(screen) for part in said),
            "what happened",
            seen=lambda: _results(screen),
        )
        assert "{" not in _results(screen) and "retrying" not in _results(screen)
        if "first try" not in said:
            assert "first try" not in _results(screen)  # nothing to doubt
        expected = [ids[0], ids[1]] if added else [ids[0]]
        assert _playlist(library, "Focus Beats").track_ids == expected
