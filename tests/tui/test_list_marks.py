"""Marking rows of the list and acting on the marks (delete, add to a playlist).

The list only asks (it posts `DeleteRequested` / `AddToPlaylistRequested`); the screen
that owns the session carries it out and hands back `remove_rows`.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from fttui.clock import VirtualClock
from fttui.tui.app import FttuiApp
from fttui.tui.screens.confirm import ConfirmScreen
from fttui.tui.widgets.generation_detail import title_line as describe_title
from fttui.tui.widgets.generation_list import MARK, GenerationList

from .helpers import make_app, wait_for

SIZE = (160, 48)


@pytest.fixture
def library(sim_factory: Any) -> Any:
    return sim_factory(clock=VirtualClock(), seed=3, generations=5)


def _summary(listing: GenerationList) -> str:
    return str(listing.query_one("#list-summary").render())


async def _ready(pilot: Pilot[Any], app: FttuiApp) -> GenerationList:
    listing = app.main.listing
    await wait_for(pilot, lambda: len(listing.rows) == 5, "the list")
    listing.focus_table()
    listing.table.move_cursor(row=0, animate=False)
    await pilot.pause()
    return listing


def _catch(app: FttuiApp, kind: type[Message]) -> list[Message]:
    """Record every `kind` message the list posts (the screen does not act on them yet)."""
    seen: list[Message] = []
    original = app.main.listing.post_message

    def post(message: Message) -> bool:
        if isinstance(message, kind):
            seen.append(message)
        return original(message)

    app.main.listing.post_message = post  # type: ignore[method-assign]
    return seen


async def test_x_marks_rows_shows_the_mark_and_the_count(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        listing = await _ready(pilot, app)
        ids = [g.id for g in listing.rows]
        await pilot.press("x")  # marks row 0, moves to row 1
        await pilot.press("j", "x")  # marks row 2
        await wait_for(pilot, lambda: len(listing.marked) == 2, "two marks")
        assert listing.marked == (ids[0], ids[2])
        assert listing.table.get_row(ids[0])[0].plain.startswith(MARK)
        assert not listing.table.get_row(ids[1])[0].plain.startswith(MARK)
        assert "2 marked" in _summary(listing)

        listing.table.move_cursor(row=0, animate=False)
        await pilot.press("x")  # unmarks row 0
        await wait_for(pilot, lambda: listing.marked == (ids[2],), "one mark left")
        listing.clear_marks()  # what the screen does once it acted on them
        await wait_for(pilot, lambda: listing.marked == (), "the marks cleared")
        assert "marked" not in _summary(listing)
        assert not listing.table.get_row(ids[2])[0].plain.startswith(MARK)


async def test_delete_key_asks_for_the_marked_rows_else_the_selected(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        listing = await _ready(pilot, app)
        asked = _catch(app, GenerationList.DeleteRequested)
        ids = [g.id for g in listing.rows]
        await pilot.press("D")
        await wait_for(pilot, lambda: len(asked) == 1, "a delete request")
        assert asked[0].ids == (ids[0],)  # type: ignore[attr-defined]
        # The screen asks before deleting: say no, back to the list.
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "the answer")

        await pilot.press("x", "x")
        await pilot.press("delete")
        await wait_for(pilot, lambda: len(asked) == 2, "a second delete request")
        assert asked[1].ids == (ids[0], ids[1])  # type: ignore[attr-defined]


async def test_add_key_asks_to_add_the_marked_rows_to_a_playlist(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        listing = await _ready(pilot, app)
        asked = _catch(app, GenerationList.AddToPlaylistRequested)
        ids = [g.id for g in listing.rows]
        await pilot.press("j", "x", "j", "j", "x")
        await pilot.press("a")
        await wait_for(pilot, lambda: len(asked) == 1, "an add request")
        assert asked[0].ids == (ids[1], ids[4])  # type: ignore[attr-defined]


async def test_remove_rows_drops_rows_and_their_marks_and_the_count(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        listing = await _ready(pilot, app)
        ids = [g.id for g in listing.rows]
        await pilot.press("x", "x")
        listing.remove_rows(ids[:2])
        await wait_for(pilot, lambda: len(listing.rows) == 3, "two rows gone")
        assert listing.marked == ()
        assert [g.id for g in listing.rows] == ids[2:]
        assert listing.table.row_count == 3
        assert _summary(listing) == "3 generations"


async def test_summary_says_what_the_number_counts(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        listing = await _ready(pilot, app)
        assert _summary(listing) == "5 generations"
        rows = listing.rows
        # Read at once: the screen soon answers the list's ask for more rows.
        listing.show(rows[:2], total=58, exhausted=False)
        assert _summary(listing) == "2 of 58 generations, scroll for more"
        listing.show(rows[:1], total=1, exhausted=True)
        assert _summary(listing) == "1 generation"


async def test_untitled_generation_shows_its_prompt_as_such_in_list_and_detail(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        listing = await _ready(pilot, app)
        untitled = listing.rows[0].model_copy(update={"title": None})
        listing.update(untitled)
        cell = listing.table.get_row(untitled.id)[0]
        assert cell.plain.startswith(untitled.prompt[:10])
        assert cell.style == "italic"
        await wait_for(
            pilot, lambda: app.main.query_one("#detail").generation == untitled, "the detail"
        )
        title = describe_title(untitled)
        assert title.plain.startswith(untitled.prompt[:10])
        assert "the prompt" in title.plain
        assert "(untitled)" not in title.plain
