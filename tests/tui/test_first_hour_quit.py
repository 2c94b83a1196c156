"""Issue 11, point 5: `q` quits from the list, asks first while something is being sent,
and is only a letter in text fields."""

from __future__ import annotations

from fttui.tui.screens.confirm import ConfirmScreen

from .helpers import make_app, settled, wait_for


async def test_q_on_the_list_quits(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: app._exit, "the app to quit")


async def test_q_while_a_submission_is_sent_asks_and_no_keeps_the_app(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, app)
        sim.set_faults(commit_latency=5)  # the answer is held a while: still sending
        app.main.form.load({"tags": "on its way"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.main.form.busy, "the submission under way")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "no")
        assert not app._exit
        await wait_for(pilot, lambda: not app.main.form.busy, "the answer")


async def test_q_in_the_search_box_and_in_the_form_is_a_letter(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, app)
        await pilot.press("slash", "q")
        await wait_for(pilot, lambda: app.main.listing.query_text == "q", "q in the search")
        await pilot.press("escape", "escape", "n", "q")
        await wait_for(pilot, lambda: app.main.form.fields()["tags"].endswith("q"), "q typed")
        assert not app._exit
