"""Presets: the form kept under a name in a readable TOML file, a few built in, loaded
from the form (ctrl+o) or the palette; loading only fills the form, it never sends."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from fttui import locations
from fttui.session.presets import (
    BUILT_IN,
    PresetError,
    all_presets,
    presets_file,
    save_preset,
    user_presets,
)
from fttui.sim.server import RunningSim
from fttui.tui.app import FttuiApp
from tests.tui.helpers import make_app, started, wait_for

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

FORM = {
    "kind": "music",
    "tags": 'night drive "synthwave", neon',
    "lyrics": "line one\nline two",
    "duration": "95",
    "bpm": "",
    "key": "F#",
    "scale": "minor",
    "timesignature": None,
    "language": "en",
    "seed": "42",
    "seed_locked": True,
    "enhance": True,
}


def test_a_saved_preset_is_a_readable_toml_file_in_the_config_folder() -> None:
    path = save_preset("Night drive", FORM)
    assert path == presets_file() and path.parent == locations.config_dir()
    text = path.read_text("utf-8")
    assert '[presets."Night drive"]' in text and "bpm" not in text, "empty fields left out"
    table = tomllib.loads(text)["presets"]["Night drive"]
    assert table["tags"] == FORM["tags"] and table["lyrics"] == FORM["lyrics"]
    assert "seed_locked" not in table
    assert user_presets()["Night drive"]["seed"] == "42"


def test_built_ins_come_first_and_a_users_preset_of_the_same_name_replaces_one() -> None:
    assert list(all_presets()) == list(BUILT_IN)
    save_preset("Lofi study", {"tags": "my own lofi"})
    save_preset("Mine", {"tags": "mine"})
    presets = all_presets()
    assert presets["Lofi study"] == {"tags": "my own lofi"}
    assert list(presets)[-1] == "Mine"


def test_a_broken_presets_file_is_one_clear_error() -> None:
    presets_file().write_text("[presets\n", "utf-8")
    with pytest.raises(PresetError, match="not valid TOML"):
        all_presets()
    with pytest.raises(PresetError, match="needs a name"):
        save_preset("  ", FORM)


async def _palette_run(pilot: Any, app: FttuiApp, open_key: str, words: str) -> None:
    from textual.command import CommandList, CommandPalette

    await pilot.press(open_key)
    await wait_for(pilot, lambda: CommandPalette.is_open(app), "the palette")
    await pilot.press(*words)
    await wait_for(
        pilot,
        lambda: any(c.option_count for c in app.screen.query(CommandList)),
        "the palette's matches",
    )
    await pilot.press("enter")
    await wait_for(pilot, lambda: not CommandPalette.is_open(app), "the palette to close")


async def test_a_preset_loads_into_the_form_from_the_form_key_and_sends_nothing(
    sim: RunningSim,
) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        app.main.form.query_one("#tags").focus()  # typing in the form
        await pilot.pause()
        await _palette_run(pilot, app, "ctrl+o", "Upbeat pop")
        await wait_for(pilot, lambda: app.main.form.fields()["bpm"] == "124", "the preset")
        fields = app.main.form.fields()
        assert fields["tags"] == BUILT_IN["Upbeat pop"]["tags"]
        assert (fields["key"], fields["scale"], fields["duration"]) == ("C", "major", "90")
        await pilot.pause()
        assert sim.post_count() == 0, "loading a preset never sends"


async def test_the_form_is_saved_as_a_preset_from_the_palette_and_loads_back(
    sim: RunningSim,
) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        app.main.form.load({**FORM, "kind": "music"})
        await _palette_run(pilot, app, "ctrl+p", "Save the form as a preset")
        await wait_for(pilot, lambda: bool(app.screen.query("#preset-name")), "the name prompt")
        await pilot.press(*"Neon", "enter")
        await wait_for(pilot, lambda: presets_file().exists(), "the presets file")
        assert user_presets()["Neon"]["tags"] == FORM["tags"]
        app.main.form.load({"tags": "something else"})
        await _palette_run(pilot, app, "ctrl+p", "Load preset: Neon")
        await wait_for(pilot, lambda: app.main.form.fields()["tags"] == FORM["tags"], "loaded")
        assert app.main.form.fields()["lyrics"] == FORM["lyrics"]
        assert sim.post_count() == 0
