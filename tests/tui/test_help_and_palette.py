"""The footer, `?`, the command palette and the README's key table agree."""

from __future__ import annotations

import re
from pathlib import Path

from textual.command import Hit
from textual.keys import key_to_character
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from fttui.tui.app import FttuiApp
from fttui.tui.bindings import readme_key_table
from fttui.tui.commands import BindingCommands, collect_bindings, describe_bindings, where

from .helpers import make_app, started, wait_for

README = Path(__file__).parents[2] / "README.md"


def _footer_line(app: FttuiApp) -> str:
    """The footer's row as the terminal shows it."""
    footer = app.screen.query_one(Footer)
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[footer.region.y])


def _cut_labels(app: FttuiApp) -> list[str]:
    """Footer labels that are shown only in part (like "API ke")."""
    footer = app.screen.query_one(Footer)
    line = _footer_line(app)
    cut = []
    for key in footer.query(FooterKey):
        label = f"{key.key_display} {key.description}".strip()
        if key.description and key.description[:3] in line and label not in line:
            cut.append(label)
    return cut


async def test_footer_at_80_columns_shows_help_key_and_no_cut_label(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        await pilot.pause()
        line = _footer_line(app)
        assert "? Keys" in line, line
        assert _cut_labels(app) == [], line
        await pilot.press("n")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "tags", "form")
        await pilot.pause()
        assert _cut_labels(app) == [], _footer_line(app)


async def test_help_lists_each_key_where_it_works(sim) -> None:
    """A key listed for "list" works with the list focused, "form" in a form field,
    "anywhere" in both (and is not typed into the field instead)."""
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        await wait_for(pilot, lambda: app.main.form.is_complete, "the whole form")
        places = {"list": "#table", "form": "#tags"}
        working: dict[str, set[tuple[str, str]]] = {}
        for place, selector in places.items():
            app.main.query_one(selector).focus()
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            working[place] = {
                (active.binding.key, active.binding.action)
                for key, active in app.screen.active_bindings.items()
                if active.enabled and not focused.check_consume_key(key, key_to_character(key))
            }
        wrong = []
        for node, binding in collect_bindings(app, app.main):
            place = where(node, binding)
            wanted = list(places) if place == "anywhere" else [place]
            ident = (binding.key, binding.action)
            if binding.action == "submit_when_free":
                continue  # offered only while a submission waits for a free slot
            for each in wanted:
                if ident not in working[each] and not _textual_own(binding.action):
                    wrong.append(f"{binding.key} ({binding.description}) listed for {place}")
        assert wrong == []


def _textual_own(action: str) -> bool:
    """Textual's own keys (tab, arrows, ctrl+q) are checked by Textual itself."""
    return action in {"quit", "command_palette", "app.focus_next", "app.focus_previous"} | {
        "cursor_up",
        "cursor_down",
        "select_cursor",
    }


async def _palette_titles(app: FttuiApp) -> list[str]:
    provider = BindingCommands(app.main)
    titles = [str(hit.text) for hit in [hit async for hit in provider.discover()]]
    return titles + [command.title for command in app.get_system_commands(app.main)]


async def test_palette_lists_keys_and_theme_once(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        titles = await _palette_titles(app)
        duplicates = sorted({title for title in titles if titles.count(title) > 1})
        assert duplicates == []
        assert {"Keys", "Theme"} <= set(titles)


async def test_palette_finds_every_player_action(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        provider = BindingCommands(app.main)
        titles = [str(hit.text) for hit in [hit async for hit in provider.discover()]]
        for wanted in (
            "Play/pause",
            "Stop",
            "Seek back 5 s",
            "Seek forward 5 s",
            "Seek back 30 s",
            "Seek forward 30 s",
            "Volume up",
            "Volume down",
            "Next track",
            "Previous track",
            "Download",
            "Copy link",
        ):
            assert wanted in titles
        seeks = [hit async for hit in provider.search("seek")]
        assert len([hit for hit in seeks if isinstance(hit, Hit)]) == 4


async def test_readme_key_table_is_the_bindings_table(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        table = readme_key_table(describe_bindings(app, app.main))
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- keys -->\n(.*?)<!-- /keys -->", text, re.DOTALL)
    assert found is not None, f"README.md has no <!-- keys --> table; it should be:\n{table}"
    assert found.group(1) == table, f"README.md's key table should be:\n{table}"
