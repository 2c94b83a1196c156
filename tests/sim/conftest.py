"""Fixtures of the simulator's own tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fttui.clock import VirtualClock
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.errors import ERROR_STATUS
from fttui.sim.server import RunningSim

ErrorCheck = Callable[[httpx.Response, str], dict[str, Any]]


@pytest.fixture
def client(sim: RunningSim) -> Iterator[httpx.Client]:
    """An HTTP client on the `sim` fixture's API with the demo key."""
    with httpx.Client(base_url=sim.base_url, headers={"X-API-Key": DEMO_KEY}) as http:
        yield http


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def vsim(sim_factory: Callable[..., RunningSim], clock: VirtualClock) -> RunningSim:
    """A simulator on a virtual clock at speed 1: nothing moves until the test says so."""
    return sim_factory(clock=clock, speed=1.0)


@pytest.fixture
def vclient(vsim: RunningSim) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=vsim.base_url, headers={"X-API-Key": DEMO_KEY}) as http:
        yield http


def _check_error(response: httpx.Response, code: str) -> dict[str, Any]:
    assert response.status_code == ERROR_STATUS[code], response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"code", "message", "details", "retryAfter"}
    if response.status_code == 429:
        retry = int(response.headers["Retry-After"])
        assert retry >= 1
        assert error["retryAfter"] == retry
    assert isinstance(error, dict)
    return error


@pytest.fixture
def expect_error() -> ErrorCheck:
    """Assert a response is the contract's error envelope for `code`; return `error`."""
    return _check_error
