"""Variations in the app: the dialog sends a batch, the compare view keeps one take,
quitting half way asks, and a restart offers the rest."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, Static

from fttui.config import Settings
from fttui.session.batch import BatchFolder
from fttui.tui.screens.confirm import ConfirmScreen
from fttui.tui.screens.main import MainScreen
from fttui.tui.screens.variations import CompareView, VariationsDialog

from .helpers import make_app, settled, wait_for


async def open_dialog(pilot: Any, app: Any, **fields: Any) -> VariationsDialog:
    main = app.main
    await settled(pilot, app)
    main.form.load({"tags": "dusty lofi piano", "duration": 20, "bpm": 90, **fields})
    main.action_new()
    await wait_for(pilot, main.in_form, "the form")
    await pilot.press("ctrl+b")
    await wait_for(pilot, lambda: isinstance(app.screen, VariationsDialog), "the dialog")
    dialog: VariationsDialog = app.screen
    return dialog


def stated(capacity: int) -> Settings:
    """Settings with the queue's size stated (else a batch goes one at a time)."""
    return Settings(bell=False, player_backend="null", queue_capacity=capacity)


async def test_the_dialog_sends_a_bpm_sweep_as_one_batch_in_the_list(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key, settings=stated(5))  # the simulator's queue
    async with app.run_test(size=(160, 48)) as pilot:
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#varying", Select).value = "bpm"
        await pilot.pause()
        dialog.query_one("#count", Input).value = "3"
        dialog.query_one("#from", Input).value = "80"
        dialog.query_one("#to", Input).value = "120"
        await wait_for(pilot, lambda: dialog.plan and len(dialog.plan.takes) == 3, "the plan")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 3, "the three POSTs")
        await wait_for(pilot, lambda: not app.main.batch_senders, "the batch sent")
        made = sorted(g.bpm for g in sim.state.generations(sim.demo_key))
        assert made == [80, 100, 120]
        ids = [row.id for row in app.main.listing.rows]
        batches = app.session.store.batches_of(ids)
        assert len(batches) == 3 and len(set(batches.values())) == 1  # one group
        labels = [str(app.main.listing._cells(row)[0]) for row in app.main.listing.rows]
        assert sorted(label.split()[2] for label in labels) == ["100", "120", "80"]
        assert all(label.startswith("◇ bpm ") for label in labels)


def said(dialog: VariationsDialog) -> str:
    return str(dialog.query_one("#variations-at-once", Static).render())


async def test_the_dialog_says_one_at_a_time_until_fttui_knows_the_queue_size(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        dialog = await open_dialog(pilot, app)
        assert said(dialog) == "Sends one at a time until fttui knows your queue size."


async def test_the_dialog_says_the_queue_size_stated_in_the_config(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key, settings=stated(2))
    async with app.run_test(size=(160, 48)) as pilot:
        dialog = await open_dialog(pilot, app)
        assert said(dialog) == "Sends 2 at a time: your queue size."
        dialog.query_one("#count", Input).value = "2"
        await wait_for(pilot, lambda: dialog.plan and len(dialog.plan.takes) == 2, "the plan")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 2, "both sent at once")


async def test_the_compare_view_keeps_one_take_and_deletes_the_rest(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key, settings=stated(5))
    async with app.run_test(size=(160, 48)) as pilot:
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#count", Input).value = "3"
        await wait_for(pilot, lambda: dialog.plan and len(dialog.plan.takes) == 3, "the plan")
        await pilot.press("ctrl+s")
        main: MainScreen = app.main
        await wait_for(pilot, lambda: sim.post_count() == 3, "the three POSTs")
        await wait_for(pilot, lambda: not main.batch_senders, "the batch sent")
        await wait_for(
            pilot,
            lambda: all(r.status == "completed" for r in main.listing.rows[:3]),
            "the takes to finish",
        )
        main.action_list()
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareView), "the compare view")
        view: CompareView = app.screen
        assert len(view.playable()) == 3
        keep = view.chosen
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: sim.generation_count() == 1, "the other two deleted")
        assert [g.id for g in sim.state.generations(sim.demo_key)] == [keep]
        await wait_for(pilot, lambda: len(main.listing.rows) == 1, "the list without them")


async def test_quitting_half_way_asks_and_a_restart_offers_the_rest(sim_factory) -> None:
    sim = sim_factory(speed=1.0)  # takes of ~8 s: the queue of two stays full meanwhile
    sim.state.account(sim.demo_key).queue_depth = 2
    BatchFolder().remember_capacity(2)  # learned from an earlier QUEUE_FULL
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#count", Input).value = "4"
        await wait_for(pilot, lambda: dialog.plan and len(dialog.plan.takes) == 4, "the plan")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 2, "two sent, the queue full")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert app.is_running
        await pilot.press("y")
    assert app.return_code == 0 and sim.post_count() == 2
    [left] = BatchFolder().unfinished()
    assert left.summary() == "Batch of 4 by seed: 2 sent, 2 not sent yet."

    sim.state.account(sim.demo_key).queue_depth = 10  # room now, and fttui knows it
    BatchFolder().remember_capacity(10)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer")
        detail = app.screen.query_one("#confirm-detail", Static)
        assert "2 sent, 2 not sent yet" in str(detail.render())
        await pilot.press("y")
        await wait_for(pilot, lambda: sim.post_count() == 4, "the rest sent")
        await wait_for(pilot, lambda: not app.main.batch_senders, "the batch done")
    assert BatchFolder().unfinished() == []
    assert sim.generation_count() == 4
