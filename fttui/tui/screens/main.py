"""The main screen: account header, banner, form, list and detail, player bar.

It translates: what the panes ask for becomes session calls (client, cache, watcher,
submitting), run in workers; what the session tells (`fttui.session.events`) becomes
widget updates, in one place (`_session_event`). Errors go through `problems.explain`,
which says where and how each one is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from fttui.api import errors
from fttui.audio.remote import is_remote_session
from fttui.session import events as session_events
from fttui.session.conditions import Conditions
from fttui.session.presets import remix_fields
from fttui.session.problems import Problem, explain, retrying
from fttui.session.submitting import QUEUE_FULL
from fttui.session.text import clean
from fttui.tui.draft import Draft
from fttui.tui.library import Library
from fttui.tui.messages import SessionEvent
from fttui.tui.quitting import quiet_when_quitting, unless_quitting
from fttui.tui.screens.detail import DetailScreen
from fttui.tui.widgets.account_header import AccountHeader, RateHeadroom
from fttui.tui.widgets.banner import Banner
from fttui.tui.widgets.browse_pane import BrowsePane
from fttui.tui.widgets.generation_detail import GenerationDetail, failure_reason
from fttui.tui.widgets.generation_form import GenerationForm
from fttui.tui.widgets.generation_list import GenerationList

if TYPE_CHECKING:
    # Annotations only: the session brings the client and SQLite, the models pydantic,
    # none of them needed for the first frame (the app imports them once it is drawn).
    from fttui.api.client import RetryNotice
    from fttui.api.models import Generation, StatusFilter
    from fttui.session.backfill import HistoryProgress
    from fttui.session.session import Session
    from fttui.session.submitting import AnyRequest

if TYPE_CHECKING:  # variations
    from fttui.api.models import CreatedGeneration
    from fttui.session.batch import AtOnce, BatchPlan, BatchSender

DRAFT_DELAY = 0.5
"""Seconds of quiet typing before the draft is written."""
ACCOUNT_REFRESH_GAP = 20.0
"""At most one /v1/me per this many seconds when generations finish."""
LETTER_ACTIONS = frozenset(
    {
        "new",
        "list",
        "search",
        "remix",
        "submit_when_free",
        "quit_asking",
        "compare_batch",
        "playlists",
    }
)
"""Screen actions bound to a printable key: never while the user is in the form."""
KEY_HINT = " Press ctrl+k to enter one."


class MainScreen(Screen[None]):
    """Form on the left, list and detail on the right; one pane at a time when narrow."""

    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Textual's own declaration is a plain list
        (0, "-narrow"),
        (110, "-wide"),
    ]
    # The list has the keyboard from the start: focusing the form's first field and then
    # the table would restyle both panes twice before the first frame.
    AUTO_FOCUS = "#table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("ctrl+enter", "submit", "Submit", show=False, priority=True),
        Binding("n", "new", "Form"),
        Binding("l", "list", "List", show=False),  # esc too; the footer is full
        Binding("escape", "back", "Back to the list", show=False),
        Binding("slash", "search", "Search"),
        Binding("r", "remix", "Remix", show=False),  # the footer keeps room for `?`
        Binding("ctrl+r", "refresh", "Refresh", show=False),
        Binding("w", "submit_when_free", "Send when possible"),
        Binding("q", "quit_asking", "Quit (asks if sending)", show=False),  # ctrl+q: at once
        Binding("ctrl+o", "presets", "Presets", show=False),
        Binding("v", "compare_batch", "Compare the batch", show=False),
        Binding("p", "playlists", "Playlists", show=False),
    ]

    def __init__(self, *, draft: Draft, demo: bool) -> None:
        super().__init__()
        self.session: Session | None = None
        self._draft = draft
        self._demo = demo
        self._draft_timer: Timer | None = None
        self._account_timer: Timer | None = None
        self.conditions = Conditions()  # what the banner shows and what blocks submit
        self.library = Library(self)
        self._unsaved: dict[str, Any] | None = None
        self._key_reason = ""  # why a key is needed, shown in the banner and the dialog
        self.batch_senders: dict[str, BatchSender] = {}  # batches being sent, by batch id
        self._batches_offered: set[str] = set()  # a new session must not ask again

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="header")
        yield Banner(conditions=self.conditions, id="banner")
        with Horizontal(id="body"):
            form = GenerationForm(id="form")
            form.border_title = "New generation"
            yield form
            yield BrowsePane(id="browse")
        yield Container(id="player-slot")  # the app's `Playback` mounts its bar here
        yield Footer()

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

    # --- the session --------------------------------------------------------------------

    def attach(self, session: Session, *, connect: bool = True, preview: bool = False) -> None:
        """Use `session` from now on (a new key means a new session); show the cache now.

        `preview`: a session that sends nothing, shown while the app starts: the cached
        rows and the last-known account (marked stale) until the real one connects."""
        self.session = session
        self.listing.set_clock(session.clock.now)
        self.listing.set_progress(session.progress)
        self.detail.set_progress(session.progress)
        self.reload_list()
        self.update_blocked()
        self.reconcile_at_start()  # before submitting is on: a crash's leftovers
        if not preview:  # a preview session sends nothing: the offer waits for the real one
            self.batches_at_start()
        if connect or preview:
            self.header.note = "connecting…"
            if self.header.account is None and session.account is not None:
                # The last-known account at once, marked stale until the server answers.
                self.header.account = session.account
                self.header.stale = True
        if connect:
            self.connect()

    @work(exclusive=True, group="connect")
    @quiet_when_quitting
    async def connect(self) -> None:
        """Who am I, what is new, what is still running: then keep watching."""
        session = self.session
        if session is None:
            return
        try:
            # Retried in the client; the first failure is said at once (`_retrying`).
            with session.client.retries_reported_to(self._retrying):
                account = await session.client.me()
                self._account_seen(account)
                await session.refresh_newest()
        except Exception as exc:
            self._retried()
            self.show_problem(exc)
            return
        finally:
            self._retried()
            self.rate_seen()
        self.banner.clear("offline")
        self.reload_list()
        for generation in session.in_progress():
            session.follow(generation)
        self.count_running()
        self.run_watcher()
        session.start_history_backfill(self._history_progress)

    def _history_progress(self, progress: HistoryProgress) -> None:
        """The backfill's progress in the list's count line, while it runs."""
        if self.query(GenerationList):  # gone already when the app is shutting down
            self.listing.show_history(progress.text if progress.worth_showing else "")

    def _retrying(self, notice: RetryNotice) -> None:
        """A request of the connect failed and is tried again: say so now, not at the end."""
        host = urlsplit(self.session.base_url).hostname if self.session else None
        problem = retrying(notice.error, host=host or "the server")
        if problem is None or "reconnecting" in self.conditions:
            return
        self.banner.clear("offline")  # the retry under way replaces the countdown to it
        self.banner.set(problem.kind, problem.text, severity=problem.severity)
        self.header.reconnecting = True

    def _retried(self) -> None:
        """The connect's retries are over (through, given up or cancelled)."""
        if self.query(AccountHeader):  # gone already when the app is shutting down
            self.banner.clear("reconnecting")
            self.header.reconnecting = False

    @work(exclusive=True, group="watcher")
    async def run_watcher(self) -> None:
        """The one watcher: it polls only while something is in progress."""
        if self.session is not None:
            await self.session.watcher.run()

    def _account_seen(self, account: Any) -> None:
        self.header.account = account
        self.header.stale = False
        if self.session is not None:
            self.session.account_seen(account)
        remaining = account.limits.total_remaining
        if remaining is not None and remaining > 0 and "credits" in self.conditions:
            self.banner.clear("credits")  # credits came back: submitting is possible again
            self.update_blocked()
        elif remaining == 0:
            self.show_problem(errors.MonthlyLimitReached("no credits left", status=402))

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

    @work(exclusive=True, group="account")
    @quiet_when_quitting
    async def refresh_account(self) -> None:
        """Ask /v1/me again (sparingly: see `ACCOUNT_REFRESH_GAP`)."""
        self._account_timer = None
        if self.session is None:
            return
        try:
            self._account_seen(await self.session.client.me())
        except Exception as exc:
            self.show_problem(exc)
        finally:
            self.rate_seen()

    def refresh_account_soon(self) -> None:
        """Ask /v1/me once, a little later (several finishing generations share it)."""
        if self._account_timer is None:
            self._account_timer = self.set_timer(ACCOUNT_REFRESH_GAP, self.refresh_account)

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

    @on(Banner.CountdownFinished)
    def _countdown_finished(self, event: Banner.CountdownFinished) -> None:
        self.update_blocked()
        if event.kind == "offline":
            self.connect()
        elif event.kind == "unconfirmed":
            self.reconcile()

    # --- the list -------------------------------------------------------------------------

    def reload_list(self) -> None:
        """Show the first page of the cache for the current search and filter."""
        if self.session is None:
            return
        listing = self.listing
        page = self.session.cached_page(status=listing.status_filter, query=listing.query_text)
        listing.show(page.rows, total=page.total, exhausted=page.exhausted)

    @on(GenerationList.QueryChanged)
    def _query_changed(self, event: GenerationList.QueryChanged) -> None:
        self.reload_list()

    @on(GenerationList.NeedMore)
    def _need_more(self, event: GenerationList.NeedMore) -> None:
        if self.session is None:
            return
        page = self.session.cached_page(event.offset, status=event.status, query=event.query)
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
            len(listing.rows), status=listing.status_filter, query=listing.query_text
        )
        listing.append(page.rows, total=page.total, exhausted=page.exhausted)

    @on(GenerationList.Highlighted)
    def _highlighted(self, event: GenerationList.Highlighted) -> None:
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

    @on(GenerationForm.SubmitRequested)
    def _submit_requested(self, event: GenerationForm.SubmitRequested) -> None:
        self.save_draft()
        self.submit_request(event.request)

    def submit_request(self, request: AnyRequest) -> None:
        """Send `request` once, in a worker (the form is busy until its outcome shows)."""
        self.run_worker(unless_quitting(self, self._send(request)), group="submit", exclusive=False)

    async def _send(self, request: AnyRequest) -> None:
        """Send the form's request once (the session journals, reconciles and tells)."""
        session = self.session
        if session is None:
            self.form.busy = False
            self.notify("Not connected: enter an API key first (ctrl+k).", severity="error")
            return
        try:
            await session.submitting.submit(session.client, request)
        finally:
            # Queued behind the outcome's events: the form stays busy until they show.
            self.call_later(self._sent)

    def _sent(self) -> None:
        self.form.busy = False
        self.refresh_bindings()
        self.rate_seen()

    def reconcile_at_start(self) -> None:
        """A new session: submitting stays off while what a crashed or interrupted run
        left in the journal is settled."""
        session = self.session
        if session is None or session.key is None:
            return
        if session.submitting.needs_reconcile(session.client):
            self.reconcile()

    def reconcile(self) -> None:
        """Settle submissions whose answer was lost (never re-sending them)."""
        if self.session is not None:
            session = self.session
            work = session.submitting.reconcile(session.client)
            self.run_worker(unless_quitting(self, work), group="reconcile", exclusive=True)

    def slot_may_be_free(self) -> None:
        """A generation finished: a wait for a queue slot is over (the form then sends,
        once, if the user armed it)."""
        if self.session is not None:
            self.session.submitting.slot_may_be_free()
        elif self.conditions.clear("queue"):
            self.banner.changed()
        if self.form.waiting and self.form.wait_reason == QUEUE_FULL:
            self.form.wait_until(0, "")

    def accepted(
        self, generation: Generation, credits_remaining: int | None, *, select: bool = True
    ) -> None:
        """The server created `generation`: show it (selected), watch it, count the credit."""
        if self.session is None:
            return
        self.session.remember(generation)
        self.session.follow(generation)
        self.header.credits_remaining(credits_remaining)
        self.form.after_submitted()
        self.save_draft()
        self.reload_list()
        if select:
            self.listing.move_to(generation.id)
        self.count_running()
        self.run_watcher()

    # --- what the session tells ---------------------------------------------------------------

    def session_event(self, event: session_events.Event) -> None:
        """The session's listener. Its events come from the watcher's task and from the
        submitting worker: queued, they are applied in the order told, one at a time."""
        self.post_message(SessionEvent(event))

    @on(SessionEvent)
    def _session_event(self, message: SessionEvent) -> None:
        e = session_events
        match message.event:
            case e.GenerationChanged(generation, finished):
                self._generation_changed(generation, finished=finished)
            case e.GenerationGone(generation_id):
                self._generation_gone(generation_id)
            case e.GenerationStalled(generation_id):
                self._stalled(generation_id)
            case e.WatchGaveUp(generation_id, waited):
                self.notify(
                    f"Generation {generation_id} is still in progress after {waited / 60:.0f}"
                    " min; no longer watched (ctrl+r checks again).",
                    title="Still running",
                    severity="warning",
                    markup=False,
                )
            case e.WatchFailed(error):
                self.show_problem(error)
            case e.ConditionsChanged():
                self.banner.changed()
                self.update_blocked()
            case e.Submitted(generation, credits_remaining):
                self.accepted(generation, credits_remaining)
                # In the line by the button, not a toast: only an end (done, failed) is one.
                self.form.say("Submitted: follow it at the top of the list.")
            case e.SoundEffectSubmitted(effect):
                self.form.after_submitted()
                self.save_draft()
                left = effect.daily_remaining
                today = f" ({left} left today)" if left is not None else ""
                self.form.say(
                    f"Sound effect queued{today}. Save it with: fttui sfx download {effect.id}"
                )
            case e.SubmitRefused(field_errors, text):
                self.form.show_server_errors(dict(field_errors), general=text)
                self.form.say(
                    "Not sent: the server refused some fields, marked above.", problem=True
                )
            case e.SubmitFailed(error, wait):
                self.form.say("Not sent: see the reason at the top.", problem=True)
                self.show_problem(error)
                if wait is not None:
                    # Counted down by the button, which offers to send by itself when it
                    # ends (the one place that can send again).
                    self.form.wait_until(wait.seconds, wait.reason)
                self.refresh_bindings()
            case e.FoundAfterAll(generation):
                # Found in the background: the user's cursor stays where it is.
                self.accepted(generation, None, select=False)
                self.notify("A submission whose answer was lost was created after all.")
            case e.NotCreated():
                self.notify(
                    "A submission whose answer was lost was not created (no credit used). "
                    "Press ctrl+s to send it again.",
                    severity="warning",
                    timeout=15,
                )
            case e.ReconcileSettled():
                pass  # its conditions were told just before

    def _generation_changed(self, generation: Generation, *, finished: bool) -> None:
        """A newer copy (cached already): redraw its row and every detail showing it."""
        self.listing.update(generation)
        shown = self.detail.generation
        if shown is not None and shown.id == generation.id:
            self.detail.show(generation)
        for other in self.app.screen_stack:
            if isinstance(other, DetailScreen):
                other.show(generation)
        self.count_running()
        self.rate_seen()
        if finished:
            self._announce(generation)
            self.slot_may_be_free()
            self.refresh_account_soon()

    def _announce(self, generation: Generation) -> None:
        """A generation completed or failed: a toast (and the bell), as the settings say."""
        settings = getattr(self.app, "settings", None)
        title = clean(generation.display_title)
        if settings is None or settings.notify:
            if generation.status.lower() == "failed":
                reason = clean(failure_reason(generation.error_message))
                self.notify(
                    f"{title}: {reason}.", title="Generation failed", severity="error", markup=False
                )
            else:
                self.notify(title, title="Generation completed", markup=False)
        if settings is None or settings.bell:
            self.app.bell()

    def _generation_gone(self, generation_id: str) -> None:
        """The server no longer has it (the session dropped it): out of the list, said."""
        self.listing.drop(generation_id)
        self.count_running()
        self.notify(
            f"Generation {generation_id} no longer exists on the server; removed from the list.",
            title="Not found",
            severity="warning",
            markup=False,
        )

    def _stalled(self, generation_id: str) -> None:
        """Said once; the list and the detail show it stalled, with the advice."""
        from fttui.session.following import STALLED_NOTE

        self.listing.refresh_progress()
        self.detail.refresh_progress()
        self.notify(
            STALLED_NOTE.format(id=generation_id), title="Stalled", severity="warning", markup=False
        )

    # --- the library ----------------------------------------------------------------------

    @on(GenerationList.DeleteRequested)
    def _delete_requested(self, event: GenerationList.DeleteRequested) -> None:
        self.library.delete(event.ids)

    @on(GenerationList.AddToPlaylistRequested)
    def _add_to_playlist_requested(self, event: GenerationList.AddToPlaylistRequested) -> None:
        self.library.add_to_playlist(event.ids)

    def action_playlists(self) -> None:
        """Browse the account's playlists: play, remove and move their tracks."""
        self.library.show_playlists()

    # --- actions ----------------------------------------------------------------------------

    def action_submit(self) -> None:
        """Send the form (from any field, or from the list)."""
        self.form.action_submit()

    def action_new(self) -> None:
        """Go to the form."""
        self.add_class("-show-form")
        self.refresh_bindings()
        # Focused while still hidden, the field could lose the focus again to the layout
        # that shows it: wait for that layout.
        self.call_after_refresh(self.form.focus_first_field)

    def action_list(self) -> None:
        """Go to the list."""
        self.remove_class("-show-form")
        self.refresh_bindings()
        self.listing.focus_table()

    def action_back(self) -> None:
        """Back to the list (from the form, or the search box)."""
        self.action_list()

    def action_search(self) -> None:
        """Search titles, prompts and tags."""
        self.remove_class("-show-form")
        self.listing.action_search()

    def action_refresh(self) -> None:
        """Ask the server for what is new (and settle unconfirmed submissions)."""
        self.connect()
        self.reconcile()

    def action_remix(self) -> None:
        """Copy the selected generation's parameters and seed into the form."""
        generation = self.listing.selected
        if generation is None:
            self.notify("Select a generation to remix first.", severity="warning")
            return
        fields = remix_fields(generation)
        typed = str(self.form.fields().get("lyrics") or "")
        if typed.strip() and typed != fields["lyrics"]:
            # Lyrics take long to write: never replaced without a yes.
            from fttui.tui.screens.confirm import ConfirmScreen

            def answered(yes: bool | None) -> None:
                if yes:
                    self._remix(generation, fields)

            self.app.push_screen(
                ConfirmScreen(
                    "Replace the lyrics in the form?",
                    "Remix copies this generation's parameters, and its lyrics"
                    " (none if fttui did not send it), over the form's.",
                    yes="replace",
                ),
                answered,
            )
            return
        self._remix(generation, fields)

    def _remix(self, generation: Generation, fields: dict[str, Any]) -> None:
        self.form.load(fields)
        self.action_new()
        self.notify(
            f"Parameters of “{generation.display_title}” copied into the form.", markup=False
        )

    def action_quit_asking(self) -> None:
        """Quit; while a submission is on its way (or set to send by itself), or with a
        batch half sent, ask first."""
        if self.ask_before_quitting():
            return
        if not (self.form.busy or self.form.armed):
            self.app.exit()
            return
        from fttui.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit()

        self.app.push_screen(
            ConfirmScreen(
                "Quit while a generation is being sent?",
                "If it was created, fttui finds it at the next start; it is never sent twice.",
                yes="quit",
            ),
            answered,
        )

    def action_presets(self) -> None:
        """Load a preset into the form, or save the form as one (a palette of presets)."""
        from textual.command import CommandPalette

        from fttui.tui.commands import PresetCommands

        if not CommandPalette.is_open(self.app):
            palette = CommandPalette(providers=[PresetCommands], placeholder="Presets…")
            self.app.push_screen(palette)

    def action_submit_when_free(self) -> None:
        """While the submit button counts down: send the form by itself when it ends
        (a second press cancels)."""
        self.form.send_when_possible(not self.form.armed)

    def in_form(self) -> bool:
        """Whether the user is in the form: shown alone (narrow), or holding the focus."""
        if self.has_class("-narrow") and self.has_class("-show-form"):
            return True
        focused = self.focused
        return focused is not None and self.form in focused.ancestors_with_self

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A letter typed in the form is text, whatever has the focus (a checkbox, a
        # button, nothing at all): it must never remix or submit.
        if action in LETTER_ACTIONS and self.in_form():
            return False
        if action == "submit_when_free":
            return self.form.waiting
        return True

    # --- variations -------------------------------------------------------------------------
    # A batch is sent by `BatchSender` (fttui.session.batch) as the queue and the POST budget
    # allow; its plan is kept on disk, so quitting half way asks and a restart tells.

    @on(GenerationForm.VariationsRequested)
    def _variations_requested(self, event: GenerationForm.VariationsRequested) -> None:
        from fttui.tui.screens.variations import VariationsDialog

        now = self.session.clock.now() if self.session is not None else None
        dialog = VariationsDialog(event.request, now=now, at_once=self.batch_at_once())
        self.app.push_screen(dialog, self._batch_planned)

    def batch_at_once(self) -> AtOnce | None:
        """How many a batch sends at once now, and why (None without a session)."""
        if self.session is None:
            return None
        return self.session.batches.at_once(self._queue_capacity())

    def _queue_capacity(self) -> int | None:
        settings = getattr(self.app, "settings", None)
        return settings.queue_capacity if settings is not None else None

    def _batch_planned(self, plan: BatchPlan | None) -> None:
        if plan is not None:
            self.send_batch(plan)

    @work(group="batch")
    @quiet_when_quitting
    async def send_batch(self, plan: BatchPlan) -> None:
        """Send the batch's unsent takes, each as soon as the queue and budget allow."""
        session = self.session
        if session is None:
            return
        sender = session.batches.sender(
            plan,
            configured=self._queue_capacity(),
            on_change=self._batch_changed,
            on_sent=self._batch_take_sent,
        )
        self.batch_senders[plan.id] = sender
        self.notify(f"Sending {len(plan.unsent)} variations, {sender.at_once.text}.")
        try:
            plan = await sender.run()
        except Exception as exc:
            self.show_problem(exc)
            return
        finally:
            self.batch_senders.pop(plan.id, None)
            self.rate_seen()
        if plan.finished:
            self.notify(f"{plan.summary()} Press v on one of them to compare.")

    def _batch_changed(self, plan: BatchPlan) -> None:
        if self.session is not None:
            self.session.batches.record(plan)
            self.listing.batch_labels = self.session.batches.labels()
        self.rate_seen()

    def _batch_take_sent(self, created: CreatedGeneration) -> None:
        self.accepted(created.as_generation(), created.credits_remaining, select=False)

    def batches_at_start(self) -> None:
        """Say what a batch left half sent by the last run sent and what it did not."""
        from fttui.tui.screens.confirm import ConfirmScreen

        if self.session is None:
            return
        batches = self.session.batches
        self.listing.batch_labels = batches.labels()
        self.reload_list()
        for plan in batches.unfinished():
            if plan.id in self._batches_offered:
                continue
            self._batches_offered.add(plan.id)

            def answered(yes: bool | None, plan: BatchPlan = plan) -> None:
                if yes:
                    self.send_batch(plan)
                else:
                    batches.give_up_rest(plan)

            self._batch_changed(plan)
            self.app.push_screen(
                ConfirmScreen(
                    "Send the rest of the batch?",
                    plan.summary(),
                    yes="send the rest",
                    items=[f"{plan.varying} {t.value}: {t.state}" for t in plan.takes],
                ),
                answered,
            )

    def batch_half_sent(self) -> list[BatchPlan]:
        """Batches being sent with takes still waiting."""
        return [s.plan for s in self.batch_senders.values() if s.plan.unsent]

    def ask_before_quitting(self) -> bool:
        """With a batch half sent, ask before quitting (True: asked, the app waits)."""
        from fttui.tui.screens.confirm import ConfirmScreen

        waiting = self.batch_half_sent()
        if not waiting:
            return False
        left = sum(len(p.unsent) for p in waiting)

        def answered(yes: bool | None) -> None:
            if yes:
                for sender in self.batch_senders.values():
                    sender.stop()
                self.app.exit()

        self.app.push_screen(
            ConfirmScreen(
                "Quit with the batch half sent?",
                f"{left} of its takes are not sent yet. They are kept: the next start"
                " offers to send them.",
                yes="quit",
            ),
            answered,
        )
        return True

    def action_compare_batch(self) -> None:
        """Compare the takes of the selected generation's batch."""
        from fttui.tui.screens.variations import CompareView

        selected = self.listing.selected
        session = self.session
        if selected is None or session is None:
            self.notify("Select a generation of a batch to compare.", severity="warning")
            return
        plan = session.batches.plan_of(selected.id)
        if plan is None:
            self.notify("This generation was not sent as part of a batch.", severity="warning")
            return
        generations = {i: session.cached(i) for i in plan.sent_ids}

        def answered(doomed: list[str] | None, plan: BatchPlan = plan) -> None:
            if doomed:
                self.delete_batch_takes(plan, doomed)

        self.app.push_screen(CompareView(plan, generations), answered)

    @work(group="batch-delete")
    @quiet_when_quitting
    async def delete_batch_takes(self, plan: BatchPlan, ids: list[str]) -> None:
        """Delete the takes the user did not keep, in one request."""
        if self.session is None:
            return
        try:
            deleted = await self.session.batches.delete_takes(plan, ids)
        except Exception as exc:
            self.show_problem(exc)
            return
        finally:
            self.rate_seen()
        self.reload_list()
        kept = len(plan.sent_ids) - len(deleted)
        self.notify(f"Deleted {len(deleted)} takes of the batch; {kept} kept.")
