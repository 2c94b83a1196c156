"""The account line: who, which plan, credits left, in queue now, read and POST budgets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fttui.tui.text import clean, count

if TYPE_CHECKING:
    # Annotation only: the header is in the first frame, pydantic comes after it.
    from fttui.api.limiter import RateStatus
    from fttui.api.models import Account


class ShownLimits(Protocol):
    """The account's numbers the header shows."""

    @property
    def monthly_generations(self) -> int | None: ...
    @property
    def generations_used(self) -> int | None: ...
    @property
    def pack_credits(self) -> int | None: ...
    @property
    def total_remaining(self) -> int | None: ...
    @property
    def queue_depth(self) -> int | None: ...


class ShownAccount(Protocol):
    """What the header shows of an account: an `Account`, or the cache's plain record of
    the last one, drawn at start before the models are loaded."""

    @property
    def display_name(self) -> str: ...
    @property
    def tier(self) -> str | None: ...
    @property
    def limits(self) -> ShownLimits: ...


BAR_WIDTH = 10
WIDE_SEPARATOR = Text("  │  ", style="dim")
NARROW_SEPARATOR = Text(" │ ", style="dim")


@dataclass(frozen=True)
class RateHeadroom:
    """Requests left in the current minute (None when no answer has told us yet): the
    read budget, and apart from it the budget of creating POSTs (API v1.2)."""

    limit: int | None = None
    remaining: int | None = None
    post_limit: int | None = None
    post_remaining: int | None = None

    @classmethod
    def from_status(cls, status: RateStatus) -> RateHeadroom:
        """The headroom a limiter snapshot tells of."""
        return cls(status.limit, status.remaining, status.post_limit, status.post_remaining)


def usage_bar(used: int | None, total: int | None, width: int = BAR_WIDTH) -> Text:
    """ "███░░░░░░░": the share of the month's generations already used."""
    if not used or not total or total <= 0:
        filled = 0
    else:
        filled = min(width, max(1, round(width * used / total)))
    style = "red" if total and used is not None and used >= total else "green"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))


def fit_parts(parts: list[tuple[int, Text]], width: int) -> Text:
    """One line of `(rank, part)`, dropping the highest ranks first until it fits `width`.

    The kept parts stay in their order; the separators narrow before any part goes.
    """
    kept = list(parts)
    while True:
        for separator in (WIDE_SEPARATOR, NARROW_SEPARATOR):
            line = separator.join(part for _, part in kept)
            if line.cell_len <= width or len(kept) == 1:
                return line
        kept.remove(max(kept, key=lambda item: item[0]))


class AccountHeader(Widget):
    """One line about the account; it only redraws when handed new data."""

    account: reactive[Account | None] = reactive(None)
    last_seen: reactive[ShownAccount | None] = reactive(None)
    """The cache's record of the account, shown (stale) until `account` is known."""
    in_progress: reactive[int] = reactive(0)
    rate: reactive[RateHeadroom] = reactive(RateHeadroom)
    demo: reactive[bool] = reactive(False)
    note: reactive[str] = reactive("connecting…")
    """What is shown before any account is known ("connecting…", "no API key")."""
    stale: reactive[bool] = reactive(False)
    """The server cannot be reached: the numbers are from the last answer, not live."""
    reconnecting: reactive[bool] = reactive(False)
    """A request failed and is being tried again."""
    remote: reactive[bool] = reactive(False)
    """fttui runs on another machine than the user's (SSH): sound and files are there."""

    def render(self) -> Text:
        account: ShownAccount | None = self.account
        if account is None:
            account = self.last_seen
        if account is None:
            note = "reconnecting…" if self.reconnecting else self.note
            remote = "  ·  over SSH" if self.remote else ""
            return Text(f"fttui{remote}  ·  {note}", style="dim")
        limits = account.limits
        name = Text.assemble(
            (clean(account.display_name), "bold"),
            (f" [{clean(account.tier)}]" if account.tier else "", "italic"),
            (" (demo)" if self.demo else "", "yellow"),
            (" · over SSH" if self.remote else "", "cyan"),
        )
        if self.reconnecting:
            name.append(" · reconnecting…", style="bold yellow")
        elif self.stale and self.note == "connecting…":
            name.append(" · as last seen, connecting…", style="dim")  # from the cache
        elif self.stale:
            name.append(" · offline, as last seen", style="bold red")
        # Ranks: the lower, the longer a part stays when the terminal is narrow.
        parts: list[tuple[int, Text]] = [
            (0, name),
            (
                1,
                Text.assemble(
                    "left ",
                    (
                        count(limits.total_remaining),
                        "bold red" if limits.total_remaining == 0 else "bold",
                    ),
                ),
            ),
            # queueDepth is how many are in the queue now, never a capacity.
            (2, Text(f"in queue {count(limits.queue_depth)}")),
            (
                4,
                Text.assemble(
                    "month ",
                    usage_bar(limits.generations_used, limits.monthly_generations),
                    f" {count(limits.generations_used)}/{count(limits.monthly_generations)}",
                ),
            ),
            (6, Text(f"pack {count(limits.pack_credits)}")),
        ]
        budgets = [
            ("posts", self.rate.post_remaining, self.rate.post_limit, 2),
            ("reads", self.rate.remaining, self.rate.limit, 5),
        ]
        for word, remaining, limit, low_at in budgets:
            if remaining is None:
                continue
            low = remaining <= low_at
            rate = Text(f"{word} {remaining}/{count(limit)}", style="red" if low else "")
            parts.insert(3, (3 if low else 5, rate))  # a low budget matters more than the month
        line = fit_parts(parts, self.size.width)
        if self.stale:
            line.stylize("dim", name.cell_len)  # old numbers, not live ones
        return line

    def credits_remaining(self, remaining: int | None) -> None:
        """Apply `creditsRemaining` from a submit answer without asking the server again."""
        account = self.account
        if account is None or remaining is None:
            return
        limits = account.limits
        spent = (limits.total_remaining or 0) - remaining
        monthly_remaining = limits.monthly_remaining
        used = limits.generations_used
        if spent > 0 and monthly_remaining:
            # Monthly credits go first; pack credits only once the month is spent.
            from_month = min(spent, monthly_remaining)
            monthly_remaining -= from_month
            used = (used or 0) + from_month
        new_limits = limits.model_copy(
            update={
                "total_remaining": remaining,
                "monthly_remaining": monthly_remaining,
                "generations_used": used,
                "pack_credits": max(0, remaining - (monthly_remaining or 0))
                if limits.pack_credits is not None
                else None,
            }
        )
        self.account = account.model_copy(update={"limits": new_limits})
