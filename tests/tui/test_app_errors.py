"""Every documented error reaches the user where they are looking."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from fttui.api import errors
from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.sim.accounts import DEMO_KEY, EXHAUSTED_KEY, NO_API_PLAN_KEY
from fttui.tui.app import FttuiApp
from fttui.tui.screens.main import MainScreen

from .helpers import make_app, wait_for


def _connected(app: FttuiApp) -> bool:
    return app.main.header.account is not None


def _submit(main: MainScreen, tags: str = "test tune") -> None:
    """What ctrl+s does once the form is valid (without the key-repeat guard)."""
    main.form.busy = True
    main.submit_request(GenerationRequest.from_fields({"tags": tags}))


def _fail_posts_with(app: FttuiApp, exc: Exception) -> None:
    async def refuse(request: Any, **options: Any) -> Any:
        raise exc

    assert app.session is not None
    app.session.client.create_generation = refuse  # type: ignore[method-assign]


async def test_plan_without_api_access_explains_the_plan(sim) -> None:
    app = make_app(sim.base_url, NO_API_PLAN_KEY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "plan" in app.main.banner.kinds, "the plan banner")
        assert "Pro" in app.main.banner.text_of("plan")
        assert app.main.form.blocked


async def test_exhausted_month_disables_submit_and_keeps_the_draft(sim) -> None:
    app = make_app(sim.base_url, EXHAUSTED_KEY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "credits" in app.main.banner.kinds, "the credits banner")
        app.main.form.load({"tags": "kept"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert sim.post_count(EXHAUSTED_KEY) == 0
        assert "until credits return" in app.main.form.blocked
        assert app.main.form.fields()["tags"] == "kept"


async def test_queue_full_counts_down_and_offers_to_submit_later(sim_factory) -> None:
    sim = sim_factory(speed=0.01)  # nothing finishes during the test
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        depth = sim.state.account(sim.demo_key).queue_depth  # the capacity: /me never says
        for n in range(depth + 1):
            _submit(main, f"tune {n}")
            await wait_for(pilot, lambda: not main.form.busy, "an answer")
        assert "queue" in main.banner.kinds
        assert " s" in main.banner.text_of("queue")  # the countdown
        assert main.form.waiting and "Queue full." in main.form.wait_reason
        main.form.load({"tags": "the one that waits"})  # what the form held when refused
        assert main.check_action("submit_when_free", ()) is True
        await pilot.press("w")
        assert main.form.armed
        await pilot.press("w")  # a second press cancels
        assert not main.form.armed
        await pilot.press("w")
        posts = sim.post_count()
        main.slot_may_be_free()  # what a finished generation triggers
        await wait_for(pilot, lambda: sim.post_count() == posts + 1, "the armed submit")
        await wait_for(pilot, lambda: not main.form.busy, "its answer")
        # Still full (nothing finishes here): refused again, it waits again, unarmed.
        assert main.form.waiting and not main.form.armed
        assert sim.post_count() == posts + 1  # sent once, not again


async def test_the_post_limit_counts_down_at_the_button_and_sends_once_armed(
    sim_factory,
) -> None:
    sim = sim_factory(speed=0.01)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        # The web app (same account) spent this minute's 10 POSTs 55 s ago: the server
        # refuses for 5 s more (time enough to arm, even on a loaded machine).
        state = sim.state
        creations = state.limits_of(state.account(sim.demo_key)).creations
        for _ in range(creations.limit):
            creations.record(state.now() - 55)
        _submit(main, "one too many")
        await wait_for(pilot, lambda: not main.form.busy, "the answer")
        assert sim.post_count() == 1 and sim.generation_count() == 0
        assert "10 generations a minute" in main.form.wait_reason
        assert "posts" in main.banner.kinds and not main.form.blocked  # reads go on
        main.form.load({"tags": "the one that waits"})
        await pilot.press("w")
        assert main.form.armed
        await wait_for(pilot, lambda: sim.generation_count() == 1, "the armed submit")
        assert sim.post_count() == 2


async def test_rate_limited_counts_down_then_goes_on(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        _fail_posts_with(app, errors.RateLimited("slow down", status=429, retry_after=3))
        _submit(main)
        await wait_for(pilot, lambda: "rate" in main.banner.kinds, "the rate banner")
        assert "in 3 s" in main.banner.text_of("rate")
        assert main.form.blocked
        main.banner.tick()
        assert "in 2 s" in main.banner.text_of("rate")
        main.banner.tick()
        main.banner.tick()
        await pilot.pause()
        assert "rate" not in main.banner.kinds
        assert not main.form.blocked


async def test_server_validation_messages_land_at_the_fields(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        details = [{"field": "bpm", "message": "bpm [b]must[/b] be 60-200"}]
        _fail_posts_with(app, errors.ValidationFailed("invalid", status=400, details=details))
        _submit(main)
        await wait_for(pilot, lambda: main.form.query_one("#bpm-error").has_class("-shown"), "it")
        assert str(main.form.query_one("#bpm-error").render()) == "bpm [b]must[/b] be 60-200"


async def test_generation_failed_says_it_was_not_created_and_offers_a_retry(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        _fail_posts_with(app, errors.GenerationFailed("queue down", status=500))
        _submit(main)
        await wait_for(pilot, lambda: "server" in main.banner.kinds, "the banner")
        text = main.banner.text_of("server")
        assert "not created" in text and "ctrl+s" in text
        assert not main.form.blocked


async def test_lost_answer_is_reconciled_not_resent(sim) -> None:
    sim.set_faults(drop_after_commit="next:1,only:POST")
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        _submit(main, "lost answer")
        await wait_for(pilot, lambda: not main.form.busy, "the outcome")
        assert sim.post_count() == 1
        assert sim.generation_count() == 1
        await wait_for(pilot, lambda: main.listing.rows, "the list")
        assert main.listing.rows[0].prompt == "lost answer"


async def test_unconfirmed_submission_blocks_submit_until_settled(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        _fail_posts_with(app, errors.SubmissionUnconfirmed("lost", journal_id="j1"))
        _submit(main)
        await wait_for(pilot, lambda: "unconfirmed" in main.banner.kinds, "the banner")
        assert main.form.blocked


async def test_a_vanished_generation_is_dropped_with_a_message(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=4)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 40)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        await pilot.press("j")
        gone = main.listing.selected
        assert gone is not None
        with sim.state.lock:
            sim.state._by_id.pop(gone.id)
            for items in sim.state._generations.values():
                items[:] = [g for g in items if g.id != gone.id]
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(main.listing.rows) == 4, "the row to go")
        assert gone.id not in [g.id for g in main.listing.rows]
        assert any("no longer exists" in str(n.message) for n in app._notifications)


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_offline_start_shows_the_cache_and_a_banner(sim_factory) -> None:
    sim = sim_factory(generations=12, seed=6)
    first = make_app(sim.base_url, sim.demo_key)
    async with first.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(first.main.listing.rows) == 12, "the first sync")
    app = make_app(_dead_url(), sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: "offline" in main.banner.kinds, "the offline banner")
        assert main.banner.text_of("offline") == (
            "Offline: can't reach 127.0.0.1 — showing cached generations; retrying in 10 s."
        )
        assert "offline" in str(main.header.render())  # not "connecting…"
        assert len(main.listing.rows) == 12
        await pilot.press("slash", *"zzz-no-match")
        await pilot.pause()
        assert main.listing.rows == []


async def test_going_offline_marks_the_header_stale_until_the_server_answers(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        assert not main.header.stale
        real = main.session.client.me
        _fail_me_with(app, errors.TransportError("Could not connect to the server."))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "offline" in main.banner.kinds, "the offline banner")
        assert main.header.stale and "as last seen" in str(main.header.render())
        assert "Could not connect" not in main.banner.text_of("offline")  # said once
        main.session.client.me = real  # type: ignore[method-assign]
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not main.header.stale, "the header to be live again")


def _fail_me_with(app: FttuiApp, exc: Exception) -> None:
    async def refuse() -> Any:
        raise exc

    assert app.session is not None
    app.session.client.me = refuse  # type: ignore[method-assign]


class ManualClock(VirtualClock):
    """Virtual time that moves only when the test says so: the retries wait for it."""

    def _ensure_driver(self, loop: asyncio.AbstractEventLoop) -> None:
        pass


async def _advance_until(
    pilot: Any, clock: ManualClock, condition: Callable[[], bool], what: str
) -> None:
    """Move time on one retry's longest wait at a time until `condition()` holds."""
    for _ in range(20):
        if condition():
            return
        clock.advance(30.0)
        await pilot.pause(0.05)
    await wait_for(pilot, condition, what)


async def test_reconnecting_shows_at_the_first_failure_while_the_retries_go_on(
    sim_factory,
) -> None:
    sim = sim_factory()
    sim.set_faults(html_502="rate:1.0")  # a proxy's 502 for every request
    clock = ManualClock()
    app = make_app(sim.base_url, sim.demo_key, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: "reconnecting" in main.banner.kinds, "reconnecting")
        assert sim.faults.html_502.fired == 1  # said at the first failure, not the fifth
        assert main.banner.text_of("reconnecting") == "Can't reach 127.0.0.1: reconnecting…"
        assert "reconnecting…" in str(main.header.render())
        assert "offline" not in main.banner.kinds
        await _advance_until(
            pilot, clock, lambda: "offline" in main.banner.kinds, "the offline banner"
        )
        assert sim.faults.html_502.fired == 5  # the retries went on in the background
        assert "reconnecting" not in main.banner.kinds
        assert "retrying in 10 s" in main.banner.text_of("offline")  # the countdown, as before
        assert "reconnecting" not in str(main.header.render())


async def test_reconnecting_goes_when_a_retry_gets_through(sim_factory) -> None:
    sim = sim_factory()
    sim.set_faults(internal_error="next:1")
    clock = ManualClock()
    app = make_app(sim.base_url, sim.demo_key, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: "reconnecting" in main.banner.kinds, "reconnecting")
        assert main.banner.text_of("reconnecting") == "The server had a problem: retrying…"
        await _advance_until(pilot, clock, lambda: _connected(app), "the account")
        await wait_for(pilot, lambda: not main.banner.kinds, "the banner to go")
        assert "reconnecting" not in str(main.header.render())


async def test_a_refused_connection_says_reconnecting_at_once(sim_factory) -> None:
    clock = ManualClock()
    app = make_app(_dead_url(), DEMO_KEY, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: "reconnecting" in main.banner.kinds, "reconnecting")
        assert main.banner.text_of("reconnecting") == "Can't reach 127.0.0.1: reconnecting…"
        assert "reconnecting…" in str(main.header.render())
        await _advance_until(
            pilot, clock, lambda: "offline" in main.banner.kinds, "the offline banner"
        )
        assert "reconnecting" not in main.banner.kinds


async def test_each_kind_from_the_form_reaches_its_own_endpoint(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: _connected(app), "the account")
        main.form.load({"kind": "instrumental", "tags": "warm pads", "duration": "45"})
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.generation_count() == 1, "the instrumental")
        [made] = sim.state.generations(sim.demo_key)
        assert made.type == "instrumental"
        await wait_for(pilot, lambda: not main.form.busy, "its answer")
        main.form.load({"kind": "sound_effect", "tags": "door slam", "duration": "2"})
        await pilot.pause()
        await pilot.press("ctrl+s")
        effects = sim.state.sound_effects
        account = sim.state.account(sim.demo_key)
        await wait_for(pilot, lambda: len(effects.newest_first(account)) == 1, "the effect")
        assert effects.newest_first(account)[0].audio.prompt == "door slam"
        assert sim.generation_count() == 1  # a sound effect is not a generation
        await wait_for(pilot, lambda: "Sound effect queued" in main.form.feedback, "the line")
