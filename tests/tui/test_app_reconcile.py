"""At start, the app settles what a crashed run left in the journal before it lets the
form submit, without waiting for ctrl+r."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from fttui import locations
from fttui.api.journal import SubmissionJournal
from fttui.clock import SystemClock
from fttui.sim.server import RunningSim
from fttui.sim.validation import parse_submission
from tests.api.journal_helpers import leave_entry

from .helpers import make_app, wait_for


def _a_crashed_run_left_its_submission(sim: RunningSim) -> str:
    """A run that died between its POST and the answer: created, but it never knew (its
    journal entry still open). Returns the generation's id."""
    body = {"tags": "crashed run groove", "seed": 77, "duration": 30}
    with sim.state.lock:
        account = sim.state.account(sim.demo_key)
        created = sim.state.create(account, parse_submission(json.dumps(body).encode()))
    leave_entry(locations.journal_dir(), body, datetime.now(timezone.utc) - timedelta(seconds=5))
    return created.id


async def test_a_crashed_runs_submission_is_settled_at_start_before_submitting_is_on(
    sim: RunningSim,
) -> None:
    created_id = _a_crashed_run_left_its_submission(sim)

    app = make_app(sim.base_url, sim.demo_key, clock=SystemClock())
    sim.state.lock.acquire()  # the server answers nothing until the test lets go
    held = True
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main
            await wait_for(
                pilot,
                lambda: main.session is not None and main.form.is_complete and main.form.blocked,
                "submitting to be off while the journal is checked",
            )
            assert "unconfirmed" in main.banner.kinds
            assert len(SubmissionJournal().pending()) == 1
            sim.state.lock.release()
            held = False
            await wait_for(pilot, lambda: not SubmissionJournal().pending(), "the reconcile")
            await wait_for(pilot, lambda: not main.form.blocked, "submitting to be on again")
            assert "unconfirmed" not in main.banner.kinds
            assert any("created after all" in n.message for n in app._notifications)
            await wait_for(
                pilot, lambda: any(r.id == created_id for r in main.listing.rows), "the row"
            )
    finally:
        if held:
            sim.state.lock.release()
    assert sim.post_count() == 0  # found, never re-sent


async def test_a_submission_found_in_the_background_leaves_the_users_draft_alone(
    sim: RunningSim,
) -> None:
    created_id = _a_crashed_run_left_its_submission(sim)

    app = make_app(sim.base_url, sim.demo_key, clock=SystemClock())
    sim.state.lock.acquire()  # the answer waits until the new draft is in the form
    held = True
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            main = app.main
            await wait_for(pilot, lambda: main.form.is_complete, "the whole form")
            main.form.load({"tags": "a new idea", "seed": "4242"})  # seed not locked
            sim.state.lock.release()
            held = False
            await wait_for(
                pilot, lambda: any(r.id == created_id for r in main.listing.rows), "the row"
            )
            await wait_for(pilot, lambda: not main.form.blocked, "submitting to be on again")
            # Someone else's submission, settled: the form keeps what the user typed.
            assert main.form.fields()["seed"] == "4242"
            assert main.form.fields()["tags"] == "a new idea"
    finally:
        if held:
            sim.state.lock.release()
