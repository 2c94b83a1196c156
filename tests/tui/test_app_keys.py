"""Keys, help, command palette, themes and the narrow layout."""

from __future__ import annotations

from textual.command import CommandPalette

from fttui.config import read_config_file
from fttui.tui.commands import BindingCommands, describe_bindings
from fttui.tui.screens.detail import DetailScreen
from fttui.tui.screens.help import HelpScreen

from .helpers import make_app, wait_for


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
