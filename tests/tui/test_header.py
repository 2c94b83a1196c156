"""The account line on its own: what the API says, never a made-up capacity."""

from __future__ import annotations

from textual.app import App, ComposeResult

from fttui.api.limiter import RateStatus
from fttui.api.models import Account
from fttui.tui.widgets.account_header import AccountHeader, RateHeadroom


class HeaderApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AccountHeader()


def _account(queue_depth: int) -> Account:
    return Account.model_validate(
        {
            "id": "u1",
            "name": "Ada",
            "limits": {"totalRemaining": 42, "queueDepth": queue_depth},
        }
    )


async def test_header_shows_in_queue_count_not_a_capacity() -> None:
    app = HeaderApp()
    async with app.run_test(size=(160, 3)) as pilot:
        header = app.query_one(AccountHeader)
        header.account = _account(queue_depth=5)
        header.in_progress = 1
        await pilot.pause()
        line = header.render().plain
        assert "in queue 5" in line
        assert "1/5" not in line
        assert "running" not in line


async def test_header_shows_read_and_post_budgets_apart() -> None:
    app = HeaderApp()
    async with app.run_test(size=(160, 3)) as pilot:
        header = app.query_one(AccountHeader)
        header.account = _account(queue_depth=0)
        status = RateStatus(
            limit=60,
            remaining=58,
            used_last_minute=2,
            blocked_until=None,
            as_of=0.0,
            post_limit=10,
            posts_last_minute=1,
        )
        header.rate = RateHeadroom.from_status(status)
        await pilot.pause()
        line = header.render().plain
        assert "reads 58/60" in line
        assert "posts 9/10" in line
