"""Deleting and adding to a playlist by keys only, in a real terminal (tmux), against a
simulator this test starts (so the test can look at what the server holds)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from fttui.clock import VirtualClock
from fttui.config import KEY_ENV_VAR

from .test_tmux import START_LIMIT, STEP_LIMIT, Terminal, pytestmark, terminal, wait_for_exit

__all__ = ["pytestmark", "terminal"]  # the markers and the tmux fixture, shared


def app_command(home: Path, exit_file: Path, base_url: str, key: str) -> str:
    """`fttui --base-url` in an isolated home, with the key in its environment only."""
    app = shlex.join(
        [
            "env",
            "-i",
            f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
            f"HOME={home}",
            f"FTTUI_HOME={home}",
            f"{KEY_ENV_VAR}={key}",
            "LANG=C.UTF-8",
            "TERM=xterm-256color",
            sys.executable,
            "-m",
            "fttui",
            "--base-url",
            base_url,
        ]
    )
    return f"{app}; echo $? > {shlex.quote(str(exit_file))}"


@pytest.fixture
def library(sim_factory: Any) -> Any:
    # A clock that never moves: the newest generation stays in progress, four finished.
    sim = sim_factory(clock=VirtualClock(), seed=3, generations=5, playlists=2)
    account = sim.state.account(sim.demo_key)
    with sim.state.lock:
        for playlist in sim.state.playlists.owned_by(account.id):
            playlist.track_ids = []  # any generation can go in
        for generation in sim.state.generations(sim.demo_key):
            generation.is_public = True
    return sim


def test_mark_delete_and_add_to_a_playlist_by_keys(
    terminal: Terminal, tmp_path: Path, library: Any
) -> None:
    home, exit_file = tmp_path / "home", tmp_path / "exit-status"
    key = library.demo_key
    account = library.state.account(key)
    terminal.start(app_command(home, exit_file, library.base_url, key), width=120, height=36)
    terminal.wait_for(lambda s: "Form" in s and "completed" in s, "the main screen", START_LIMIT)
    before = {g.id for g in library.state.generations(key)}

    # Row 0 is in progress: mark the two finished ones below it (x moves on), delete them.
    terminal.keys("j", "x", "x", "D")
    terminal.wait_for(
        lambda s: "Delete these 2 generations for good?" in s, "the question", STEP_LIMIT
    )
    assert "permanent" in terminal.screen()
    terminal.keys("y")
    terminal.wait_for(lambda s: "Deleted 2 generations" in s, "the deletion", STEP_LIMIT)
    after = {g.id for g in library.state.generations(key)}
    assert len(after) == 3 and after < before

    # The selected row into the first playlist offered.
    first = library.state.playlists.owned_by(account.id)[0]
    terminal.keys("a")
    terminal.wait_for(lambda s: "enter: add" in s, "the playlist picker", STEP_LIMIT)
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Added 1 track" in s, "the addition", STEP_LIMIT)
    assert len(first.track_ids) == 1 and set(first.track_ids) <= after

    terminal.keys("C-q")
    assert wait_for_exit(exit_file, STEP_LIMIT) == "0"
