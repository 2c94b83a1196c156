"""Generations in progress in the app: elapsed time, stalled after 5 minutes, vanished.

The simulator and the app share a clock that moves only when the test says so, and the
simulator's generations take 15 minutes: the 5-minute mark is reached by moving time.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from rich.text import Text
from textual.pilot import Pilot

from fttui.session.following import STALLED_ADVICE
from fttui.tui.app import FttuiApp

from .helpers import make_app, wait_for
from .test_app_errors import ManualClock

SLOW = (900.0, 0.0)  # every generation takes 15 minutes of model time


@asynccontextmanager
async def slow_app(
    sim_factory: Any, **sim_options: Any
) -> AsyncIterator[tuple[Pilot[Any], FttuiApp, ManualClock, Any]]:
    """The app on a simulator whose generations take 15 minutes, on a clock the test moves."""
    clock = ManualClock()
    options = {"generations": 0, **sim_options}
    sim = sim_factory(clock=clock, generation_seconds=SLOW, speed=1.0, **options)
    app = make_app(sim.base_url, sim.demo_key, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        yield pilot, app, clock, sim


def _status_cell(app: FttuiApp, generation_id: str) -> str:
    cell = app.main.listing.table.get_cell(generation_id, "status")
    return cell.plain if isinstance(cell, Text) else str(cell)


def _detail_progress(app: FttuiApp) -> str:
    text = app.main.detail.progress_text()
    return "" if text is None else text.plain.removeprefix("Status").strip()


async def _submit_slow_one(pilot: Any, app: FttuiApp) -> str:
    main = app.main
    await wait_for(pilot, lambda: main.header.account is not None, "the account")
    main.form.load({"tags": "slow drone", "duration": 20, "seed": 4})
    await pilot.press("ctrl+s")
    await wait_for(
        pilot, lambda: bool(main.listing.rows) and main.listing.rows[0].in_progress, "the row"
    )
    return main.listing.rows[0].id


async def _move_time(pilot: Any, clock: ManualClock, seconds: float, step: float = 10.0) -> None:
    """Move the shared clock on by `seconds`, letting the watcher run at each step."""
    moved = 0.0
    while moved < seconds:
        clock.advance(min(step, seconds - moved))
        moved += step
        await pilot.pause(0.02)


async def _move_time_until(
    pilot: Any, clock: ManualClock, condition: Callable[[], object], what: str, *, most: float
) -> None:
    """Move the shared clock on 10 s at a time until `condition()` holds (at most `most`)."""
    moved = 0.0
    while not condition() and moved < most:
        clock.advance(10.0)
        moved += 10.0
        for _ in range(10):  # let the watcher's look (a real HTTP request) come back
            await pilot.pause(0.02)
    await wait_for(pilot, condition, what)


async def test_a_processing_row_says_how_long_it_has_run_in_the_list_and_the_detail(
    sim_factory,
) -> None:
    async with slow_app(sim_factory) as (pilot, app, clock, _sim):
        gen_id = await _submit_slow_one(pilot, app)
        assert app.main.listing.progress_timer is not None  # it ticks only while one runs
        clock.advance(42.0)
        app.main.listing.refresh_progress()
        app.main.detail.refresh_progress()
        assert _status_cell(app, gen_id) == "processing 0:42"
        assert _detail_progress(app) == "processing 0:42"  # no history: no time left said


async def test_the_time_left_is_said_once_the_cache_has_taught_the_predictor(
    sim_factory,
) -> None:
    async with slow_app(sim_factory) as (pilot, app, clock, _sim):
        # The session with the key (the one that follows), not the cache's preview.
        await wait_for(
            pilot, lambda: app.session is not None and app.session.key is not None, "the session"
        )
        assert app.session is not None
        # Finished generations of 60 s each, as the cache would teach it at start.
        app.session.predictor.learn([(20.0, "music", 60.0)] * 6)
        gen_id = await _submit_slow_one(pilot, app)
        clock.advance(20.0)
        app.main.listing.refresh_progress()
        app.main.detail.refresh_progress()
        assert _status_cell(app, gen_id) == "processing 0:20"
        # 60 s of generation and ~1 s of upload expected: about 41 s to go.
        assert re.fullmatch(r"processing 0:20 · ~0:4[012] left", _detail_progress(app))


async def test_a_generation_processing_for_5_minutes_shows_stalled_and_is_still_checked(
    sim_factory,
) -> None:
    async with slow_app(sim_factory) as (pilot, app, clock, _sim):
        gen_id = await _submit_slow_one(pilot, app)
        session = app.session
        assert session is not None
        await _move_time(pilot, clock, 290.0)
        assert gen_id not in session.watcher.stalled
        await _move_time_until(
            pilot, clock, lambda: gen_id in session.watcher.stalled, "the stalled verdict", most=60
        )
        await wait_for(
            pilot,
            lambda: any((n.title or "") == "Stalled" for n in app._notifications),
            "the stalled note",
        )
        assert _status_cell(app, gen_id).startswith("! stalled 5:")
        assert STALLED_ADVICE in _detail_progress(app)
        assert "may have failed silently" in STALLED_ADVICE  # the vendor's words
        # Still followed, at the slower pace: one more look within the next 30 s.
        looks = session.watcher.requests
        await _move_time_until(
            pilot, clock, lambda: session.watcher.requests > looks, "another look", most=30
        )
        assert gen_id in session.watcher.in_flight


async def test_a_generation_that_vanished_leaves_the_list_and_the_cache_with_a_note(
    sim_factory,
) -> None:
    async with slow_app(sim_factory) as (pilot, app, clock, sim):
        gen_id = await _submit_slow_one(pilot, app)
        session = app.session
        assert session is not None
        # Deleted elsewhere (the web app): the server no longer has it.
        async with httpx.AsyncClient(headers={"X-API-Key": sim.demo_key}) as other:
            answer = await other.post(
                f"{sim.base_url}/v1/generations/bulk-delete", json={"ids": [gen_id]}
            )
        assert answer.status_code == 200
        await _move_time_until(
            pilot,
            clock,
            lambda: all(g.id != gen_id for g in app.main.listing.rows),
            "the row to go",
            most=60,
        )
        assert session.cached(gen_id) is None
        assert gen_id not in session.watcher.in_flight
        assert any(gen_id in str(n.message) for n in app._notifications)
        assert app.main.listing.progress_timer is None  # nothing in progress: no ticking


async def test_the_elapsed_time_redraws_only_the_status_cells_of_rows_in_progress(
    sim_factory,
) -> None:
    async with slow_app(sim_factory, generations=4, seed=3) as (pilot, app, clock, _):
        gen_id = await _submit_slow_one(pilot, app)
        listing = app.main.listing
        running = {g.id for g in listing.rows if g.in_progress}
        assert gen_id in running
        assert len(listing.rows) > len(running)  # finished rows too
        table = listing.table
        redrawn: list[tuple[str, str]] = []
        original = table.set_cell  # type: ignore[attr-defined]

        def recording(row: str, column: str, value: Text) -> None:
            redrawn.append((row, column))
            original(row, column, value)

        table.set_cell = recording  # type: ignore[attr-defined]
        clock.advance(1.0)
        listing.refresh_progress()
        listing.refresh_progress()  # the same second again: nothing to redraw
        assert sorted(redrawn) == sorted((each, "status") for each in running)
        assert listing.progress_timer is not None
        assert listing.progress_timer._interval == 1.0  # at most once a second
