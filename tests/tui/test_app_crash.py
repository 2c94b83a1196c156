"""Settings that cannot be saved are said in the app, and never crash it or show the key.

(A crash itself, through the real program in a terminal: see
tests/cli/test_cli_local_state.py::test_a_crash_in_the_app_exits_non_zero_and_never_shows_the_key.)
"""

from __future__ import annotations

from typing import Any

from fttui import locations
from fttui.tui.app import FttuiApp, exit_code

from .helpers import make_app, wait_for


def notices(app: FttuiApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_a_theme_that_cannot_be_saved_is_said_not_a_crash(sim: Any) -> None:
    config = locations.config_file()
    config.write_text(f'api_key = "{sim.demo_key}"\n')
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        # Broken while the app runs (an editor, a sync tool): the next save finds it so.
        config.write_text(f'api_key = "{sim.demo_key}"\ntheme = nord\n')
        app.theme = "nord"
        await wait_for(pilot, lambda: any("theme" in n for n in notices(app)), "the notice")
        assert app.is_running
        [said] = notices(app)
        assert said.startswith(f"Could not save the theme: the config file {config}")
        assert "not valid TOML" in said
        assert sim.demo_key[8:] not in said
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_a_key_that_cannot_be_saved_is_used_for_the_session_and_said(sim: Any) -> None:
    locations.config_file().mkdir()  # a folder where the config file should be
    app = make_app(sim.base_url, None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#key-input"), "the key dialog")
        app.screen.query_one("#key-input").value = sim.demo_key  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        assert app.is_running
        said = [n for n in notices(app) if "API key" in n]
        assert said == [
            "Could not save the API key (it is used until you quit): the config file "
            f"{locations.config_file()} is a folder, not a file."
        ]
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_the_exit_code_is_not_zero_after_a_crash(sim: Any) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            app.call_later(_crash)
            await wait_for(pilot, lambda: app.return_code is not None, "the crash")
    except RuntimeError:
        pass  # the test harness raises the app's error again; the real run does not
    assert exit_code(app, None) == 1


def _crash() -> None:
    raise RuntimeError("an unexpected failure")
