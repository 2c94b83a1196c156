"""At start the cache speaks first: its rows and the last-known account, marked stale."""

from __future__ import annotations

from .helpers import make_app, settled, started, wait_for
from .test_app_errors import ManualClock


async def test_a_restart_shows_the_cached_rows_and_last_account_before_the_server_answers(
    sim_factory,
) -> None:
    sim = sim_factory(generations=5, seed=3)
    first = make_app(sim.base_url, sim.demo_key)
    async with first.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: first.main.header.account is not None, "the account")
        await wait_for(pilot, lambda: len(first.main.listing.rows) == 5, "the rows")
        await settled(pilot, first)
    # The server answers nothing now (a proxy's 502 to every request, retried on a
    # clock that stands still): whatever shows came from the cache.
    sim.set_faults(html_502="rate:1.0")
    again = make_app(sim.base_url, sim.demo_key, clock=ManualClock())
    async with again.run_test(size=(160, 48)) as pilot:
        main = again.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the cached rows")
        await wait_for(pilot, lambda: main.header.account is not None, "the cached account")
        assert main.header.stale
        assert "Demo User" in str(main.header.render())
        assert "as last seen" in str(main.header.render())
        # The rest of the form and the player came after them (and before quitting).
        assert not again.is_started or main.listing.rows
        await started(pilot, again)
