"""Playlists (API v1.2): the account's playlists, one playlist's tracks, and moving them.

The screen never calls the client: it is handed what to show (`show_playlists`,
`show_playlist`, `show_results`) and posts what the user asked for (`OpenPlaylist`,
`AddTracks`, `RemoveTracks`, `MoveTracks`, `PlayRequested`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from fttui.tui.messages import PlayRequested
from fttui.tui.text import clean, count, minutes_seconds, shorten, status_text
from fttui.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from fttui.api.bulk import BulkResult
    from fttui.api.models import Generation
    from fttui.api.playlists import Playlist, PlaylistSummary

TITLE_WIDTH = 40


def track_ids(text: str) -> list[str]:
    """The ids typed or pasted: separated by spaces, commas or new lines; repeats once."""
    return list(dict.fromkeys(part for part in re.split(r"[\s,;]+", text) if part))


class PlaylistsScreen(Screen[None]):
    """The playlists table; enter opens one, whose tracks are then shown and can be
    played (enter), marked (space), added (a), removed (d) and moved (m)."""

    DEFAULT_CSS = """
    PlaylistsScreen > Vertical { height: 1fr; }
    PlaylistsScreen #playlists-title { padding: 0 1; text-style: bold; }
    PlaylistsScreen DataTable { height: 1fr; }
    PlaylistsScreen #playlist-tracks { display: none; }
    PlaylistsScreen.-open #playlist-tracks { display: block; }
    PlaylistsScreen.-open #playlist-list { display: none; }
    PlaylistsScreen #playlist-add { display: none; }
    PlaylistsScreen #playlist-add.-shown { display: block; }
    PlaylistsScreen #playlist-move { display: none; height: auto; max-height: 10; }
    PlaylistsScreen #playlist-move.-shown { display: block; }
    PlaylistsScreen #playlist-results { padding: 0 1; height: auto; max-height: 8; }
    PlaylistsScreen #playlist-results.-error { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("space", "mark", "Mark", show=True),
        Binding("a", "add", "Add"),
        Binding("d,delete", "remove", "Remove"),
        Binding("m", "move", "Move"),
    ]

    class OpenPlaylist(Message):
        """Show the tracks of playlist `playlist_id` (answered with `show_playlist`)."""

        def __init__(self, playlist_id: str) -> None:
            super().__init__()
            self.playlist_id = playlist_id

    class AddTracks(Message):
        """Add the generations `track_ids` to playlist `playlist_id`."""

        def __init__(self, playlist_id: str, track_ids: Sequence[str]) -> None:
            super().__init__()
            self.playlist_id = playlist_id
            self.track_ids = list(track_ids)

    class RemoveTracks(Message):
        """Take the tracks `track_ids` out of playlist `playlist_id`."""

        def __init__(self, playlist_id: str, track_ids: Sequence[str]) -> None:
            super().__init__()
            self.playlist_id = playlist_id
            self.track_ids = list(track_ids)

    class MoveTracks(Message):
        """Move the tracks `track_ids` from playlist `playlist_id` to `target_id`."""

        def __init__(self, playlist_id: str, track_ids: Sequence[str], target_id: str) -> None:
            super().__init__()
            self.playlist_id = playlist_id
            self.track_ids = list(track_ids)
            self.target_id = target_id

    def __init__(self) -> None:
        super().__init__()
        self._playlists: list[PlaylistSummary] = []
        self._loaded = False  # until the account's playlists are handed over
        self._open: Playlist | None = None
        self._marked: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Playlists", id="playlists-title")
            playlists: DataTable[Text] = DataTable(
                id="playlist-list", cursor_type="row", zebra_stripes=True
            )
            playlists.add_columns("Name", "Tracks", "Length", "Shared")
            yield playlists
            tracks: DataTable[Text] = DataTable(
                id="playlist-tracks", cursor_type="row", zebra_stripes=True
            )
            tracks.add_columns(" ", "Title", "Status", "Len", "BPM")
            yield tracks
            yield Input(placeholder="Generation ids to add, then enter", id="playlist-add")
            yield OptionList(id="playlist-move")
            yield Static("", id="playlist-results")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self._loaded:
            self.show_playlists(self._playlists)
        else:
            self._title("Playlists")
            self._say("Loading your playlists…")

    # --- what the screen is handed ----------------------------------------------------

    @property
    def playlists(self) -> list[PlaylistSummary]:
        return list(self._playlists)

    @property
    def open_playlist(self) -> Playlist | None:
        return self._open

    @property
    def marked(self) -> set[str]:
        return set(self._marked)

    def show_playlists(self, playlists: Sequence[PlaylistSummary]) -> None:
        """Fill the playlists table."""
        self._playlists = list(playlists)
        self._loaded = True
        if not self.query("#playlist-list"):
            return  # handed over before the screen was shown: filled in by on_mount
        table = self._list
        table.clear()
        for playlist in self._playlists:
            table.add_row(
                Text(shorten(clean(playlist.display_name), TITLE_WIDTH)),
                Text(count(playlist.track_count), justify="right"),
                Text(minutes_seconds(playlist.total_duration), justify="right"),
                Text(_visibility(playlist.is_public)),
                key=playlist.id,
            )
        if not self._open:
            self._title(f"Playlists ({len(self._playlists)})")
            self._say("" if self._playlists else "No playlists yet: make one in the web app.")
            table.focus()

    def show_playlist(self, playlist: Playlist) -> None:
        """Show one playlist's tracks (what `OpenPlaylist` asked for, or after a change)."""
        same = self._open is not None and self._open.id == playlist.id
        self._open = playlist
        keep = self._tracks.cursor_row if same else 0
        ids = {track.id for track in playlist.tracks}
        self._marked = self._marked & ids if same else set()
        self._fill_tracks()
        self._tracks.move_cursor(row=min(keep, max(0, len(playlist.tracks) - 1)))
        self.add_class("-open")
        self.refresh_bindings()
        whose = "" if playlist.is_owner is not False else " (someone else's: read only)"
        self._title(
            f"{clean(playlist.display_name)} · {len(playlist.tracks)} tracks · "
            f"{minutes_seconds(playlist.total_duration)} · {_visibility(playlist.is_public)}"
            f"{whose}"
        )
        if not playlist.tracks:
            self._say("This playlist is empty: press a to add generations by id.")
        elif not same:
            self._say("")  # what was said of the list (or of another playlist) is over
        self._tracks.focus()

    def show_results(self, result: BulkResult, verb: str = "changed") -> None:
        """Say how a change went: how many were done, and why each other one was not,
        by its title where the screen knows it."""
        done = len(result.succeeded)
        failed = result.failed
        lines = [f"{verb.capitalize()} {done} {'track' if done == 1 else 'tracks'}."]
        for track_id, reason in failed.items():
            reason_text = clean(reason).rstrip(".") or "failed"
            lines.append(f"“{self._track_title(track_id)}”: {reason_text}.")
        if result.lost_answer_note:
            lines.append(result.lost_answer_note)
        self._say("\n".join(lines), error=bool(failed))

    def drop_tracks(self, ids: Sequence[str]) -> None:
        """Take deleted generations out of the open playlist's view."""
        if self._open is None or not set(ids) & {t.id for t in self._open.tracks}:
            return
        gone = set(ids)
        kept = [t for t in self._open.tracks if t.id not in gone]
        self.show_playlist(self._open.model_copy(update={"tracks": kept}))

    def say_problem(self, text: str) -> None:
        """Say why a request of this screen failed, where the user is looking."""
        self._say(text, error=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Track keys only with a playlist open; changes only to one's own playlist."""
        if action in ("mark", "add", "remove", "move"):
            if self._open is None:
                return False
            if action != "mark" and self._open.is_owner is False:
                return False
        return True

    # --- actions ----------------------------------------------------------------------

    def action_back(self) -> None:
        """Close the add box or the move list, else go back to the playlists, else leave."""
        for selector in ("#playlist-add", "#playlist-move"):
            widget = self.query_one(selector)
            if widget.has_class("-shown"):
                widget.remove_class("-shown")
                self._focus_current()
                return
        if self._open is not None:
            self._open = None
            self._marked.clear()
            self.remove_class("-open")
            self.refresh_bindings()
            self._title(f"Playlists ({len(self._playlists)})")
            self._say("")
            self._list.focus()
            return
        self.dismiss(None)

    def action_mark(self) -> None:
        """Mark (or unmark) the highlighted track for remove or move."""
        track = self._highlighted_track()
        if track is None:
            return
        self._marked.symmetric_difference_update({track.id})
        row = self._tracks.cursor_row
        self._tracks.update_cell(track.id, "mark", _mark(track.id in self._marked))
        self._tracks.move_cursor(row=row + 1)

    def action_add(self) -> None:
        """Ask for the ids of generations to add to the open playlist."""
        if self._open is None:
            return
        box = self.query_one("#playlist-add", Input)
        box.value = ""
        box.add_class("-shown")
        box.focus()

    def action_remove(self) -> None:
        """Take the marked tracks (or the highlighted one) out of the open playlist."""
        ids = self._chosen()
        if self._open is None or not ids:
            return
        self.post_message(self.RemoveTracks(self._open.id, ids))

    def action_move(self) -> None:
        """Offer the other playlists to move the marked (or highlighted) tracks to."""
        if self._open is None or not self._chosen():
            return
        targets = [p for p in self._playlists if p.id != self._open.id]
        if not targets:
            self._say("There is no other playlist to move to.", error=True)
            return
        picker = self.query_one("#playlist-move", OptionList)
        picker.clear_options()
        picker.add_options([Option(f"Move to {clean(p.display_name)}", id=p.id) for p in targets])
        picker.add_class("-shown")
        picker.highlighted = 0
        picker.focus()

    # --- events -----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#playlist-list")
    def _playlist_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.OpenPlaylist(event.row_key.value))

    @on(DataTable.RowSelected, "#playlist-tracks")
    def _track_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        track = self._highlighted_track()
        if track is not None:
            self.post_message(PlayRequested(track))

    @on(Input.Submitted, "#playlist-add")
    def _add_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ids = track_ids(event.value)
        event.input.remove_class("-shown")
        self._focus_current()
        if self._open is not None and ids:
            self.post_message(self.AddTracks(self._open.id, ids))

    @on(OptionList.OptionSelected, "#playlist-move")
    def _target_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        event.option_list.remove_class("-shown")
        ids = self._chosen()
        self._focus_current()
        if self._open is not None and ids and event.option.id is not None:
            self.post_message(self.MoveTracks(self._open.id, ids, event.option.id))

    # --- helpers ----------------------------------------------------------------------

    @property
    def _list(self) -> DataTable[Text]:
        return self.query_one("#playlist-list", DataTable)

    @property
    def _tracks(self) -> DataTable[Text]:
        return self.query_one("#playlist-tracks", DataTable)

    def _fill_tracks(self) -> None:
        table = self._tracks
        table.clear(columns=True)
        table.add_column(" ", key="mark", width=1)
        table.add_column("Title", key="title")
        table.add_column("Status", key="status", width=12)
        table.add_column("Len", key="duration", width=5)
        table.add_column("BPM", key="bpm", width=3)
        for track in self._open.tracks if self._open else []:
            bpm = track.parameters.bpm
            table.add_row(
                _mark(track.id in self._marked),
                Text(shorten(clean(track.display_title), TITLE_WIDTH)),
                status_text(track.status),
                Text(minutes_seconds(track.length_seconds), justify="right"),
                Text("–" if bpm is None else str(bpm), justify="right"),
                key=track.id,
            )

    def _highlighted_track(self) -> Generation | None:
        tracks = self._open.tracks if self._open else []
        row = self._tracks.cursor_row
        return tracks[row] if 0 <= row < len(tracks) else None

    def _chosen(self) -> list[str]:
        """The marked tracks in playlist order, else the highlighted one."""
        if self._open is None:
            return []
        marked = [t.id for t in self._open.tracks if t.id in self._marked]
        if marked:
            return marked
        track = self._highlighted_track()
        return [] if track is None else [track.id]

    def _track_title(self, track_id: str) -> str:
        for track in self._open.tracks if self._open else []:
            if track.id == track_id:
                return clean(track.display_title)
        return track_id

    def _focus_current(self) -> None:
        (self._tracks if self._open is not None else self._list).focus()

    def _title(self, text: str) -> None:
        self.query_one("#playlists-title", Static).update(Text(text))

    def _say(self, text: str, *, error: bool = False) -> None:
        results = self.query_one("#playlist-results", Static)
        results.update(Text(text))
        results.set_class(error, "-error")


def _visibility(is_public: bool | None) -> str:
    if is_public is None:
        return "–"
    return "public" if is_public else "private"


def _mark(marked: bool) -> Text:
    return Text("●" if marked else " ", style="bold yellow")


class PlaylistPicker(ModalScreen[str | None]):
    """Which playlist to add generations to: dismissed with its id, or None (esc).

    Shown at once, saying it is loading; filled with `show_playlists`."""

    DEFAULT_CSS = """
    PlaylistPicker { align: center middle; }
    PlaylistPicker > Vertical {
        width: 60%;
        max-width: 70;
        height: auto;
        max-height: 80%;
        padding: 1 2;
        border: round $accent;
        background: $surface;
    }
    PlaylistPicker OptionList { height: auto; max-height: 16; }
    PlaylistPicker #picker-keys { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int) -> None:
        super().__init__()
        self._count = count
        self._playlists: list[PlaylistSummary] = []
        self._ready = False

    def compose(self) -> ComposeResult:
        them = "it" if self._count == 1 else f"these {self._count} generations"
        with Vertical():
            yield Static(Text(f"Add {them} to which playlist?", style="bold"), id="picker-title")
            yield OptionList(id="picker-options")
            yield Static(Text("Loading your playlists…", style="dim"), id="picker-keys")

    @property
    def ready(self) -> bool:
        """Whether the playlists are listed (the user can choose)."""
        return self._ready

    def show_playlists(self, playlists: Sequence[PlaylistSummary]) -> None:
        """List the playlists to choose from."""
        self._playlists = list(playlists)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(f"{clean(p.display_name)} ({count(p.track_count)} tracks)", id=p.id)
                for p in self._playlists
            ]
        )
        keys = (
            "enter: add · esc: cancel"
            if playlists
            else "No playlists yet: make one in the web app."
        )
        self.query_one("#picker-keys", Static).update(Text(keys, style="dim"))
        if playlists:
            options.highlighted = 0
        options.focus()
        self._ready = True

    def choose(self, name: str) -> None:
        """Choose the playlist called `name` (as enter on it would)."""
        for playlist in self._playlists:
            if playlist.display_name == name:
                self.dismiss(playlist.id)
                return

    @on(OptionList.OptionSelected, "#picker-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)
