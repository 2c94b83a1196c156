"""At start the cache speaks first: its rows and the last-known account, marked stale.

They are read without pydantic or httpx and drawn before those are even imported (in a
thread, ~300 ms); the session then shows the same page from its models and takes over,
and nothing on the screen moves as it does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

import fttui.tui.app
from fttui.tui.app import FttuiApp

from .helpers import make_app, settled, started, wait_for
from .test_app_errors import ManualClock


@dataclass
class ModelsHeld:
    """The app's import of pydantic, httpx and the session, held back."""

    waiting: threading.Event = field(default_factory=threading.Event)
    """Set once the app asks for them: what it shows before them is on the screen."""
    release: threading.Event = field(default_factory=threading.Event)
    """Set it to let the import go on."""


@pytest.fixture
def hold_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], ModelsHeld]]:
    """From the call on, the app's import of the models waits for `release`."""
    held = ModelsHeld()
    load = fttui.tui.app._load_models

    def load_when_released() -> None:
        held.waiting.set()
        held.release.wait(timeout=60)
        load()

    def hold() -> ModelsHeld:
        monkeypatch.setattr(fttui.tui.app, "_load_models", load_when_released)
        return held

    yield hold
    held.release.set()  # a failed test must not leave the thread waiting


def on_screen(app: FttuiApp) -> tuple[object, ...]:
    """What the header, the rows and the count line show (text and style of each cell)."""
    main = app.main
    table = main.listing.table
    rows = [tuple(map(repr, table.get_row_at(i))) for i in range(table.row_count)]
    summary = str(main.listing.query_one("#list-summary").render())
    return str(main.header.render()), rows, table.cursor_row, summary


async def run_once(sim: Any) -> None:
    """A first run against the server: it leaves the rows and the account in the cache."""
    first = make_app(sim.base_url, sim.demo_key)
    async with first.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: first.main.header.account is not None, "the account")
        await wait_for(pilot, lambda: len(first.main.listing.rows) == 5, "the rows")
        await settled(pilot, first)


@asynccontextmanager
async def restarted_before_the_models(
    sim: Any, hold_models: Callable[[], ModelsHeld]
) -> AsyncIterator[tuple[FttuiApp, Pilot[Any], ModelsHeld]]:
    """A second start on the cache the first left, the models held back: it yields once
    the cached rows are drawn (release `held` to let the session come)."""
    await run_once(sim)
    held = hold_models()
    again = make_app(sim.base_url, sim.demo_key)
    async with again.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: again.main.listing.table.row_count == 5, "the cached rows")
        yield again, pilot, held


async def test_a_restart_shows_the_cached_rows_and_last_account_before_the_server_answers(
    sim_factory,
) -> None:
    sim = sim_factory(generations=5, seed=3)
    await run_once(sim)
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


async def test_the_cached_rows_and_account_show_before_pydantic_and_httpx_are_loaded(
    sim_factory, hold_models: Callable[[], ModelsHeld]
) -> None:
    sim = sim_factory(generations=5, seed=3)
    await run_once(sim)
    sim.set_faults(html_502="rate:1.0")  # the server answers nothing, as above
    held = hold_models()
    again = make_app(sim.base_url, sim.demo_key, clock=ManualClock())
    async with again.run_test(size=(160, 48)) as pilot:
        main = again.main
        await wait_for(pilot, lambda: main.listing.table.row_count == 5, "the cached rows")
        await wait_for(pilot, lambda: "Demo User" in str(main.header.render()), "the account")
        assert again.session is None and main.session is None  # no models, no client yet
        assert "as last seen, connecting…" in str(main.header.render())
        assert "5 generations" in str(main.listing.query_one("#list-summary").render())
        await pilot.press("down")  # the cursor moves on the rows drawn early
        early = on_screen(again)
        # The session takes over with the same page from its models: nothing moves.
        held.release.set()
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the session's rows")
        assert main.header.account is not None
        assert on_screen(again) == early
        assert main.listing.selected is not None
        assert main.listing.selected.id == main.listing.rows[1].id
        await started(pilot, again)
        assert "as last seen" in str(main.header.render())  # still: the server said nothing


async def test_without_a_cache_the_start_waits_for_the_session_as_before(
    sim, hold_models: Callable[[], ModelsHeld]
) -> None:
    held = hold_models()
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, held.waiting.is_set, "the app to ask for the models")
        await pilot.pause()  # anything the early step drew has been handed down by now
        assert app.main.listing.table.row_count == 0
        assert app.main.header.last_seen is None
        assert "connecting…" in str(app.main.header.render())
        held.release.set()
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        await settled(pilot, app)


def test_the_early_screen_imports_neither_pydantic_nor_httpx(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=3)
    # The cache of a first run, written in this process (which has pydantic already).
    import asyncio

    asyncio.run(run_once(sim))
    script = textwrap.dedent(
        f"""
        import asyncio, sys, threading
        import fttui.tui.app
        from fttui.api.key import ApiKey
        from fttui.config import Settings

        release = threading.Event()
        load = fttui.tui.app._load_models

        def held():
            release.wait(timeout=60)
            load()

        fttui.tui.app._load_models = held
        HEAVY = ("pydantic", "httpx", "fttui.api.models", "fttui.store.database")

        async def main():
            app = fttui.tui.app.FttuiApp(
                settings=Settings(bell=False, player_backend="null"),
                key=ApiKey({sim.demo_key!r}),
                base_url={sim.base_url!r},
            )
            async with app.run_test(size=(160, 48)) as pilot:
                for _ in range(600):
                    header = str(app.main.header.render())
                    if app.main.listing.table.row_count == 5 and "Demo User" in header:
                        break
                    await pilot.pause(0.05)
                else:
                    print("the cached rows and account never showed")
                print(" ".join(name for name in HEAVY if name in sys.modules))
                release.set()
                app.exit()

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


async def test_a_search_typed_as_soon_as_the_cached_rows_show_goes_to_the_search_box(
    sim_factory, hold_models: Callable[[], ModelsHeld]
) -> None:
    sim = sim_factory(generations=5, seed=3)
    async with restarted_before_the_models(sim, hold_models) as (again, pilot, held):
        main = again.main
        assert main.session is None  # the form and the session are still to come
        table = main.listing.table
        wanted = table.get_row_at(2)[0].plain.split()[0].lower()
        row_id = table.coordinate_to_cell_key((2, 0)).row_key.value
        await pilot.press("slash", *wanted)
        search = main.listing.query_one("#search", Input)
        await wait_for(pilot, lambda: search.value == wanted, "the search typed")
        assert again.focused is search
        assert main.form.query_one("#tags", Input).value == ""  # nothing typed into the form
        # Once the session is there, the list shows what the search finds.
        held.release.set()
        await wait_for(pilot, lambda: main.session is not None, "the session")
        await wait_for(
            pilot,
            lambda: 0 < len(main.listing.rows) < 5,
            "the rows the search finds",
            seen=lambda: [g.display_title for g in main.listing.rows],
        )
        assert row_id in {g.id for g in main.listing.rows}
        await started(pilot, again)


async def test_beside_the_cached_rows_the_detail_says_its_details_are_coming(
    sim_factory, hold_models: Callable[[], ModelsHeld]
) -> None:
    sim = sim_factory(generations=5, seed=3)
    async with restarted_before_the_models(sim, hold_models) as (again, pilot, held):
        main = again.main
        detail = main.detail
        await pilot.pause()
        body = detail.query_one(Static)
        assert "Loading the details" in str(body.render())  # not "Select a generation"
        held.release.set()
        await wait_for(pilot, lambda: detail.generation is not None, "the row's details")
        selected = main.listing.selected
        assert selected is not None and detail.generation == selected
        assert "Loading" not in str(body.render())
        await started(pilot, again)
