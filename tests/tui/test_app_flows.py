"""The whole app against the simulator: submit, live updates, list, remix, draft."""

from __future__ import annotations

import stat

from textual.widgets import Input

from fttui import locations
from fttui.sim.accounts import REVOKED_KEY
from fttui.tui.draft import Draft
from fttui.tui.screens.confirm import ConfirmScreen
from fttui.tui.screens.key_entry import KeyEntryScreen
from fttui.tui.screens.main import MainScreen
from fttui.tui.widgets.generation_form import GenerationForm

from .helpers import (
    key_dialog_ready,
    make_app,
    send_keys_at_once,
    settled,
    started,
    wait_for,
)


async def test_submit_runs_to_completed_with_a_notification(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: main.header.account is not None, "the account")
        before = main.header.account.limits.total_remaining
        main.form.load({"tags": "dusty lofi piano", "duration": 20, "seed": 42})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 1, "the POST")
        await wait_for(pilot, lambda: not main.form.busy, "the answer")
        # Credits come from creditsRemaining, not from another /v1/me.
        assert main.header.account.limits.total_remaining == before - 1
        newest = main.listing.rows[0]
        assert newest.prompt == "dusty lofi piano"
        # The notification is a message of its own, handled after the row is redrawn:
        # wait for it, not for the row.
        await wait_for(
            pilot,
            lambda: any("completed" in (n.title or "") for n in app._notifications),
            "the notification that it completed",
        )
        assert main.listing.rows[0].status == "completed"
        assert main.form.fields()["seed"] == ""  # unlocked seed goes back to random


async def test_a_repeated_submit_key_sends_one_request(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        app.main.form.load({"tags": "one only"})
        # Held down: the repeats queue at once.
        send_keys_at_once(app, "ctrl+s", "ctrl+s", "ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() >= 1, "the POST")
        await wait_for(pilot, lambda: not app.main.form.busy, "the answer")
        await pilot.pause()
        assert sim.post_count() == 1


async def test_the_same_request_again_is_asked_for_however_slow_the_presses(sim) -> None:
    # Presses spaced by the test's own waits, as far apart as a loaded machine makes
    # them: no time window decides; the same request again takes a yes.
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        app.main.form.load({"tags": "one only"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 1, "the POST")
        await wait_for(pilot, lambda: not app.main.form.busy, "the answer")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("ctrl+s", "ctrl+s")  # held on: never an answer
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "no")
        assert sim.post_count() == 1
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: sim.post_count() == 2, "the second POST, asked for")
        await wait_for(pilot, lambda: not app.main.form.busy, "its answer")
        app.main.form.load({"tags": "something else"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 3, "a changed request, sent at once")


async def test_draft_survives_a_restart(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("n", *"rainy", "space", *"jazz")
        await wait_for(pilot, lambda: app.main.form.fields()["tags"] == "rainy jazz", "the tags")
        await settled(pilot, app)
    assert locations.draft_file().exists()
    again = make_app(sim.base_url, sim.demo_key)
    async with again.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: again.main.form.fields()["tags"] == "rainy jazz", "the draft")
        # Connected before it quits: this test is about the draft, not about quitting
        # while the first requests are under way.
        await settled(pilot, again)


async def test_remix_copies_parameters_and_seed(sim_factory) -> None:
    sim = sim_factory(generations=10, seed=3)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 10, "the list")
        await pilot.press("j", "j")
        source = main.listing.selected
        assert source is not None
        await pilot.press("r")
        fields = main.form.fields()
        assert fields["tags"] == source.prompt
        assert fields["seed"] == str(source.parameters.seed)
        assert fields["bpm"] == str(source.parameters.bpm)
        key, scale = source.parameters.key_and_scale
        assert (fields["key"], fields["scale"]) == (key, scale)
        assert isinstance(app.focused, Input) and app.focused.id == "tags"


async def test_search_filters_incrementally(sim_factory) -> None:
    sim = sim_factory(generations=40, seed=5)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 40, "the list")
        await pilot.press("slash", *"fiddle")
        await wait_for(
            pilot,
            lambda: (
                0 < len(main.listing.rows) < 40
                and all("fiddle" in (g.prompt or "").lower() for g in main.listing.rows)
            ),
            "only the matches",
        )
        await pilot.press("enter", "j")  # back to the rows, which still move
        assert main.listing.table.has_focus


async def test_filter_by_status(sim_factory) -> None:
    sim = sim_factory(generations=40, seed=5)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 40, "the list")
        await pilot.press("f", "f", "f")  # all → pending → processing → completed
        assert main.listing.status_filter == "completed"
        await wait_for(
            pilot,
            lambda: (
                0 < len(main.listing.rows) < 40
                and all(g.status == "completed" for g in main.listing.rows)
            ),
            "only the completed ones",
        )


async def test_paging_loads_older_generations_as_you_scroll(sim_factory) -> None:
    sim = sim_factory(generations=130, seed=2)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) > 0, "the first page")
        first = len(main.listing.rows)
        assert first < 130  # never the whole history at start
        await pilot.press("G")
        await wait_for(pilot, lambda: len(main.listing.rows) > first, "a second page")
        second = len(main.listing.rows)
        await pilot.press("G")
        await wait_for(pilot, lambda: len(main.listing.rows) > second, "a third page")
        ids = [g.id for g in main.listing.rows]
        assert len(ids) == len(set(ids))


async def test_rejected_key_asks_for_a_new_one_and_saves_it(sim) -> None:
    app = make_app(sim.base_url, REVOKED_KEY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: key_dialog_ready(app), "the key dialog")
        field = app.screen.query_one("#key-input", Input)
        assert field.password  # masked
        await pilot.press(*"ft_live_nothex", "enter")
        await wait_for(
            pilot,
            lambda: "not an API key" in str(app.screen.query_one("#key-error").render()),
            "the dialog to refuse it",
        )
        field.value = sim.demo_key
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: not isinstance(app.screen, KeyEntryScreen), "the dialog to close"
        )
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
    config = locations.config_file()
    assert sim.demo_key in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


async def test_no_key_shows_the_dialog_and_escape_keeps_the_cache(sim) -> None:
    app = make_app(sim.base_url, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: key_dialog_ready(app), "the key dialog")
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: not isinstance(app.screen, KeyEntryScreen) and bool(app.main.form.blocked),
            "the dialog to close, with submitting blocked",
        )
        assert not app.main.query_one(GenerationForm).action_submit()


async def test_after_a_narrow_submit_the_new_row_is_selected_and_in_sight(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.focused is main.form.query_one("#tags"), "the tags")
        await pilot.press(*"zebra", "ctrl+s")
        await wait_for(pilot, lambda: len(main.listing.rows) == 6, "the new row")
        await pilot.press("escape")  # the list was hidden (zero rows high) when it came
        await wait_for(pilot, lambda: main.listing.table.region.height > 0, "the list")
        await pilot.pause()
        table = main.listing.table
        assert main.listing.selected is not None
        assert main.listing.selected.prompt == "zebra"
        assert table.cursor_row == 0 and table.scroll_y == 0  # the newest row, in sight


async def test_a_submitted_generation_stays_selected_until_it_completes(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        main.form.load({"tags": "first one"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(main.listing.rows) == 6, "the new row")
        mine = main.listing.selected
        assert mine is not None and mine.prompt == "first one"
        await wait_for(
            pilot,
            lambda: (
                main.detail.generation is not None and main.detail.generation.status == "completed"
            ),
            "the detail to show it completed",
        )
        assert main.detail.generation.id == mine.id
        assert main.form.fields()["tags"] == "first one"  # the draft stays


async def test_a_user_who_moved_keeps_the_row_they_chose(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        main.form.load({"tags": "second one"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(main.listing.rows) == 6, "the new row")
        mine = main.listing.rows[0]
        main.listing.focus_table()
        await pilot.press("j", "j")
        chosen = main.listing.selected
        await wait_for(pilot, lambda: main.listing.rows[0].status == "completed", "completion")
        await pilot.pause()
        assert chosen is not None and chosen.id != mine.id
        assert main.listing.selected is not None and main.listing.selected.id == chosen.id


async def test_no_key_says_so_plainly(sim) -> None:
    app = make_app(sim.base_url, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: key_dialog_ready(app), "the key dialog")
        main = app.main
        assert "no API key" in str(main.header.render())
        reason = str(app.screen.query_one("#key-reason").render())
        assert "No API key" in reason and "ctrl+k" not in reason  # the dialog is open
        await pilot.press("escape")
        # Closed: now say how to reopen it.
        await wait_for(pilot, lambda: "ctrl+k" in main.banner.text_of("key"), "the hint")
        summary = str(main.listing.query_one("#list-summary").render())
        assert "scroll for more" not in summary


def test_a_key_problem_said_before_the_screen_is_mounted_waits_for_it(tmp_path) -> None:
    screen = MainScreen(draft=Draft(tmp_path / "draft.json"), demo=False)
    screen.key_problem("No API key yet.")  # no Banner to query yet: must not raise
    assert screen._key_reason == "No API key yet."


async def test_one_item_with_an_impossible_date_does_not_empty_the_list(sim_factory) -> None:
    sim = sim_factory(generations=10, seed=3)
    sim.set_faults(huge_timestamp="rate:1")  # every page's first item: createdAt 1e300
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 10, "the whole list")
        assert sum(g.created_at is None for g in main.listing.rows) == 1
        assert sim.faults.huge_timestamp.fired >= 1
