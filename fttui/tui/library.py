"""The library: deleting generations and the playlists, for the main screen.

The screens only show and ask (`ConfirmScreen`, `PlaylistsScreen`, `PlaylistPicker`);
the requests run here, in workers of the main screen, and the answers are handed back
to whichever screen the user is looking at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import on

from fttui.session.problems import explain
from fttui.tui.messages import PlayRequested
from fttui.tui.screens.confirm import ConfirmScreen
from fttui.tui.screens.playlists import PlaylistPicker, PlaylistsScreen
from fttui.tui.screens.sound_effects import SoundEffectsScreen
from fttui.tui.text import clean

if TYPE_CHECKING:
    # The models bring pydantic, which the first frame does without: imported on use.
    from fttui.api.client import FinetuningClient
    from fttui.api.models import Generation
    from fttui.api.sound_effects import SoundEffect
    from fttui.tui.app import FttuiApp
    from fttui.tui.playback import Playback
    from fttui.tui.screens.main_base import MainScreenBase


_T = TypeVar("_T")

EFFECTS_PAGE = 100
"""Sound effects asked for at a time (the API's largest page)."""


def _tracks(n: int) -> str:
    return f"{n} {'track' if n == 1 else 'tracks'}"


class LibraryPlaylists(PlaylistsScreen):
    """The playlists screen, its requests carried out by `Library`."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self._library = library

    @on(PlaylistsScreen.OpenPlaylist)
    def _library_open(self, event: PlaylistsScreen.OpenPlaylist) -> None:
        self._library.open_playlist(self, event.playlist_id)

    @on(PlaylistsScreen.RemoveTracks)
    def _library_remove(self, event: PlaylistsScreen.RemoveTracks) -> None:
        self._library.remove_tracks(self, event.playlist_id, event.track_ids)

    @on(PlaylistsScreen.MoveTracks)
    def _library_move(self, event: PlaylistsScreen.MoveTracks) -> None:
        self._library.move_tracks(self, event.playlist_id, event.track_ids, event.target_id)

    @on(PlaylistsScreen.AddTracks)
    def _library_add(self, event: PlaylistsScreen.AddTracks) -> None:
        self._library.add_to_open(self, event.playlist_id, event.track_ids)

    @on(PlayRequested)
    def _library_play(self, event: PlayRequested) -> None:
        event.stop()
        self._library.play_from_playlist(self, event.generation)


class LibrarySoundEffects(SoundEffectsScreen):
    """The sound effects screen, its requests carried out by `Library`."""

    def __init__(self, library: Library) -> None:
        super().__init__()
        self._library = library

    @on(SoundEffectsScreen.Play)
    def _library_play(self, event: SoundEffectsScreen.Play) -> None:
        # Back to the main screen, whose player bar names the track and whose keys
        # (space, s, the seek keys, `.` for the next one) act on it.
        if self._library.play_effects(event.effects, event.start):
            self.dismiss()

    @on(SoundEffectsScreen.Save)
    def _library_save(self, event: SoundEffectsScreen.Save) -> None:
        self._library.save_effect(event.effect)

    @on(SoundEffectsScreen.Older)
    def _library_older(self, event: SoundEffectsScreen.Older) -> None:
        self._library.older_effects(self, event.offset)


class Library:
    """Delete, playlists and sound effects for `screen` (its session, its list, the
    app's player)."""

    def __init__(self, screen: MainScreenBase) -> None:
        self._screen = screen

    # --- delete -----------------------------------------------------------------------

    def delete(self, ids: Sequence[str]) -> None:
        """Ask, naming each generation; on yes, delete them on the server."""
        titles = [self._title(i) for i in ids]

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(self._delete(list(ids)), "delete")

        self._screen.app.push_screen(ConfirmScreen.delete(titles), answered)

    async def _delete(self, ids: list[str]) -> None:
        screen = self._screen
        session = screen.session
        if session is None:
            return
        try:
            result = await session.client.delete_generations(ids)
        except Exception as exc:
            screen.show_problem(exc)
            return
        finally:
            screen.rate_seen()
        gone = result.succeeded
        titles = {i: self._title(i) for i in ids}
        for generation_id in gone:
            session.forget(generation_id)
        listing = screen.listing
        listing.remove_rows(gone)
        listing.clear_marks()
        screen.count_running()
        for view in self._playlist_views():
            view.drop_tracks(gone)
        self._stop_if_playing(gone)
        if gone:
            n = len(gone)
            screen.notify(f"Deleted {n} generation{'' if n == 1 else 's'}.", title="Deleted")
        failed = result.failed
        if failed:  # one notification naming each track kept, and why
            lines = [
                f"“{titles.get(i, i)}” was not deleted: {clean(why).rstrip('.') or 'failed'}."
                for i, why in failed.items()
            ]
            if result.lost_answer_note:
                lines.append(result.lost_answer_note)
            screen.notify("\n".join(lines), title="Not deleted", severity="warning", markup=False)

    def _stop_if_playing(self, gone: Sequence[str]) -> None:
        """A deleted track has no audio any more: stop it rather than play a dead link,
        and take the deleted ones out of the play queue before it reaches them."""
        playback = self._playback()
        if playback is None:
            return
        track = playback.player.track
        went = playback.player.forget(set(gone))
        if went or (track is not None and track.id in gone):
            playback.stop()

    # --- the sound effects screen -----------------------------------------------------

    def show_sound_effects(self) -> None:
        """Open the sound effects screen and fill it with the newest from the server."""
        view = LibrarySoundEffects(self)
        self._screen.app.push_screen(view)
        self._run(self._effects_into(view), "sound-effects")

    async def _effects_into(self, view: SoundEffectsScreen) -> None:
        await self._fetch_into(
            view,
            lambda client: client.list_sound_effects(limit=EFFECTS_PAGE),
            lambda page: view.show_effects(page.sound_effects, more=page.has_more),
        )

    def older_effects(self, view: SoundEffectsScreen, offset: int) -> None:
        """Fetch the page of sound effects from `offset` and add it below those shown."""
        work = self._fetch_into(
            view,
            lambda client: client.list_sound_effects(limit=EFFECTS_PAGE, offset=offset),
            lambda page: view.add_older(page.sound_effects, more=page.has_more),
        )
        self._run(work, "sound-effects")

    def play_effects(self, effects: Sequence[SoundEffect], start: int) -> bool:
        """Play finished sound effects as a queue from `start`; False: no player."""
        from fttui.audio.from_api import track_for_sound_effect

        playback = self._playback()
        tracks = [t for t in map(track_for_sound_effect, effects) if t is not None]
        if playback is None or not tracks:
            return False
        playback.play_tracks(tracks, start)
        return True

    def save_effect(self, effect: SoundEffect) -> None:
        """Save a finished sound effect's audio in the music folder."""
        from fttui.audio.from_api import track_for_sound_effect

        playback = self._playback()
        track = track_for_sound_effect(effect)
        if playback is not None and track is not None:
            playback.save(track)

    # --- the playlists screen ---------------------------------------------------------

    def show_playlists(self) -> None:
        """Open the playlists screen and fill it from the server."""
        view = LibraryPlaylists(self)
        self._screen.app.push_screen(view)
        self._run(self._list_into(view), "playlists")

    async def _list_into(self, view: PlaylistsScreen) -> None:
        await self._fetch_into(view, lambda client: client.list_playlists(), view.show_playlists)

    def open_playlist(self, view: PlaylistsScreen, playlist_id: str) -> None:
        """Fetch one playlist's tracks into `view`."""
        self._run(self._open_into(view, playlist_id), "playlists")

    async def _open_into(self, view: PlaylistsScreen, playlist_id: str) -> None:
        session = self._screen.session
        if session is None:
            return
        try:
            playlist = await session.client.get_playlist(playlist_id)
        except Exception as exc:
            self._problem(view, exc)
            return
        finally:
            self._screen.rate_seen()
        if view.is_attached:
            view.show_playlist(playlist)

    def remove_tracks(self, view: PlaylistsScreen, playlist_id: str, ids: list[str]) -> None:
        async def remove() -> None:
            session = self._screen.session
            if session is not None:
                result = await session.client.remove_from_playlist(playlist_id, ids)
                view.show_results(result, "removed")

        self._run(self._change(view, playlist_id, remove()), "playlists")

    def move_tracks(
        self, view: PlaylistsScreen, playlist_id: str, ids: list[str], target_id: str
    ) -> None:
        async def move() -> None:
            session = self._screen.session
            if session is None:
                return
            result = await session.client.move_tracks(playlist_id, ids, target_id)
            view.show_results(result, "moved")

        self._run(self._change(view, playlist_id, move()), "playlists")

    def add_to_open(self, view: PlaylistsScreen, playlist_id: str, ids: list[str]) -> None:
        async def add() -> None:
            session = self._screen.session
            if session is None:
                return
            result = await session.client.add_to_playlist(playlist_id, ids)
            view.show_results(result, "added")

        self._run(self._change(view, playlist_id, add()), "playlists")

    async def _change(
        self, view: PlaylistsScreen, playlist_id: str, change: Coroutine[Any, Any, None]
    ) -> None:
        """Make a change, then show the playlist and the counts as they are now."""
        try:
            await change
        except Exception as exc:
            self._problem(view, exc)
            return
        finally:
            self._screen.rate_seen()
        await self._open_into(view, playlist_id)
        await self._list_into(view)

    def play_from_playlist(self, view: PlaylistsScreen, generation: Generation) -> None:
        """Play the open playlist as a queue from `generation` (its finished tracks)."""
        playback = self._playback()
        if playback is None:
            return
        from fttui.audio.from_api import track_for

        playlist = view.open_playlist
        rows = playlist.tracks if playlist is not None else [generation]
        tracks = [t for t in map(track_for, rows) if t is not None]
        ids = [t.id for t in tracks]
        if generation.id not in ids:
            view.say_problem(f"“{clean(generation.display_title)}” has no audio yet.")
            return
        playback.play_tracks(tracks, ids.index(generation.id))

    # --- add from the list ------------------------------------------------------------

    def add_to_playlist(self, ids: Sequence[str]) -> None:
        """Ask which playlist (listed from the server), then add `ids` to it."""
        picker = PlaylistPicker(len(ids))
        titles = {i: self._title(i) for i in ids}

        def chosen(playlist_id: str | None) -> None:
            if playlist_id is not None:
                self._run(self._add_from_list(playlist_id, list(ids), titles), "playlists")

        self._screen.app.push_screen(picker, chosen)
        self._run(self._fill_picker(picker), "playlists")

    async def _fill_picker(self, picker: PlaylistPicker) -> None:
        session = self._screen.session
        if session is None:
            picker.dismiss(None)
            self._screen.notify("Enter an API key first.", severity="warning")
            return
        try:
            playlists = await session.client.list_playlists()
        except Exception as exc:
            picker.dismiss(None)
            self._screen.show_problem(exc)
            return
        finally:
            self._screen.rate_seen()
        if picker.is_attached:
            picker.show_playlists(playlists)

    async def _add_from_list(
        self, playlist_id: str, ids: list[str], titles: dict[str, str]
    ) -> None:
        screen = self._screen
        session = screen.session
        if session is None:
            return
        try:
            result = await session.client.add_to_playlist(playlist_id, ids)
        except Exception as exc:
            screen.show_problem(exc)
            return
        finally:
            screen.rate_seen()
        screen.listing.clear_marks()
        failed = result.failed
        lines = [f"Added {_tracks(len(result.succeeded))} to the playlist."]
        lines += [
            f"“{titles.get(i, i)}”: {clean(why).rstrip('.') or 'failed'}."
            for i, why in failed.items()
        ]
        if result.lost_answer_note:
            lines.append(result.lost_answer_note)
        screen.notify(
            "\n".join(lines),
            title="Playlist",
            severity="warning" if failed else "information",
            markup=False,
        )

    # --- helpers ----------------------------------------------------------------------

    async def _fetch_into(
        self,
        view: PlaylistsScreen | SoundEffectsScreen,
        fetch: Callable[[FinetuningClient], Awaitable[_T]],
        show: Callable[[_T], None],
    ) -> None:
        """Ask the server (`fetch`) and hand the answer to `view` (`show`), if still open;
        a failure is said on `view`."""
        session = self._screen.session
        if session is None:
            view.say_problem("Not connected: enter an API key first.")
            return
        try:
            answer = await fetch(session.client)
        except Exception as exc:
            self._problem(view, exc)
            return
        finally:
            self._screen.rate_seen()
        if view.is_attached:
            show(answer)

    def _run(self, work: Coroutine[Any, Any, None], group: str) -> None:
        self._screen.run_worker(work, group=group, description=group, exit_on_error=False)

    def _playback(self) -> Playback | None:
        app = cast("FttuiApp", self._screen.app)
        return app.playback if app.is_started else None

    def _title(self, generation_id: str) -> str:
        for generation in self._screen.listing.rows:
            if generation.id == generation_id:
                return clean(generation.display_title)
        return generation_id

    def _playlist_views(self) -> list[PlaylistsScreen]:
        return [s for s in self._screen.app.screen_stack if isinstance(s, PlaylistsScreen)]

    def _problem(self, view: PlaylistsScreen | SoundEffectsScreen, exc: BaseException) -> None:
        """Say a failed request on the screen it was for (a key problem on the main one)."""
        problem = explain(exc)
        if problem.ask_for_key:
            self._screen.show_problem(exc)
        if view.is_attached:
            # Nothing retries a request of this screen by itself: say so, not the banner's
            # "retrying", and never a bare "{seconds}".
            offline = "Offline: can't reach the server. Try again once it answers."
            view.say_problem(offline if problem.kind == "offline" else problem.said_once)
