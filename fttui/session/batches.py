"""A session's batches of variations: sending them, keeping them, comparing and pruning.

No Textual here. The plans live on disk (`BatchFolder`), which takes belong to which
batch in the cache (for the list's labels and the compare view); a front end asks this
object and never reaches the store or the folder itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fttui.session.batch import AtOnce, BatchFolder, BatchPlan, BatchSender, at_once_for

if TYPE_CHECKING:
    from fttui.session.batch import PlanListener, SentListener
    from fttui.session.session import Session


class Batches:
    """The batches of one session (one account)."""

    def __init__(self, session: Session, folder: BatchFolder | None = None) -> None:
        self._session = session
        self.folder = folder or BatchFolder()

    @property
    def _account(self) -> str | None:
        account = self._session.account
        return account.id if account is not None else None

    def at_once(self, configured: int | None = None) -> AtOnce:
        """How many a batch sends at once now, and why (`configured`: the user's setting)."""
        session = self._session
        return at_once_for(
            self.folder,
            session.store,
            now=session.clock.now(),
            configured=configured,
            account=self._account,
        )

    def sender(
        self,
        plan: BatchPlan,
        *,
        configured: int | None = None,
        on_change: PlanListener | None = None,
        on_sent: SentListener | None = None,
    ) -> BatchSender:
        """A sender for the plan's unsent takes (run it with `run()`)."""
        return BatchSender(
            self._session.client,
            plan,
            folder=self.folder,
            at_once=self.at_once(configured),
            account=self._account,
            on_change=on_change,
            on_sent=on_sent,
        )

    def record(self, plan: BatchPlan) -> None:
        """Keep which generations the plan's sent takes are, with their differing value."""
        members = [(t.generation_id, f"{plan.varying} {t.value}") for t in plan.takes]
        self._session.store.set_batch(plan.id, [(i, label) for i, label in members if i])

    def labels(self) -> dict[str, str]:
        """Generation id → "parameter value" of every take sent, for the list."""
        return self._session.store.batch_labels()

    def unfinished(self) -> list[BatchPlan]:
        """Batches an earlier run left with takes not sent."""
        return self.folder.unfinished()

    def give_up_rest(self, plan: BatchPlan) -> None:
        """The user will not send the rest: keep what was sent, forget the others."""
        self.folder.save(plan.without_unsent())

    def plan_of(self, generation_id: str) -> BatchPlan | None:
        """The batch this generation was sent in, or None."""
        batch_id = self._session.store.batch_of(generation_id)
        return self.folder.load(batch_id) if batch_id else None

    async def delete_takes(self, plan: BatchPlan, ids: list[str]) -> list[str]:
        """Delete the takes not kept, in one request; the ids deleted (out of the cache
        and the plan). An error of the request is raised."""
        session = self._session
        result = await session.client.delete_generations(ids)
        deleted = list(result.succeeded)
        for generation_id in deleted:
            session.forget(generation_id)
        self.folder.save(plan.without(deleted))
        return deleted
