"""Issue 11, point 4: a submission whose answer was lost and that the app finds at start
keeps its lyrics in the cache and the detail, as a normal submit does.

The earlier run is a client like `fttui generate`'s: the simulator drops its POST's
answer after creating the generation and fails every list while it looks, so it ends
unconfirmed with its entry (and its lyrics) in the journal.
"""

from __future__ import annotations

import pytest

from fttui.api.client import FinetuningClient
from fttui.api.errors import SubmissionUnconfirmed
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey
from fttui.api.limiter import RateLimiter
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.store import GenerationStore

from .helpers import detail_text, make_app, settled, wait_for

LYRICS = "[Chorus]\nSent into the dark, found in the morning"


async def test_lyrics_of_a_lost_answer_found_at_start_are_kept(sim_factory) -> None:
    clock = VirtualClock()
    sim = sim_factory(clock=clock)
    sim.set_faults(drop_after_commit="next:1,only:POST", internal_error="rate:1,only:GET")
    request = GenerationRequest.from_fields(
        {"tags": "found in the morning", "lyrics": LYRICS, "duration": 20}
    )
    async with FinetuningClient(
        ApiKey(sim.demo_key), sim.base_url, clock=clock, limiter=RateLimiter(clock)
    ) as earlier_run:
        with pytest.raises(SubmissionUnconfirmed):
            await earlier_run.create_generation(request)
    assert len(SubmissionJournal().pending()) == 1
    [made] = sim.state.generations(sim.demo_key)
    sim.set_faults(internal_error="rate:0")

    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: not SubmissionJournal().pending(), "the reconcile")
        await wait_for(
            pilot, lambda: any(r.id == made.id for r in main.listing.rows), "the found row"
        )
        await settled(pilot, app)
        main.listing.move_to(made.id)
        await wait_for(pilot, lambda: "found in the morning" in detail_text(app), "the lyrics")
        assert sim.post_count() == 1  # found, never sent again
    with GenerationStore() as store:
        kept = store.get(made.id)
    assert kept is not None and kept.parameters.lyrics == LYRICS


async def test_lyrics_of_the_apps_own_lost_answer_found_by_ctrl_r_are_kept(sim_factory) -> None:
    from .test_app_errors import ManualClock, _advance_until

    sim = sim_factory()
    clock = ManualClock()
    app = make_app(sim.base_url, sim.demo_key, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: main.header.account is not None, "the account")
        await settled(pilot, app)
        # Created and charged, the answer lost, the list unreadable while the app looks.
        sim.set_faults(drop_after_commit="next:1,only:POST", internal_error="rate:1,only:GET")
        main.form.load({"tags": "lost in the app", "lyrics": LYRICS, "duration": 20})
        await pilot.press("ctrl+s")
        await _advance_until(
            pilot, clock, lambda: "unconfirmed" in main.banner.kinds, "the unconfirmed banner"
        )
        [made] = sim.state.generations(sim.demo_key)
        sim.set_faults(internal_error="rate:0")
        await pilot.press("ctrl+r")
        await _advance_until(
            pilot, clock, lambda: not SubmissionJournal().pending(), "the reconcile"
        )
        session = main.session
        assert session is not None
        await wait_for(
            pilot,
            lambda: (
                (kept := session.cached(made.id)) is not None and kept.parameters.lyrics == LYRICS
            ),
            "the lyrics kept with the found generation",
        )
        assert sim.post_count() == 1  # found, never sent again
