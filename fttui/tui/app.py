"""The Textual app: wiring and app-wide bindings. The panes own their behaviour."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from fttui.api.key import ApiKey
from fttui.clock import SYSTEM_CLOCK, Clock
from fttui.config import ConfigFileError, Settings, save_api_key, save_settings
from fttui.tui.commands import BindingCommands, LibraryCommands, ThemeChoices
from fttui.tui.draft import Draft
from fttui.tui.quitting import quiet_when_quitting, unless_quitting
from fttui.tui.screens.help import HelpScreen
from fttui.tui.screens.key_entry import KeyEntryScreen
from fttui.tui.screens.main import MainScreen
from fttui.tui.screens.main_base import PAGE_SIZE

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    # Imported when first used, after the first frame: the client (httpx, the API's
    # pydantic models), SQLite and the player (miniaudio, mutagen) are not needed to
    # draw it.
    from fttui.audio.backends import Backend
    from fttui.session.session import Session
    from fttui.store import GenerationStore
    from fttui.store.last_seen import LastSeen
    from fttui.tui.playback import Playback


def _load_models() -> None:
    """Import the API's models (pydantic): the form's rules and choices need them; and
    the session (httpx, SQLite), which shows the cached rows next."""
    import fttui.api.models
    import fttui.session.session
    import fttui.store.database  # noqa: F401


def _read_last_seen(store_path: Path | None) -> LastSeen | None:
    """The cache's first page and last account, read without pydantic or httpx."""
    from fttui import locations
    from fttui.store.last_seen import read_last_seen

    try:
        path = store_path if store_path is not None else locations.database_file()
    except OSError:  # no folder for it: the store proper says why, later
        return None
    return read_last_seen(path, PAGE_SIZE)


def _build_playback(app: FttuiApp, settings: Settings, backend: Backend | None) -> Playback:
    """The app's player: its imports and its HTTP client (SSL context) take ~60 ms."""
    from fttui.tui.playback import Playback

    return Playback(app, settings, backend=backend)


class FttuiApp(App[int]):
    """fttui: make music with finetuning.ai from the keyboard."""

    TITLE = "fttui"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {BindingCommands, LibraryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys"),
        # In the help and the palette; the footer at 80 columns keeps room for `?`.
        Binding("ctrl+k", "api_key", "API key", show=False),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
    ]

    def __init__(
        self,
        *,
        settings: Settings,
        key: ApiKey | None,
        base_url: str,
        demo: bool = False,
        clock: Clock | None = None,
        store: GenerationStore | None = None,
        draft_path: Path | None = None,
        audio_backend: Backend | None = None,
        start_demo: Callable[[], str] | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        """`start_demo`, in demo mode: starts the simulator (blocking), returns its URL.
        `notices`: what start-up put right (a key file others could read), to show."""
        super().__init__()
        self._notices = tuple(notices)
        self.settings = settings
        self.key = key
        self.base_url = base_url
        self.demo = demo
        self.clock: Clock = clock or SYSTEM_CLOCK
        self._store = store
        self._start_demo = start_demo
        self.main = MainScreen(draft=Draft(draft_path), demo=demo)
        self.session: Session | None = None
        # One player for the app's life, built once the first frame is drawn (see
        # `playback`); `audio_backend` replaces settings.player_backend.
        self._audio_backend = audio_backend
        self._playback: Playback | None = None
        self._last_seen_read: asyncio.Future[LastSeen | None] | None = None  # from on_mount

    @property
    def is_started(self) -> bool:
        """Whether what follows the first frame is there: every pane in full, the player."""
        return self._playback is not None and self.main.is_complete

    @property
    def playback(self) -> Playback:
        """The preview player. It exists from just after the first frame, before the
        session starts (so by the time any row is listed); asked for sooner, it raises."""
        if self._playback is None:
            raise RuntimeError("the player is built once the first frame is drawn")
        return self._playback

    async def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # The screen's breakpoint class, set before it mounts: found by Textual only at
        # the first resize, it would restyle every widget once more before the first frame.
        self.main.add_class(_breakpoint_class(self.main, self.size.width))
        # The cache's first page is read in a thread while the first frame is built
        # (SQLite works without the GIL), to be drawn as soon as that frame is out.
        store_path = self._store.path if self._store is not None else None
        self._last_seen_read = asyncio.ensure_future(asyncio.to_thread(_read_last_seen, store_path))
        # The first frame that reaches the terminal paints the whole screen: see
        # `MainScreen.on_resize`.
        await self.push_screen(self.main)

    def on_ready(self, event: events.Ready) -> None:
        # The first frame shows the screen's frames and the tags, nothing more: the
        # rest of the panes, the player bar, the cache and the network all wait until it
        # is on the terminal. Not from `on_mount`: everything there runs inside the
        # app's start-up batch, before anything is drawn, and so would a callback
        # scheduled from it. `Ready` comes once that batch is over; the callback then
        # runs after the screen's next refresh, the first one that reaches the terminal.
        self.main.call_after_refresh(self._start_after_first_frame)
        for notice in self._notices:
            self.notify(_sentence(notice), severity="warning", timeout=15)

    def _start_after_first_frame(self) -> None:
        # A worker, not awaited here: the screen runs its callbacks in its own message
        # loop, which could not redraw (the rest of the panes, as they mount) until the
        # callback returned.
        self.run_worker(self._after_first_frame(), group="startup", description="startup")

    async def _after_first_frame(self) -> None:
        # What the user came for first: the cache's first page and the last-known account,
        # read in a few milliseconds without pydantic or httpx, drawn before those load.
        await self._show_last_seen()
        if not self.is_running:
            return
        # In a thread, so the screen stays live meanwhile (keys, the tags field): the
        # imports and the player's construction are the slow part of what follows.
        await asyncio.to_thread(_load_models)
        if not self.is_running:  # quit meanwhile: mounting now would race the teardown
            return
        if self._store is None:
            from fttui.store import GenerationStore

            self._store = GenerationStore()
        # What the user came for first: the cached rows and the last-known account (marked
        # stale), from a session that sends nothing; the rest of the form, the player and
        # the network follow.
        await self._start_session(None, False, preview=self.key is not None or self.demo)
        if not self.is_running:
            return
        # Drawn before the form's other fields mount, not in the same frame as them.
        drawn = asyncio.Event()
        self.main.call_after_refresh(drawn.set)
        await drawn.wait()
        # A quit between the check above and the panes mounting ends this quietly.
        await unless_quitting(self.main, self.main.complete())
        if not self.is_running:
            return
        playback = await asyncio.to_thread(
            _build_playback, self, self.settings, self._audio_backend
        )
        if not self.is_running:  # quit within the first frames
            await playback.close()
            return
        self._playback = playback
        await playback.attach(self.main.query_one("#player-slot"))
        # What start-up built (modules, widgets, models) lives as long as the app. Out
        # of the collector's sight, a full collection no longer walks all of it, which
        # otherwise stalled one search keystroke in ten by 50-120 ms.
        gc.freeze()
        if self._start_demo is not None:
            # A worker: the app's queue (keys, the palette) goes on while the simulator starts.
            self.run_worker(self._start_demo_session(), group="session")
        elif self.key is None and not self.demo:
            self.main.key_problem("No API key yet.")
            self._show_cache_only()
            self.action_api_key()
        else:
            self.call_later(self._start_session, self.key)

    async def _show_last_seen(self) -> None:
        """Draw the cache as last seen (marked stale) until the session takes over with the
        same rows from its models; returns once that is on the terminal."""
        seen = await self._last_seen_read if self._last_seen_read is not None else None
        if seen is None or not self.is_running or self.main.session is not None:
            return
        listing = self.main.listing
        listing.set_clock(self.clock.now)
        listing.batch_labels = seen.batch_labels
        listing.show_last_seen(seen.rows, total=seen.total, exhausted=seen.exhausted)
        if listing.showing_last_seen:
            self.main.detail.show_loading()  # not "select a generation" beside a cursor
        if seen.account is not None and (self.key is not None or self.demo):
            # As the session's preview shows it: stale until the server answers.
            self.main.header.last_seen = seen.account
            self.main.header.stale = True
        # Drawn before the imports start: in their thread they would slow this frame.
        drawn = asyncio.Event()
        self.main.call_after_refresh(drawn.set)
        await drawn.wait()

    def _show_cache_only(self) -> None:
        # Browsing the cache needs no key: a session without one never sends a request.
        self.call_later(self._start_session, None, False)

    async def _api_url(self) -> str:
        """The API's base URL; in demo mode, once the simulator serves."""
        if self._start_demo is not None and not self.base_url:
            # In a thread: its imports and start would freeze the screen for a moment.
            self.base_url = await asyncio.to_thread(self._start_demo)
        return self.base_url

    async def _start_demo_session(self) -> None:
        # The last demo's rows are shown from the cache already; the simulator takes a second.
        await self._start_session(self.key)

    @quiet_when_quitting
    async def _start_session(
        self, key: ApiKey | None, connect: bool = True, *, preview: bool = False
    ) -> None:
        from fttui.session.session import Session

        # A session that never connects needs no simulator (the demo's cache at start),
        # just an address that passes the client's checks: it is never contacted.
        base_url = await self._api_url() if connect else self.base_url or "http://127.0.0.1"
        if self.session is not None:
            await self.session.close()
        assert self._store is not None
        self.session = Session(
            key=key,
            base_url=base_url,
            store=self._store,
            clock=self.clock,
            emit=self.main.session_event,
            conditions=self.main.conditions,
        )
        await self.session.open()
        self.main.attach(self.session, connect=connect, preview=preview)

    async def action_quit(self) -> None:
        """Quit; with a batch of variations half sent, ask first."""
        if not self.main.ask_before_quitting():
            self.exit()

    async def on_unmount(self) -> None:
        self.main.save_draft()
        if self._playback is not None:
            await self._playback.close()
        if self.session is not None:
            await self.session.close()
        if self._store is not None:
            self._store.close()

    def _remember_theme(self, theme: Any) -> None:
        if theme.name != self.settings.theme:
            self.settings.theme = theme.name
            self._save_setting("the theme", lambda: save_settings({"theme": theme.name}))

    def _save_setting(self, what: str, save: Callable[[], object]) -> bool:
        """Write to the config file; a failure is said in the app, never a crash."""
        try:
            save()
        except (ConfigFileError, OSError) as exc:
            log.warning("could not save %s: %s", what, exc)
            self.notify(f"Could not save {what}: {exc}.", severity="error", timeout=15)
            return False
        return True

    def _fatal_error(self) -> None:
        """Textual's crash report, without the frames' local variables.

        Textual shows them by default, and a frame may hold the key in the clear (a
        library's, or ours by mistake). The report, redacted, also goes to the log."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        log.critical("the app crashed", exc_info=sys.exc_info())
        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    # --- actions ----------------------------------------------------------------------

    def action_help(self) -> None:
        """Every key, grouped by where it works."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.main))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's "Keys" opens its own key panel: fttui's `?` is the palette's "Keys".
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    def action_change_theme(self) -> None:
        """The theme picker, opened on the theme in use."""
        from textual.command import CommandPalette

        self.push_screen(CommandPalette(providers=[ThemeChoices], placeholder="Search themes…"))

    def action_api_key(self) -> None:
        """Enter or replace the API key."""
        if isinstance(self.screen, KeyEntryScreen):
            return
        reason = self.main.key_reason
        self.push_screen(KeyEntryScreen(self._check_key, reason=reason), self._key_entered)

    async def _check_key(self, key: ApiKey) -> str | None:
        from fttui.api import errors
        from fttui.api.client import FinetuningClient

        try:
            async with FinetuningClient(key, await self._api_url(), clock=self.clock) as client:
                await client.me()
        except errors.ProPlanRequired:
            return None  # a real key: the plan message is shown on the main screen
        except errors.AuthError as exc:
            return f"The server rejected this key: {exc.message}"
        except errors.FttuiError as exc:
            return f"Could not check the key: {exc.message}"
        return None

    async def _key_entered(self, key: ApiKey | None) -> None:
        if key is None:
            return
        saved = not self.demo and self._save_setting(
            "the API key (it is used until you quit)", lambda: save_api_key(key)
        )
        self.key = key
        self.main.banner.clear("key")
        if saved or self.demo:
            self.notify("API key saved." if saved else "API key accepted.")
        await self._start_session(key)

    # --- the player: keys bound on the browse pane, so never while typing in the form ---
    # Each does nothing in the first few frames, before the player exists: the list has
    # no rows to play then either.

    def action_play_pause(self) -> None:
        """Play or pause the selected finished generation."""
        if self._playback is not None:
            self._playback.play_pause(self.main.listing.selected)

    def action_stop(self) -> None:
        """Stop playing and rewind."""
        if self._playback is not None:
            self._playback.stop()

    def action_seek(self, seconds: float) -> None:
        """Seek forward (or back, when negative) in the track playing."""
        if self._playback is not None:
            self._playback.seek(seconds)

    def action_volume(self, delta: float) -> None:
        """Raise (or lower, when negative) the volume."""
        if self._playback is not None:
            self._playback.change_volume(delta)

    def action_step(self, step: int) -> None:
        """Play the next (1) or previous (-1) finished generation of the list."""
        if self._playback is not None:
            self._playback.step(self.main.listing, step)

    def action_download(self) -> None:
        """Save the selected generation's audio, tagged, in the music folder."""
        if self._playback is not None:
            self._playback.download(self.main.listing.selected)

    def action_copy_link(self) -> None:
        """Copy the selected generation's audio link to the clipboard (OSC 52)."""
        if self._playback is not None:
            self._playback.copy_link(self.main.listing.selected)


def _breakpoint_class(screen: Screen[Any], width: int) -> str:
    """The class Textual's `HORIZONTAL_BREAKPOINTS` gives `screen` at `width` columns."""
    breakpoints = screen.HORIZONTAL_BREAKPOINTS or []
    return next((name for edge, name in sorted(breakpoints, reverse=True) if width >= edge), "")


def run_app(
    *,
    settings: Settings,
    key: ApiKey | None,
    base_url: str,
    demo: bool,
    clock: Clock | None = None,
    start_demo: Callable[[], str] | None = None,
    notices: Sequence[str] = (),
) -> int:
    """Run the app until the user quits; returns the exit code (1 after a crash)."""
    app = FttuiApp(
        settings=settings,
        key=key,
        base_url=base_url,
        demo=demo,
        clock=clock,
        start_demo=start_demo,
        notices=notices,
    )
    # Everything imported so far (Textual, the app's modules) lives as long as the
    # process. Out of the collector's sight, the full collection that start-up's
    # allocations trigger before the first frame walks only what start-up made, not
    # every module: it took 12-19 ms of the ~250 ms to that frame.
    gc.freeze()
    result = app.run()
    return exit_code(app, result)


def exit_code(app: App[Any], result: object) -> int:
    """The process's exit code: Textual's own (1 after an unhandled error), else the
    app's result. Never 0 after a crash, whatever the app returned."""
    if app.return_code:
        return app.return_code
    return result if isinstance(result, int) else 0


def _sentence(text: str) -> str:
    """`text` as a sentence: capitalised, with a full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
