"""The learned watcher on long generations (the live API's ~200 s): looks saved up while
waiting are spent inside the narrow window where the end is due."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable

from fttui.api.timing import FinishPredictor
from fttui.clock import VirtualClock
from fttui.session.following import make_watcher
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory
from tests.api.test_watcher import TimedTransport, history, watch_round


async def test_two_hundred_second_generations_are_seen_within_a_second_on_12_gets_a_minute(
    sim_factory: Callable[..., RunningSim], clock: VirtualClock, make_client: ClientFactory
) -> None:
    sim = sim_factory(clock=clock, speed=1.0, generation_seconds=(200, 5.0))
    timed = TimedTransport(clock)
    client = make_client(base_url=sim.base_url, transport=timed)
    watcher = make_watcher(client, predictor=FinishPredictor(history(200, spread=5.0)))
    runner = asyncio.create_task(watcher.run())
    latencies = [x for n in range(4) for x in await watch_round(client, watcher, clock, 2, f"r{n}")]
    runner.cancel()
    assert statistics.median(latencies) <= 1.0
    assert timed.most_in_a_minute() <= 12
