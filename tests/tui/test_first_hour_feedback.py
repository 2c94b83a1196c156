"""Issue 11, point 1: submitting, waiting and sending-when-possible speak in one line by
the submit button, updated in place; toasts are kept for what finished or failed."""

from __future__ import annotations

from textual.widgets import Static

from fttui.tui.app import FttuiApp
from fttui.tui.screens.help import HelpScreen

from .helpers import make_app, send_keys_at_once, settled, wait_for


def _line(app: FttuiApp) -> str:
    line = app.main.query_one("#submit-wait", Static)
    return str(line.render()) if line.display else ""


def _toasts(app: FttuiApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def test_several_submit_presses_say_submitted_in_the_line_and_stack_no_toasts(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        sim.set_faults(commit_latency=0.5)  # the presses land while it is being sent
        app.main.form.load({"tags": "held down key"})
        send_keys_at_once(app, *["ctrl+s"] * 6)
        await wait_for(pilot, lambda: "Sending" in _line(app), "the line saying it is sent")
        sim.set_faults(commit_latency=0)
        await wait_for(pilot, lambda: "Submitted" in _line(app), "the line saying it was taken")
        assert sim.post_count() == 1
        # Nothing about the presses or the acceptance in a toast; at most the finish.
        assert [t for t in _toasts(app) if "completed" not in t] == []
        await settled(pilot, app)


async def test_presses_during_a_countdown_update_the_line_without_toasts(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        form = app.main.form
        form.load({"tags": "wait for it"})
        form.wait_until(40, "Queue full.")
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s", "ctrl+s")
        assert "Queue full. Try again in" in _line(app)
        await pilot.press("w")  # arm "send when possible": said in the same line
        await wait_for(pilot, lambda: form.armed, "armed")
        assert "sends by itself" in _line(app)
        assert _toasts(app) == []
        assert sim.post_count() == 0
        await settled(pilot, app)


async def test_help_says_that_the_same_request_twice_asks_first(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "same request again asks first" in text


async def test_an_invalid_form_says_not_sent_in_the_line_however_often_pressed(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, app)
        app.main.form.load({"tags": "", "bpm": 300})
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s")
        assert _line(app) == "Not sent: fix the 2 fields marked in red."
        assert app.main.query_one("#submit-wait").has_class("-problem")
        assert _toasts(app) == []
        assert sim.post_count() == 0
