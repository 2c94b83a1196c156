"""The main screen's frame and what each of its parts uses: the panes, the problems
shown, the list's pages from the cache, the draft, a generation the server accepted.

`MainScreen` (main.py) is built on it, with the batches of variations (main_batches.py)
in between: each part only calls the ones below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.timer import Timer

from fttui.api import errors
from fttui.audio.remote import is_remote_session
from fttui.session.conditions import Conditions
from fttui.session.problems import Problem, explain
from fttui.tui.draft import Draft
from fttui.tui.quitting import quiet_when_quitting
from fttui.tui.screens.detail import DetailScreen
from fttui.tui.widgets.account_header import AccountHeader, RateHeadroom
from fttui.tui.widgets.banner import Banner
from fttui.tui.widgets.browse_pane import BrowsePane
from fttui.tui.widgets.footer import SteadyFooter
from fttui.tui.widgets.generation_detail import GenerationDetail
from fttui.tui.widgets.generation_form import GenerationForm
from fttui.tui.widgets.generation_list import GenerationList

if TYPE_CHECKING:
    # Annotations only: the session brings the client and SQLite, the models pydantic,
    # none of them needed for the first frame (the app imports them once it is drawn).
    from fttui.api.models import Generation, StatusFilter
    from fttui.session.session import Session
    from fttui.tui.library import Library


PAGE_SIZE = 50
"""Rows of a list page, from the cache (and read early, before the session, at start)."""
DRAFT_DELAY = 0.5
"""Seconds of quiet typing before the draft is written."""
KEY_HINT = " Press ctrl+k to enter one."


class MainScreenBase(Screen[None]):
    """Form on the left, list and detail on the right; one pane at a time when narrow."""

    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Textual's own declaration is a plain list
        (0, "-narrow"),
        (110, "-wide"),
    ]
    # The list has the keyboard from the start: focusing the form's first field and then
    # the table would restyle both panes twice before the first frame.
    AUTO_FOCUS = "#table"

    def __init__(self, *, draft: Draft, demo: bool) -> None:
        super().__init__()
        self.session: Session | None = None
        self._draft = draft
        self._demo = demo
        self._draft_timer: Timer | None = None
        self._account_timer: Timer | None = None
        self.conditions = Conditions()  # what the banner shows and what blocks submit
        self._library: Library | None = None  # with its screens, on first use
        self._unsaved: dict[str, Any] | None = None
        self._key_reason = ""  # why a key is needed, shown in the banner and the dialog

    @property
    def library(self) -> Library:
        """Delete, playlists and sound effects: imported, with their screens, on first use."""
        if self._library is None:
            from fttui.tui.library import Library

            self._library = Library(self)
        return self._library

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="header")
        yield Banner(conditions=self.conditions, id="banner")
        with Horizontal(id="body"):
            form = GenerationForm(id="form")
            form.border_title = "New generation"
            yield form
            yield BrowsePane(id="browse")
        yield Container(id="player-slot")  # the app's `Playback` mounts its bar here
        yield SteadyFooter()

    # --- panes ------------------------------------------------------------------------

    @property
    def header(self) -> AccountHeader:
        return self.query_one(AccountHeader)

    @property
    def banner(self) -> Banner:
        return self.query_one(Banner)

    @property
    def form(self) -> GenerationForm:
        return self.query_one(GenerationForm)

    @property
    def listing(self) -> GenerationList:
        return self.query_one(GenerationList)

    @property
    def detail(self) -> GenerationDetail:
        return self.query_one("#detail", GenerationDetail)

    def on_resize(self, event: events.Resize) -> None:
        # Repaint the whole screen with the layout this resize brings. The first resize
        # after the app's start-up batch makes the first frame that reaches the terminal,
        # and what was drawn inside that batch was never written, yet counts as drawn:
        # without this, that frame holds only what changed since (the header and the
        # footer), and the panes' frames and titles follow one refresh (~8 ms) later.
        # (`refresh()` would not do: a screen's repaint waits for its update timer.) A
        # later resize changes the layout, and so repaints the whole screen anyway.
        # `_dirty_widgets` is Textual's (8.2.8) set of widgets to repaint, which the layout
        # run next by `Screen._on_resize` (after this handler: subclass first) turns into
        # the regions it draws; the screen in it means all of it. Were it to change, the
        # first frame would only be partial again, as before, not wrong.
        self._dirty_widgets.add(self)

    def on_mount(self) -> None:
        self.header.demo = self._demo
        self.header.remote = is_remote_session()
        if self._key_reason:
            self.key_problem(self._key_reason)  # said before the panes existed
        self.form.load(self._draft.load())  # the tags now, the rest with `complete`
        self.listing.focus_table()

    async def complete(self) -> None:
        """Mount what the first frame leaves out: the form's other fields, the search box
        and the status filter. The app calls it once that frame is on the terminal."""
        await self.form.complete()
        await self.listing.complete()
        self.update_blocked()  # a banner may have said why before the button was there

    @property
    def is_complete(self) -> bool:
        """Whether every pane is mounted in full (see `complete`)."""
        return self.form.is_complete and self.listing.is_complete

    @work(exclusive=True, group="watcher")
    async def run_watcher(self) -> None:
        """The one watcher: it polls only while something is in progress."""
        if self.session is not None:
            await self.session.watcher.run()

    def rate_seen(self) -> None:
        """Show the rate-limit headroom the last answer reported."""
        # Called from the workers' `finally`, also when the app quits and cancels them:
        # by then the header may be gone already.
        headers = self.query(AccountHeader)
        if self.session is not None and headers:
            headers.first().rate = RateHeadroom.from_status(self.session.client.rate)

    def count_running(self) -> None:
        """Show how many generations are in progress."""
        if self.session is not None:
            self.header.in_progress = len(self.session.watcher.in_flight)

    # --- problems -------------------------------------------------------------------------

    def show_problem(self, exc: BaseException) -> Problem:
        """Show `exc` where the user is looking; returns how it was presented."""
        host = urlsplit(self.session.base_url).hostname if self.session else None
        problem = explain(exc, host=host or "the server")
        if problem.kind == "offline":
            self.header.stale = True  # its numbers are from before the connection went
            self.header.note = "offline"
        if problem.ask_for_key:
            self.key_problem(problem.text)
            self.app.call_later(self.app.run_action, "api_key")
        else:
            self.banner.set(
                problem.kind, problem.text, severity=problem.severity, seconds=problem.seconds
            )
        self.update_blocked()
        return problem

    def key_problem(self, reason: str) -> None:
        """Say that a (working) key is needed and why; safe to call before mounting."""
        self._key_reason = reason
        if not self.is_mounted:
            return
        self.banner.set("key", reason + KEY_HINT, severity="error")
        has_key = self.session is not None and self.session.key is not None
        self.header.note = "API key refused" if has_key else "no API key"
        self.update_blocked()

    @property
    def key_reason(self) -> str:
        """Why a key is needed (empty when none is), for the key dialog, which needs no hint."""
        return self._key_reason if "key" in self.conditions else ""

    def update_blocked(self) -> None:
        """Disable submitting while a banner says it cannot work, with the reason."""
        self.form.blocked = self.conditions.submit_blocked_reason()

    # --- the list -------------------------------------------------------------------------

    def reload_list(self) -> None:
        """Show the first page of the cache for the current search and filter."""
        if self.session is None:
            return
        listing = self.listing
        page = self.session.cached_page(
            status=listing.status_filter, query=listing.query_text, limit=PAGE_SIZE
        )
        listing.show(page.rows, total=page.total, exhausted=page.exhausted)

    @on(GenerationList.QueryChanged)
    def _query_changed(self, event: GenerationList.QueryChanged) -> None:
        self.reload_list()

    @on(GenerationList.NeedMore)
    def _need_more(self, event: GenerationList.NeedMore) -> None:
        if self.session is None:
            return
        page = self.session.cached_page(
            event.offset, status=event.status, query=event.query, limit=PAGE_SIZE
        )
        if page.rows:
            self.listing.append(page.rows, total=page.total, exhausted=page.exhausted)
        elif not page.exhausted:
            self.listing.set_loading(True)
            self.load_older(event.status)

    @work(exclusive=True, group="older")
    @quiet_when_quitting
    async def load_older(self, status: StatusFilter | None) -> None:
        """The cache ran out: fetch the next page from the server, then show it."""
        if self.session is None:
            return
        try:
            await self.session.load_more(status)
        except Exception as exc:
            self.show_problem(exc)
            self.listing.set_loading(False)
            return
        finally:
            self.rate_seen()
        listing = self.listing
        page = self.session.cached_page(
            len(listing.rows),
            status=listing.status_filter,
            query=listing.query_text,
            limit=PAGE_SIZE,
        )
        listing.append(page.rows, total=page.total, exhausted=page.exhausted)

    @on(GenerationList.Highlighted)
    def _highlighted(self, event: GenerationList.Highlighted) -> None:
        if event.generation is None and self.listing.showing_last_seen:
            self.detail.show_loading()  # a cached row is under the cursor: not "select one"
        else:
            self.detail.show(event.generation)

    @on(GenerationList.Opened)
    def _opened(self, event: GenerationList.Opened) -> None:
        if self.has_class("-narrow"):
            self.app.push_screen(DetailScreen(event.generation))
        self.fetch_detail(event.generation.id)

    @work(group="detail")
    @quiet_when_quitting
    async def fetch_detail(self, generation_id: str) -> None:
        """Every field (file size, error message…) comes only with the single GET."""
        if self.session is None:
            return
        session = self.session
        try:
            generation = await session.client.get_generation(generation_id)
        except errors.NotFound:
            session.vanished(generation_id)
            return
        except Exception as exc:
            self.show_problem(exc)
            return
        finally:
            self.rate_seen()
        session.updated(generation)

    # --- the form ---------------------------------------------------------------------------

    @on(GenerationForm.Changed)
    def _form_changed(self, event: GenerationForm.Changed) -> None:
        # Debounced: the file is written once typing pauses, not on every key.
        self._unsaved = event.fields
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> None:
        """Write the form to the draft file now."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        forms = self.query(GenerationForm)  # gone already when the app is shutting down
        if forms:
            self._unsaved = forms.first().fields()
        if self._unsaved is not None:
            self._draft.save(self._unsaved)
            self._unsaved = None

    def accepted(
        self, generation: Generation, credits_remaining: int | None, *, select: bool = True
    ) -> None:
        """The server created `generation`: show it (selected), watch it, count the credit.

        The form is left alone: only its own submission resets it (`form.after_submitted`),
        not one found in the background or a batch's take."""
        if self.session is None:
            return
        self.session.remember(generation)
        self.session.follow(generation)
        self.header.credits_remaining(credits_remaining)
        self.reload_list()
        if select:
            self.listing.move_to(generation.id)
        self.count_running()
        self.run_watcher()
