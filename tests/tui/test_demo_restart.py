"""A restarted demo shows the last run's generations at once, from the cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from fttui import locations
from fttui.cli.session import DemoSimulator
from fttui.sim.accounts import DEMO_KEY

from .helpers import make_app, started, wait_for


@pytest.fixture
def demo_profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo's folder for this test; the profile switch undone afterwards."""
    monkeypatch.setattr(locations, "_profile", None)
    yield
    monkeypatch.setattr(locations, "_profile", None)


async def test_demo_app_restart_shows_last_runs_rows_before_the_simulator_serves(
    demo_profile: None,
) -> None:
    locations.use_demo_profile()
    first_sim = DemoSimulator()
    try:
        app = make_app("", DEMO_KEY, demo=True, start_demo=first_sim.start)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: len(app.main.listing.rows) >= 5, "the demo's rows")
            shown = len(app.main.listing.rows)
    finally:
        first_sim.close()

    locations.use_demo_profile()  # a restart: the profile is chosen again
    serving = threading.Event()
    second_sim = DemoSimulator()

    def slow_start() -> str:
        serving.wait(30)  # the simulator still starting
        return second_sim.start()

    try:
        app = make_app("", DEMO_KEY, demo=True, start_demo=slow_start)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: len(app.main.listing.rows) == shown, "cached rows")
            assert not serving.is_set()
            serving.set()
            await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
            await started(pilot, app)  # the cache's rows and account come before the form
    finally:
        serving.set()
        second_sim.close()
