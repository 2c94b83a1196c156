"""Fixtures shared by every test suite: an isolated home and running simulators.

- Every test gets `FTTUI_HOME` in a fresh temporary folder and no `FINETUNING_API_KEY`,
  so nothing touches the user's real configuration, cache or key.
- `sim` is a fresh simulator (real HTTP on loopback) whose generations finish in about
  0.4 s; `sim_factory(**options)` starts others (see `fttui.sim.server.start`, e.g.
  `clock=VirtualClock()`, `generations=100`, `faults=...`, `worker_slots=1`).
  All are stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fttui.sim.server import RunningSim, start

SimFactory = Callable[..., RunningSim]
FAST_SPEED = 20.0  # generations complete in ~0.4 s of real time


@pytest.fixture(autouse=True)
def fttui_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder `FTTUI_HOME` points at for this test; the real key is hidden."""
    home = tmp_path_factory.mktemp("fttui-home")
    monkeypatch.setenv("FTTUI_HOME", str(home))
    monkeypatch.delenv("FINETUNING_API_KEY", raising=False)
    return home


@pytest.fixture
def sim_factory() -> Iterator[SimFactory]:
    """Start simulators with given options (speed defaults to FAST_SPEED)."""
    started: list[RunningSim] = []

    def factory(**options: Any) -> RunningSim:
        options.setdefault("speed", FAST_SPEED)
        running = start(**options)
        started.append(running)
        return running

    yield factory
    for running in reversed(started):
        running.close()


@pytest.fixture
def sim(sim_factory: SimFactory) -> RunningSim:
    """A fresh simulator with default accounts and no faults."""
    return sim_factory()
