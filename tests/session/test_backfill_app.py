"""The app starts the whole-history backfill after connecting and shows its progress in
the list's count line (how many cached, how far back, then complete); the cache then
holds every generation, for an offline search."""

from __future__ import annotations

from typing import Any

from fttui.clock import VirtualClock
from fttui.session.backfill import HistoryProgress
from tests.tui.helpers import make_app, wait_for


async def test_the_app_backfills_the_whole_history_with_progress_in_the_count_line(
    sim_factory: Any,
) -> None:
    clock = VirtualClock()
    sim = sim_factory(clock=clock, speed=1.0, seed=3, generations=260)
    app = make_app(sim.base_url, sim.demo_key, clock=clock)
    shown: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        listing = app.main.listing
        real = listing.show_history

        def spy(text: str) -> None:
            shown.append(str(listing.query_one("#list-summary").render()))
            real(text)
            shown.append(str(listing.query_one("#list-summary").render()))

        listing.show_history = spy  # type: ignore[method-assign]
        session = app.session
        assert session is not None
        await wait_for(pilot, lambda: session.count() == 260, "the whole history", limit=60)
        await wait_for(pilot, lambda: "history complete" in shown[-1], "the end said")
    assert any("history" in text and "cached, back to" in text for text in shown)
    assert "history complete: 260 cached, back to" in shown[-1]
    assert HistoryProgress(3200).text == "history 3,200 cached"
