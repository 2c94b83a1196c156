"""Issue 11, point 8: over SSH the header says the session is remote, a download says
where the file is and offers the `scp` line, and the audio link never wraps."""

from __future__ import annotations

import pytest
from rich.console import Console

from fttui.api.models import Generation
from fttui.tui.app import FttuiApp
from fttui.tui.screens.remote_play import RemoteFileScreen, RemotePlayScreen
from fttui.tui.widgets.generation_detail import describe

from .helpers import make_app, settled, wait_for

SSH_ENV = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")


@pytest.fixture
def over_ssh(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SSH_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.5 50000 198.51.100.7 22")
    monkeypatch.setenv("USER", "ada")


def _header(app: FttuiApp) -> str:
    return str(app.main.header.render())


async def _first_completed(pilot, app: FttuiApp) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: app.main.listing.rows, "the list")
    await settled(pilot, app)
    rows = app.main.listing.rows
    index = next(i for i, row in enumerate(rows) if row.status == "completed")
    assert app.main.listing.move_to(rows[index].id)


async def test_header_shows_the_session_is_remote(sim, over_ssh) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        assert "over SSH" in _header(app)


async def test_header_shows_nothing_remote_locally(sim, monkeypatch) -> None:
    for name in SSH_ENV:
        monkeypatch.delenv(name, raising=False)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        assert "SSH" not in _header(app)


async def test_download_over_ssh_offers_the_scp_line_on_the_clipboard(sim_factory, over_ssh):
    sim = sim_factory(generations=5, seed=4)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await _first_completed(pilot, app)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, RemoteFileScreen), "the offer")
        screen = app.screen
        assert isinstance(screen, RemoteFileScreen)
        assert "remote machine" in screen.said
        await pilot.press("c")
        line = app.clipboard
        assert line.startswith("scp ") and "ada@198.51.100.7:" in line and line.endswith(" .")
        assert ".mp3" in line
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "set-clipboard on" in toasts


async def test_play_over_ssh_keeps_play_here_anyway(sim_factory, over_ssh) -> None:
    sim = sim_factory(generations=5, seed=4)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await _first_completed(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.playback.player.state.active, "playing here")


async def test_copy_link_toast_says_what_to_do_when_osc52_is_ignored(sim_factory) -> None:
    sim = sim_factory(generations=5, seed=4)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await _first_completed(pilot, app)
        await pilot.press("c")
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "tmux" in toasts and "set-clipboard on" in toasts


def test_the_audio_link_in_the_detail_never_wraps_mid_url() -> None:
    url = "https://media.example.com/audio/" + "a1b2c3d4" * 12 + ".mp3"
    generation = Generation.model_validate(
        {"id": "gen_1", "status": "completed", "audioUrl": url, "prompt": "x"}
    )
    console = Console(width=60, record=True, color_system=None)
    console.print(describe(generation))
    lines = console.export_text().splitlines()
    audio = [line for line in lines if line.startswith("Audio")]
    assert len(audio) == 1 and "…" in audio[0] and "c copy" in audio[0]
    assert not any("a1b2c3d4.mp3" in line for line in lines)
