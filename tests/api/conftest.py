"""Fixtures of the client's tests: a simulator on a virtual clock shared with the client.

The clock is a discrete-event `VirtualClock`: the client's backoff, the limiter's waits,
the watcher's ticks and the simulator's generations and rate windows all run on it, so
minutes of traffic take a fraction of a second and nothing sleeps for real.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from fttui.api.client import FinetuningClient, RetryPolicy
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey
from fttui.api.limiter import RateLimiter
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim

ClientFactory = Callable[..., FinetuningClient]


class CountingTransport(httpx.AsyncBaseTransport):
    """The real transport, counting every answer's status (e.g. to count 429s)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.statuses: Counter[int] = Counter()
        self.requests: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        self.statuses[response.status_code] += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def vsim(sim_factory: Callable[..., RunningSim], clock: VirtualClock) -> RunningSim:
    """A simulator on the shared virtual clock, at real speed (generations take ~8 s)."""
    return sim_factory(clock=clock, speed=1.0)


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    return tmp_path / "journal"


@pytest.fixture
async def make_client(
    vsim: RunningSim, clock: VirtualClock, journal_dir: Path
) -> AsyncIterator[ClientFactory]:
    """Clients on `vsim` with the demo key, the shared clock, a fresh limiter, a seeded RNG."""
    made: list[FinetuningClient] = []
    limiter = RateLimiter(clock)

    def factory(**options: Any) -> FinetuningClient:
        key = options.pop("key", vsim.demo_key)
        options.setdefault("clock", clock)
        options.setdefault("limiter", limiter)
        options.setdefault("journal", SubmissionJournal(journal_dir))
        options.setdefault("rng", random.Random(7))
        options.setdefault("retry", RetryPolicy())
        base_url = options.pop("base_url", vsim.base_url)
        client = FinetuningClient(ApiKey(key) if isinstance(key, str) else key, base_url, **options)
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
def counting() -> CountingTransport:
    return CountingTransport()
