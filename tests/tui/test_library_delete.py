"""Deleting generations from the list, in the whole app against the simulator."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from fttui.clock import VirtualClock
from fttui.tui.app import FttuiApp
from fttui.tui.screens.confirm import ConfirmScreen

from .helpers import make_app, wait_for

SIZE = (160, 48)


pytestmark = pytest.mark.usefixtures("local_terminal")


@pytest.fixture
def library(sim_factory: Any) -> Any:
    # A clock that never moves: row 0 stays in progress, rows 1 to 4 are finished.
    return sim_factory(clock=VirtualClock(), seed=3, generations=5, playlists=1)


def _messages(app: FttuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _server_ids(sim: Any) -> set[str]:
    return {g.id for g in sim.state.generations(sim.demo_key)}


async def _ready(pilot: Pilot[Any], app: FttuiApp) -> None:
    await wait_for(pilot, lambda: len(app.main.listing.rows) == 5, "the list")
    app.main.listing.focus_table()
    app.main.listing.table.move_cursor(row=1, animate=False)
    await pilot.pause()


async def test_deleting_marked_rows_asks_then_drops_them_everywhere(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        listing = app.main.listing
        first, second = listing.rows[1], listing.rows[2]
        await pilot.press("x", "x", "D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert first.display_title in text and second.display_title in text
        assert "permanent" in text
        await pilot.press("y")
        await wait_for(pilot, lambda: len(listing.rows) == 3, "the rows to go")
        assert {first.id, second.id}.isdisjoint(_server_ids(library))
        assert {first.id, second.id}.isdisjoint(g.id for g in listing.rows)
        assert listing.marked == ()
        session = app.main.session
        assert session is not None
        cached = {g.id for g in session.page(status=None, query=None, limit=50)}
        assert {first.id, second.id}.isdisjoint(cached)
        assert any("Deleted 2 generations" in m for m in _messages(app))


async def test_answering_no_deletes_nothing(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "the answer")
        assert len(app.main.listing.rows) == 5
        assert len(_server_ids(library)) == 5


async def test_a_generation_not_deleted_stays_with_its_reason_by_title(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        listing = app.main.listing
        kept, deleted = listing.rows[1], listing.rows[2]
        # Gone from the server already (deleted elsewhere): the server refuses that one.
        account = library.state.account(library.demo_key)
        library.state.delete(account, [kept.id])
        await pilot.press("x", "x", "D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: deleted.id not in {g.id for g in listing.rows}, "delete")
        assert kept.id in {g.id for g in listing.rows}
        said = " ".join(_messages(app))
        assert f"“{kept.display_title}”" in said
        assert "not found or not owned by you" in said.lower()
        assert listing.marked == ()


async def test_deleting_the_track_playing_stops_it(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        playing = app.main.listing.rows[1]
        await pilot.press("space")
        player = app.playback.player
        await wait_for(pilot, lambda: player.state.status == "playing", "playback")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: player.state.status != "playing", "the stop")
        assert playing.id not in _server_ids(library)


async def test_a_deleted_track_later_in_the_play_queue_leaves_it_and_the_playing_one_goes_on(
    library,
) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        listing = app.main.listing
        await pilot.press("space")  # row 1 (row 0 is in progress), the rows after it queued
        player = app.playback.player
        await wait_for(pilot, lambda: player.state.status == "playing", "playback")
        queued = [track.id for track in player.queue.tracks]
        doomed = listing.rows[3].id
        assert doomed in queued and queued[0] == listing.rows[1].id
        await pilot.press("j", "j", "x", "D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: doomed not in _server_ids(library), "the delete")
        await wait_for(
            pilot, lambda: doomed not in [t.id for t in player.queue.tracks], "the queue"
        )
        assert [t.id for t in player.queue.tracks] == [i for i in queued if i != doomed]
        assert player.state.status == "playing"  # the one playing was not deleted
        assert player.state.queue_position == f"1/{len(queued) - 1}"
