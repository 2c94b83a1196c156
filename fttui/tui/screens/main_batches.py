"""The main screen's part for batches of variations, sent by the session's `Batches` as
the queue and the POST budget allow; their plans are kept on disk, so quitting half way
asks and a restart tells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work

from fttui.tui.draft import Draft
from fttui.tui.quitting import quiet_when_quitting
from fttui.tui.screens.main_base import MainScreenBase
from fttui.tui.widgets.generation_form import GenerationForm

if TYPE_CHECKING:
    # Annotations only: the models bring pydantic, which the first frame does without.
    from fttui.api.models import CreatedGeneration
    from fttui.session.batch import AtOnce, BatchPlan, BatchSender


class WithBatches(MainScreenBase):
    """The main screen's batches: the dialog, the sending, the offer at start, compare."""

    def __init__(self, *, draft: Draft, demo: bool) -> None:
        super().__init__(draft=draft, demo=demo)
        self.batch_senders: dict[str, BatchSender] = {}  # batches being sent, by batch id
        self._batches_offered: set[str] = set()  # a new session must not ask again

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
