"""The playlists screen on its own: it shows what it is handed and posts what is asked."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.message import Message
from textual.widgets import DataTable, Input, OptionList, Static

from fttui.api.bulk import AddResult, MoveResult
from fttui.tui.messages import PlayRequested
from fttui.tui.screens.playlists import PlaylistsScreen, track_ids

from .playlist_data import FOCUS, SUMMARIES


class PlaylistsApp(App[None]):
    """The screen alone; it records every message the screen posts and answers
    `OpenPlaylist` with the fake playlist."""

    def __init__(self) -> None:
        super().__init__()
        self.screen_under_test = PlaylistsScreen()
        self.posted: list[Message] = []

    def on_mount(self) -> None:
        self.push_screen(self.screen_under_test)
        self.screen_under_test.show_playlists(SUMMARIES)

    def on_playlists_screen_open_playlist(self, event: PlaylistsScreen.OpenPlaylist) -> None:
        self.posted.append(event)
        if event.playlist_id == FOCUS.id:
            self.screen_under_test.show_playlist(FOCUS)

    def on_playlists_screen_add_tracks(self, event: PlaylistsScreen.AddTracks) -> None:
        self.posted.append(event)

    def on_playlists_screen_remove_tracks(self, event: PlaylistsScreen.RemoveTracks) -> None:
        self.posted.append(event)

    def on_playlists_screen_move_tracks(self, event: PlaylistsScreen.MoveTracks) -> None:
        self.posted.append(event)

    def on_play_requested(self, event: PlayRequested) -> None:
        self.posted.append(event)


def _cells(table: DataTable[Any], row: int) -> list[str]:
    return [str(getattr(cell, "plain", cell)).strip() for cell in table.get_row_at(row)]


async def _opened(app: PlaylistsApp, pilot: Any) -> PlaylistsScreen:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    return app.screen_under_test


async def test_playlists_list_name_tracks_length_and_visibility() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen_under_test.query_one("#playlist-list", DataTable)
        assert table.row_count == 3
        assert _cells(table, 0) == ["Focus", "3", "5:35", "private"]
        assert _cells(table, 1) == ["Road trip", "12", "41:00", "public"]
        assert _cells(table, 2) == ["Sketches", "0", "–", "–"]


async def test_enter_opens_a_playlist_and_plays_a_track() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _opened(app, pilot)
        assert isinstance(app.posted[0], PlaylistsScreen.OpenPlaylist)
        assert app.posted[0].playlist_id == "p1"
        tracks = screen.query_one("#playlist-tracks", DataTable)
        assert tracks.display and tracks.row_count == 3
        assert _cells(tracks, 1)[1:] == ["Night drive", "✓ completed", "3:00", "120"]
        await pilot.press("down", "enter")
        await pilot.pause()
        played = app.posted[-1]
        assert isinstance(played, PlayRequested)
        assert played.generation.id == "t2"


async def test_remove_takes_the_marked_tracks() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(app, pilot)
        await pilot.press("space", "down", "space", "d")  # marks t1 and t3
        await pilot.pause()
        removed = app.posted[-1]
        assert isinstance(removed, PlaylistsScreen.RemoveTracks)
        assert (removed.playlist_id, removed.track_ids) == ("p1", ["t1", "t3"])


async def test_move_offers_the_other_playlists() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _opened(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        picker = screen.query_one("#playlist-move", OptionList)
        assert picker.option_count == 2  # not the playlist the tracks are in
        await pilot.press("down", "enter")
        await pilot.pause()
        moved = app.posted[-1]
        assert isinstance(moved, PlaylistsScreen.MoveTracks)
        assert (moved.playlist_id, moved.track_ids, moved.target_id) == ("p1", ["t1"], "p3")


async def test_add_takes_typed_ids() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _opened(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        box = screen.query_one("#playlist-add", Input)
        assert app.focused is box
        box.value = "g1, g2 g1"
        await pilot.press("enter")
        await pilot.pause()
        added = app.posted[-1]
        assert isinstance(added, PlaylistsScreen.AddTracks)
        assert (added.playlist_id, added.track_ids) == ("p1", ["g1", "g2"])


async def test_results_name_each_failed_track_in_words() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _opened(app, pilot)
        result = MoveResult.model_validate(
            {
                "moved": ["t1"],
                "errors": [{"trackId": "t2", "error": "Track already in playlist"}],
            }
        )
        screen.show_results(result, "moved")
        await pilot.pause()
        said = screen.query_one("#playlist-results", Static)
        assert str(said.render()) == "Moved 1 track.\n“Night drive”: Track already in playlist."
        assert said.has_class("-error")
        screen.show_results(AddResult.model_validate({"added": ["g1", "g2"]}), "added")
        await pilot.pause()
        assert str(said.render()) == "Added 2 tracks."


async def test_escape_goes_back_to_the_playlists() -> None:
    app = PlaylistsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _opened(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#playlist-list", DataTable).display
        assert not screen.query_one("#playlist-tracks", DataTable).display


def test_track_ids_split_on_spaces_and_commas() -> None:
    assert track_ids(" a,b\nc ; a ") == ["a", "b", "c"]


class LoadingApp(App[None]):
    """The screen shown before its playlists arrive, as the app's worker fetches them."""

    def __init__(self) -> None:
        super().__init__()
        self.screen_under_test = PlaylistsScreen()

    def on_mount(self) -> None:
        self.push_screen(self.screen_under_test)


def _said(screen: PlaylistsScreen) -> str:
    return str(screen.query_one("#playlist-results", Static).render())


async def test_loading_is_said_until_the_playlists_arrive_and_nothing_stale_stays() -> None:
    app = LoadingApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen_under_test
        assert "Loading" in _said(screen) and "No playlists" not in _said(screen)
        screen.show_playlists([])
        await pilot.pause()
        assert "No playlists yet" in _said(screen)
        screen.show_playlists(SUMMARIES)  # a later refresh finds some
        await pilot.pause()
        assert _said(screen) == ""
        screen.show_playlist(FOCUS)
        await pilot.pause()
        assert "No playlists" not in _said(screen) and "Loading" not in _said(screen)
