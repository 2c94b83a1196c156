"""Fixtures shared by the app's tests."""

from __future__ import annotations

from typing import Any

import pytest

from fttui.clock import VirtualClock

SSH_ENV = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")


@pytest.fixture
def local_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local session: whoever runs the suite over SSH must not turn every play into
    the remote offer (use it with `pytestmark = pytest.mark.usefixtures(...)`)."""
    for name in SSH_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def library(sim_factory: Any) -> Any:
    """Five generations on a clock that never moves: row 0 stays in progress, rows 1 to 4
    are finished."""
    return sim_factory(clock=VirtualClock(), seed=3, generations=5)
