"""What fits where: the header on one line, the title column, the detail, the lock."""

from __future__ import annotations

from fttui.clock import VirtualClock
from fttui.tui.widgets.account_header import AccountHeader
from fttui.tui.widgets.generation_form import SeedLock

from .helpers import make_app, started, wait_for


async def test_the_account_header_is_one_line_at_80_columns(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.main.query_one(AccountHeader)
        await wait_for(pilot, lambda: header.account is not None, "the account")
        await wait_for(pilot, lambda: header.rate.remaining is not None, "the rate")
        line = header.render()
        assert "\n" not in line.plain and line.cell_len <= header.size.width
        assert header.region.height == 1
        for kept in ("Demo User", "left", "in queue"):  # the least important parts go first
            assert kept in line.plain
        assert "pack" not in line.plain


async def test_at_120x36_the_title_column_has_room_and_the_detail_fits(sim_factory) -> None:
    # A clock that stands still: the generations' states do not depend on how long the
    # app took to list them (a completed one has an audio link, a line or two longer).
    sim = sim_factory(clock=VirtualClock(), generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        await wait_for(pilot, lambda: main.detail.generation is not None, "the detail")
        await pilot.pause()
        title = next(c for c in main.listing.table.columns.values() if str(c.label) == "Title")
        assert title.width >= 25
        assert main.detail.max_scroll_y == 0  # every field in sight, "Completed" included


async def test_the_seed_lock_is_blank_when_off(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot, app)
        lock = app.main.query_one(SeedLock)
        assert "X" not in str(lock.render()) and "✓" not in str(lock.render())
        await pilot.press("n", "ctrl+l")
        await pilot.pause()
        assert lock.value and "✓" in str(lock.render())
