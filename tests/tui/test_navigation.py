"""Search and navigation: Esc in the search box, Enter on a row, q from the list."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from fttui.clock import VirtualClock
from fttui.tui.app import FttuiApp
from fttui.tui.screens.detail import DetailScreen
from fttui.tui.widgets.generation_detail import BACK_HINT, GenerationDetail
from fttui.tui.widgets.generation_list import GenerationList

from .helpers import make_app, wait_for


@pytest.fixture
def library(sim_factory: Any) -> Any:
    return sim_factory(clock=VirtualClock(), seed=3, generations=5)


async def _ready(pilot: Pilot[Any], app: FttuiApp, row: int = 0) -> GenerationList:
    listing = app.main.listing
    await wait_for(pilot, lambda: len(listing.rows) == 5 and listing.is_complete, "the list")
    listing.focus_table()
    listing.table.move_cursor(row=row, animate=False)
    await pilot.pause()
    return listing


async def test_esc_clears_the_search_then_leaves_it_and_the_cursor_returns(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await _ready(pilot, app, row=3)
        before = listing.rows[3].id
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "search", "box")
        await pilot.press("z", "z", "q")
        await wait_for(pilot, lambda: not listing.rows, "nothing to match")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(listing.rows) == 5, "every row back")
        assert listing.query_text == ""
        assert app.focused is not None and app.focused.id == "search"
        await wait_for(pilot, lambda: listing.selected is not None, "a selection")
        assert listing.selected is not None and listing.selected.id == before
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is listing.table, "the rows")
        assert listing.selected is not None and listing.selected.id == before


async def test_enter_side_by_side_moves_to_the_detail_which_says_esc_back(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await _ready(pilot, app, row=1)
        detail = app.main.query_one("#detail", GenerationDetail)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is detail, "the detail focused")
        assert str(detail.border_title).endswith(BACK_HINT)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is listing.table, "back on the rows")
        assert not str(detail.border_title).endswith(BACK_HINT)


async def test_full_screen_detail_says_esc_back(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=(80, 30)) as pilot:
        await _ready(pilot, app, row=1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), "the detail screen")
        full = app.screen.query_one(GenerationDetail)
        assert "esc back" in str(full.border_title)
