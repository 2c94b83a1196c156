"""Keys, help, command palette, themes and the narrow layout."""

from __future__ import annotations

from textual.command import CommandPalette

from fttui.config import read_config_file
from fttui.tui.commands import PLACES, BindingCommands, describe_bindings
from fttui.tui.screens.detail import DetailScreen
from fttui.tui.screens.help import HelpScreen
from fttui.tui.widgets.generation_form import GenerationForm

from .helpers import make_app, started, wait_for


async def test_help_lists_every_binding(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = describe_bindings(app, app.main)
        described = {description for _, description, _ in rows}
        for wanted in ("Submit", "Remix", "Search", "Filter", "Form", "Random seed", "Theme"):
            assert wanted in described
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_the_bindings_and_runs_them(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press("escape")
        provider = BindingCommands(app.main)
        hits = {str(hit.text): hit for hit in [h async for h in provider.discover()]}
        assert {"Remix", "Submit", "Search", "Filter", "API key"} <= set(hits)
        await hits["Keys"].command()
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")


async def test_theme_choice_is_remembered(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert read_config_file()["theme"] == "nord"


async def test_narrow_terminal_shows_one_pane_at_a_time(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        assert main.has_class("-narrow")
        assert not main.form.display or not main.form.region.width
        await pilot.press("n")
        await pilot.pause()
        assert main.form.region.width > 0 and main.listing.region.width == 0
        await pilot.press("escape")
        await pilot.pause()
        assert main.listing.region.width > 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), "the detail screen")


async def test_the_form_gets_the_focus_on_its_first_field_once_shown(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.focused is not None, "a focused widget")
        await wait_for(pilot, lambda: app.focused.id == "tags", "the tags field")
        assert main.form.query_one("#tags").region.width > 0
        assert not GenerationForm.can_focus  # the container never holds the keyboard


async def test_letters_in_the_form_never_fire_shortcuts_whatever_has_the_focus(
    sim_factory,
) -> None:
    sim = sim_factory(generations=5, seed=8)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.focused is main.form.query_one("#tags"), "the tags")
        main.form.load({"tags": "my draft"})
        main.set_focus(None)  # the focus lost on the way (what the race at 80x24 did)
        await pilot.press("r", "w", "slash", "l")
        await pilot.pause()
        assert main.form.fields()["tags"] == "my draft"  # no remix
        assert main.has_class("-show-form")  # still in the form
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
        await started(pilot, app)  # the cached rows come before the form's other fields
        main.form.load({"tags": "my draft"})
        main.form.query_one("#seed-lock").focus()  # wide: a checkbox of the form
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert main.form.fields()["tags"] == "my draft"


async def test_help_shows_fttui_keys_in_words_and_fits(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        rows = describe_bindings(app, app.main)
        actions = {description: keys for keys, description, _ in rows}
        assert {where for _, _, where in rows} <= set(PLACES)
        assert actions["Submit"] == "ctrl+s ctrl+enter"  # every key of an action
        assert actions["Down"] == "↓ j"
        assert not {"Scroll Up", "Scroll Left", "Page Left", "Scroll Home"} & set(actions)
        assert (actions["Quit"], actions["Command palette"]) == ("ctrl+q", "ctrl+p")
        await pilot.press("question_mark")
        await pilot.pause()
        dialog = app.screen.query_one("#help-dialog")
        assert dialog.max_scroll_y == 0  # all of it in sight at 120x36
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        dialog = app.screen.query_one("#help-dialog")
        assert dialog.region.bottom <= 24 and dialog.max_scroll_y > 0  # scrolls instead
