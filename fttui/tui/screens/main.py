"""The main screen: account header, banner, form, list and detail, player bar.

It translates: what the panes ask for becomes session calls (client, cache, watcher,
submitting), run in workers; what the session tells (`fttui.session.events`) becomes
widget updates, in one place (`_session_event`). Errors go through `problems.explain`,
which says where and how each one is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from textual import on, work
from textual.binding import Binding, BindingType

from fttui.api import errors
from fttui.session.presets import remix_fields
from fttui.session.problems import retrying
from fttui.session.text import clean
from fttui.tui.messages import SessionEvent
from fttui.tui.quitting import quiet_when_quitting, unless_quitting
from fttui.tui.screens.detail import DetailScreen
from fttui.tui.screens.main_batches import WithBatches
from fttui.tui.widgets.account_header import AccountHeader
from fttui.tui.widgets.banner import Banner
from fttui.tui.widgets.generation_detail import failure_reason
from fttui.tui.widgets.generation_form import GenerationForm
from fttui.tui.widgets.generation_list import GenerationList

if TYPE_CHECKING:
    # Annotations only: the session brings the client and SQLite, the models pydantic,
    # none of them needed for the first frame (the app imports them once it is drawn).
    from fttui.api.client import RetryNotice
    from fttui.api.models import Generation
    from fttui.session import events as session_events
    from fttui.session.backfill import HistoryProgress
    from fttui.session.session import Session
    from fttui.session.submitting import AnyRequest

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
        "sound_effects",
    }
)
"""Screen actions bound to a printable key: never while the user is in the form."""


class MainScreen(WithBatches):
    """Form on the left, list and detail on the right; one pane at a time when narrow.

    The panes and what every part uses are in `MainScreenBase`, the batches in
    `WithBatches`; here, the session and the translation of what it tells."""

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
        Binding("e", "sound_effects", "Sound effects", show=False),
    ]

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

    @on(Banner.CountdownFinished)
    def _countdown_finished(self, event: Banner.CountdownFinished) -> None:
        self.update_blocked()
        if event.kind == "offline":
            self.connect()
        elif event.kind == "unconfirmed":
            self.reconcile()

    # --- submitting -------------------------------------------------------------------------

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
        for sender in self.batch_senders.values():
            sender.slot_may_be_free()  # the next take goes now, not at its next look
        if self.session is not None:
            self.session.submitting.slot_may_be_free()
        elif self.conditions.clear("queue"):
            self.banner.changed()
        # Here, not at the top: the submitting module (and its events) is the session's,
        # loaded after the first frame.
        from fttui.session.submitting import QUEUE_FULL

        if self.form.waiting and self.form.wait_reason == QUEUE_FULL:
            self.form.wait_until(0, "")

    # --- what the session tells ---------------------------------------------------------------

    def session_event(self, event: session_events.Event) -> None:
        """The session's listener. Its events come from the watcher's task and from the
        submitting worker: queued, they are applied in the order told, one at a time."""
        self.post_message(SessionEvent(event))

    @on(SessionEvent)
    def _session_event(self, message: SessionEvent) -> None:
        # Imported here: no event comes before the session, which is after the first frame.
        from fttui.session import events as e

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
                self.form.after_submitted()
                self.save_draft()
                self.accepted(generation, credits_remaining)
                # In the line by the button, not a toast: only an end (done, failed) is one.
                self.form.say("Submitted: follow it at the top of the list.")
            case e.SoundEffectSubmitted(effect):
                self.form.after_submitted()
                self.save_draft()
                left = effect.daily_remaining
                today = f" ({left} left today)" if left is not None else ""
                self.form.say(
                    f"Sound effect queued{today}: press e on the list to play it when it is made."
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

    def action_sound_effects(self) -> None:
        """The account's newest sound effects: play and save them."""
        self.library.show_sound_effects()

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
