"""The preview player inside the app: one `Player` for the app's life, and the player keys.

Not a widget: the app owns one `Playback` and its player actions land here (the keys
are bound on the browse pane). Whatever touches the device, the network or the disk
runs in a worker, and whatever goes wrong ends in the player bar or a notification:
a player error must never take the app down.

Where sound cannot be heard here (an SSH session, no audio device) the play key offers
what does work for the user instead: the link on their own clipboard, or the file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from textual.app import App
from textual.widget import Widget

from fttui.api.models import Generation
from fttui.audio.backends import Backend, select_backend
from fttui.audio.cache import AudioCache
from fttui.audio.download import MediaFetcher
from fttui.audio.from_api import track_for
from fttui.audio.player import Player, PlayerState, adjacent
from fttui.audio.remote import is_remote_session, remote_host, scp_line, strip_controls
from fttui.audio.save import save_generation
from fttui.audio.track import Track
from fttui.config import Settings
from fttui.tui.screens.remote_play import (
    LINK_COPIED,
    RemoteChoice,
    RemoteFileScreen,
    RemotePlayScreen,
)
from fttui.tui.text import clean
from fttui.tui.widgets.generation_list import GenerationList
from fttui.tui.widgets.player_bar import PlayerBar

log = logging.getLogger(__name__)

REMOTE_REASON = "You are connected over SSH: sound would play on the remote machine, not yours."
NO_DEVICE_REASON = "No audio device here."
COPIED = LINK_COPIED


def no_audio_reason(generation: Generation) -> str:
    """Why `generation` cannot be played, saved or linked yet, in the user's words."""
    title = clean(generation.display_title)
    status = clean(generation.status.lower())
    if generation.in_progress:
        return f"“{title}” is still {status}: it has no audio yet."
    if status == "failed":
        return f"“{title}” failed: there is no audio to play."
    return f"“{title}” has no audio."


class Playback:
    """The app's player, its bar, and what each player key does."""

    def __init__(self, app: App[Any], settings: Settings, backend: Backend | None = None) -> None:
        self._app = app
        self._fetcher = MediaFetcher(AudioCache(max_bytes=settings.audio_cache_mb * 2**20))
        self.player = Player(backend or select_backend(settings.player_backend), self._fetcher)
        directory = settings.download_dir
        self._download_dir = directory.expanduser() if directory is not None else None
        self._bar: PlayerBar | None = None
        self._slot: Widget | None = None
        self._unsubscribe: Callable[[], None] | None = None
        # One player command at a time: two `play`s interleaving could each start a stream.
        self._lock = asyncio.Lock()
        self._wanted: str | None = None  # the track the latest play key asked for
        self._saving: set[str] = set()
        self._here_anyway = False  # over SSH, the user chose to play on this machine

    # --- the bar ----------------------------------------------------------------------

    async def attach(self, slot: Widget) -> None:
        """Mount the player bar in `slot` and keep it showing the player's state."""
        bar = PlayerBar(poll=self._poll, id="player-bar")
        await slot.mount(bar)
        self._bar = bar
        self._slot = slot
        self._unsubscribe = self.player.subscribe(bar.show)
        bar.show(self._poll())

    def _poll(self) -> PlayerState:
        # Called from the bar's timer: an exception here would end the app.
        try:
            return self.player.state
        except Exception as error:
            log.exception("reading the player's state failed")
            return PlayerState(status="error", message=f"Player error: {error}")

    def _refresh(self) -> None:
        # For changes the player does not announce (a seek): the bar polls only while playing.
        if self._bar is not None:
            self._bar.show(self._poll())

    def _failed(self, error: BaseException) -> None:
        log.error("player command failed", exc_info=error)
        if self._bar is not None:
            state = replace(self._poll(), status="error", message=f"Player error: {error}")
            self._bar.show(state)

    # --- the keys ---------------------------------------------------------------------

    def play_pause(self, generation: Generation | None) -> None:
        """Play the selected generation, or pause / resume it if it is the one loaded."""
        if generation is None:
            if self.player.track is None:
                self._app.notify("Select a finished generation to play.", severity="warning")
            else:
                self._run(self._locked(self.player.play_pause()))
            return
        track = self._track_or_say_why(generation)
        if track is None:
            return
        loaded = self.player.track
        if loaded is not None and loaded.id == track.id:
            self._wanted = track.id
            if not self._offered_remote(track):
                self._run(self._play(track, toggle=True))
            return
        tracks, start = self._list_queue(track)
        self.play_tracks(tracks, start)

    def play_tracks(self, tracks: Sequence[Track], start: int = 0) -> None:
        """Play `tracks` as a queue from `start` (the list's, or a playlist's)."""
        if not tracks:
            self._app.notify("Nothing to play here.", severity="warning")
            return
        start = min(max(0, start), len(tracks) - 1)
        track = tracks[start]
        self._wanted = track.id
        if not self._offered_remote(track):
            self._run(self._play(track, toggle=False, queue=(list(tracks), start)))

    def _list_queue(self, track: Track) -> tuple[list[Track], int]:
        """The list's finished generations from `track` on, in list order."""
        listing = self._listing()
        rows = listing.rows if listing is not None else []
        tracks = [t for t in map(track_for, rows) if t is not None]
        ids = [t.id for t in tracks]
        if track.id not in ids:
            return [track], 0
        return tracks[ids.index(track.id) :], 0

    def _listing(self) -> GenerationList | None:
        if self._slot is None:
            return None
        found = self._slot.screen.query(GenerationList)
        return found.first() if found else None

    def stop(self) -> None:
        """Stop and rewind (and forget a play key not yet carried out)."""
        self._wanted = None
        if self._say_why_not("stop"):
            return
        self._run(self._locked(self.player.stop()))

    def seek(self, seconds: float) -> None:
        """Move `seconds` forward (negative: back) in the track playing."""
        if self._say_why_not("seek"):
            return
        self._safely(self.player.seek, seconds)

    def change_volume(self, delta: float) -> None:
        """Raise the volume by `delta` (negative: lower it)."""
        if self._say_why_not("volume"):
            return
        self._safely(self.player.change_volume, delta)

    def toggle_mute(self) -> None:
        """Silence the player, or bring its sound back."""
        if self._say_why_not("volume"):
            return
        self._safely(lambda _: self.player.toggle_mute(), 0.0)

    def toggle_repeat(self) -> None:
        """Start the queue over after its last track, or stop there."""
        self._safely(lambda _: self.player.toggle_repeat(), 0.0)
        self._app.notify("Repeat on." if self.player.state.repeat else "Repeat off.")

    def toggle_shuffle(self) -> None:
        """Play the rest of the queue in a random order, or in list order."""
        self._safely(lambda _: self.player.toggle_shuffle(), 0.0)
        self._app.notify("Shuffle on." if self.player.state.shuffle else "Shuffle off.")

    def _say_why_not(self, action: str) -> bool:
        """Say why `action` cannot be done now, if it cannot; True when it cannot."""
        state = self.player.state
        if state.device_ok is False:
            reason = f"{clean(state.message) or NO_DEVICE_REASON} Nothing plays here."
        elif action != "volume" and state.status not in ("playing", "paused", "loading"):
            reason = "Nothing is playing: select a finished generation and press space."
        else:
            return False
        self._app.notify(reason, severity="warning", markup=False)
        return True

    def step(self, listing: GenerationList, step: int) -> None:
        """Play the finished generation `step` rows from the current one; select it."""
        tracks = [track for track in map(track_for, listing.rows) if track is not None]
        loaded = self.player.track
        selected = listing.selected
        # From the track asked for last, else the one loaded, else the selected row.
        current = self._wanted or (loaded.id if loaded else None)
        if current is None and selected is not None:
            current = selected.id
        target = adjacent(tracks, current, step)
        if target is None:
            where = "next" if step > 0 else "previous"
            self._app.notify(f"No {where} finished generation in the list.")
            return
        listing.move_to(target.id)
        tracks, start = self._list_queue(target)
        self.play_tracks(tracks, start)

    def download(self, generation: Generation | None) -> None:
        """Save the generation's audio, tagged, in the music folder."""
        track = self._track_or_say_why(generation)
        if track is not None:
            self.save(track)

    def copy_link(self, generation: Generation | None) -> None:
        """Put the generation's audio link on the user's clipboard (OSC 52)."""
        track = self._track_or_say_why(generation)
        if track is not None:
            self._app.copy_to_clipboard(strip_controls(track.audio_url))
            self._app.notify(COPIED)

    def save(self, track: Track) -> None:
        """Save `track` in a worker and say where it went."""
        title = clean(track.title)
        if track.id in self._saving:
            self._app.notify(f"“{title}” is already being saved.", markup=False)
            return
        self._saving.add(track.id)
        self._app.notify(f"Saving “{title}”…", markup=False)
        self._app.run_worker(
            self._save(track), group="save", description=f"save {track.id}", exit_on_error=False
        )

    async def close(self) -> None:
        """Stop playing and release the device and the downloads (the app is ending)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._bar = None
        try:
            await self.player.close()
        except Exception:
            log.exception("closing the player failed")

    # --- inside -----------------------------------------------------------------------

    def _track_or_say_why(self, generation: Generation | None) -> Track | None:
        if generation is None:
            self._app.notify("Select a finished generation first.", severity="warning")
            return None
        track = track_for(generation)
        if track is None:
            self._app.notify(no_audio_reason(generation), severity="warning", markup=False)
        return track

    def _offered_remote(self, track: Track) -> bool:
        """Offer link and download instead of playing where no one would hear it."""
        state = self.player.state
        if is_remote_session() and not self._here_anyway:
            reason = REMOTE_REASON
        elif state.device_ok is False:
            reason = clean(state.message) or NO_DEVICE_REASON
        else:
            return False
        # The bar names the track the keys (and this offer) are about.
        self.player.load(track)
        screen = RemotePlayScreen(track.title, track.audio_url, reason)
        self._app.push_screen(screen, partial(self._remote_chosen, track))
        return True

    def _remote_chosen(self, track: Track, choice: RemoteChoice | None) -> None:
        # "copied": the screen itself copied the link and said so.
        if choice == "download":
            self.save(track)
        elif choice == "play":
            # An SSH session into one's own machine: its speakers are the user's.
            self._here_anyway = True
            self._wanted = track.id
            self._run(self._play(track, toggle=False, queue=self._list_queue(track)))

    async def _play(
        self, track: Track, *, toggle: bool, queue: tuple[list[Track], int] | None = None
    ) -> None:
        async with self._lock:
            if self._wanted != track.id:
                return  # a later key asked for another track (or stop): skip this one
            if queue is not None:
                await self.player.play_queue(*queue)
            elif toggle:
                await self.player.play_pause(track)
            else:
                await self.player.play(track)
        if self.player.state.device_ok is False:
            # The first try found no device: the bar says so; offer what works instead.
            self._offered_remote(track)

    async def _locked(self, command: Coroutine[Any, Any, None]) -> None:
        async with self._lock:
            await command

    def _run(self, command: Coroutine[Any, Any, None]) -> None:
        self._app.run_worker(
            self._guarded(command), group="player", description="player", exit_on_error=False
        )

    async def _guarded(self, command: Coroutine[Any, Any, None]) -> None:
        try:
            await command
        except Exception as error:
            self._failed(error)

    def _safely(self, control: Callable[[float], None], value: float) -> None:
        try:
            control(value)
        except Exception as error:
            self._failed(error)
        else:
            self._refresh()

    async def _save(self, track: Track) -> None:
        title = clean(track.title)
        try:
            path = await save_generation(track, self._fetcher, self._download_dir)
        except Exception as error:
            log.exception("saving %s failed", track.id)
            self._app.notify(
                f"Could not save “{title}”: {error}",
                title="Download failed",
                severity="error",
                markup=False,
            )
            return
        finally:
            self._saving.discard(track.id)
        if is_remote_session():
            # The file is on the machine fttui runs on: say so, and how to fetch it.
            host = remote_host()
            self._app.push_screen(RemoteFileScreen(track.title, str(path), host, scp_line(path)))
            return
        self._app.notify(f"Saved “{title}” to {path}", title="Downloaded", markup=False)
