"""The account line: who, which plan, credits left, work in progress, rate headroom."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fttui.api.models import Account
from fttui.tui.text import clean, count

BAR_WIDTH = 10


@dataclass(frozen=True)
class RateHeadroom:
    """Requests left in the current minute (None when no answer has told us yet)."""

    limit: int | None = None
    remaining: int | None = None


def usage_bar(used: int | None, total: int | None, width: int = BAR_WIDTH) -> Text:
    """ "███░░░░░░░": the share of the month's generations already used."""
    if not used or not total or total <= 0:
        filled = 0
    else:
        filled = min(width, max(1, round(width * used / total)))
    style = "red" if total and used is not None and used >= total else "green"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))


def _wrap_parts(parts: list[Text], width: int) -> Text:
    """Join parts with separators, breaking lines between parts, never inside one."""
    separator = Text("  │  ", style="dim")
    lines: list[Text] = []
    line = Text()
    for part in parts:
        if line.cell_len and line.cell_len + separator.cell_len + part.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append_text(separator)
        line.append_text(part)
    lines.append(line)
    return Text("\n").join(lines)


class AccountHeader(Widget):
    """A one- or two-line summary of the account; it only redraws when handed new data."""

    account: reactive[Account | None] = reactive(None, layout=True)
    in_progress: reactive[int] = reactive(0)
    rate: reactive[RateHeadroom] = reactive(RateHeadroom)
    demo: reactive[bool] = reactive(False)

    def render(self) -> Text:
        account = self.account
        if account is None:
            return Text("fttui  ·  connecting…", style="dim")
        limits = account.limits
        parts: list[Text] = [
            Text.assemble(
                (clean(account.display_name), "bold"),
                (f" [{clean(account.tier)}]" if account.tier else "", "italic"),
                (" (demo)" if self.demo else "", "yellow"),
            ),
            Text.assemble(
                "month ",
                usage_bar(limits.generations_used, limits.monthly_generations),
                f" {count(limits.generations_used)}/{count(limits.monthly_generations)}",
            ),
            Text(f"pack {count(limits.pack_credits)}"),
            Text.assemble(
                "left ",
                (
                    count(limits.total_remaining),
                    "bold red" if limits.total_remaining == 0 else "bold",
                ),
            ),
            Text(f"running {self.in_progress}/{count(limits.queue_depth)}"),
        ]
        if self.rate.remaining is not None:
            low = self.rate.remaining <= 5
            parts.append(
                Text(
                    f"rate {self.rate.remaining}/{count(self.rate.limit)}",
                    style="red" if low else "",
                )
            )
        return _wrap_parts(parts, self.size.width)

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
