"""The process-wide watcher: batched polling, each change once, idle when idle."""

from __future__ import annotations

import asyncio
import random
import statistics
from collections import defaultdict
from collections.abc import Callable

import httpx
import pytest

from fttui.api.client import FinetuningClient
from fttui.api.errors import FttuiError, InvalidApiKey, NotFound
from fttui.api.models import CreatedGeneration, Generation, GenerationRequest
from fttui.api.timing import FinishPredictor, Sample
from fttui.api.watcher import Watcher, WatchTimeout
from fttui.clock import VirtualClock
from fttui.sim.accounts import REVOKED_KEY
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport


def track(tags: str = "dub techno", duration: int = 30) -> GenerationRequest:
    return GenerationRequest.from_fields({"tags": tags, "duration": duration})


async def wait_until_idle(watcher: Watcher, clock: VirtualClock) -> None:
    while watcher.in_flight:
        await clock.sleep(1)


async def test_each_change_and_each_final_state_is_reported_once(
    make_client: ClientFactory, sim_factory: object, clock: VirtualClock
) -> None:
    client = make_client()
    seen: dict[str, list[str]] = defaultdict(list)
    watcher = Watcher(client, on_update=lambda g: seen[g.id].append(g.status))
    runner = asyncio.create_task(watcher.run())
    ok = await client.create_generation(track())
    failing = await client.create_generation(track("glitch fail-me"))
    watcher.watch(ok.as_generation())
    watcher.watch(failing.id)  # by id only: its first status is news too
    await wait_until_idle(watcher, clock)
    runner.cancel()
    assert seen[ok.id] == ["completed"]
    assert seen[failing.id][-1] == "failed"
    assert len(seen[failing.id]) == len(set(seen[failing.id]))


async def test_pending_then_processing_then_completed(
    sim_factory: object, clock: VirtualClock, make_client: ClientFactory
) -> None:
    from fttui.sim.server import start

    sim = start(clock=clock, speed=1.0, worker_slots=1)  # the second waits as pending
    try:
        client = make_client(base_url=sim.base_url)
        updates: list[Generation] = []
        watcher = Watcher(client, on_update=updates.append)
        runner = asyncio.create_task(watcher.run())
        first = await client.create_generation(track())
        second = await client.create_generation(track())
        watcher.watch(first.as_generation())
        watcher.watch(second.as_generation())
        await wait_until_idle(watcher, clock)
        runner.cancel()
        statuses = [g.status for g in updates if g.id == second.id]
        assert statuses == ["processing", "completed"]  # it was pending when submitted
        final = [g for g in updates if g.is_final]
        assert len(final) == 2
        assert all(g.audio_url for g in final)
    finally:
        sim.close()


async def test_one_request_per_tick_whatever_the_number_in_flight(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    counting = CountingTransport()
    client = make_client(transport=counting)
    watcher = Watcher(client)
    runner = asyncio.create_task(watcher.run())
    for n in range(5):
        watcher.watch((await client.create_generation(track(f"take {n}"))).as_generation())
    start, before = clock.monotonic(), len(counting.requests)
    await wait_until_idle(watcher, clock)
    runner.cancel()
    polls = counting.requests[before:]
    # One GET per tick: the list while several are in flight, the item for the last one.
    assert all(method == "GET" and path.startswith("/v1/generations") for method, path in polls)
    assert [p for _, p in polls].count("/v1/generations") >= 1
    elapsed = clock.monotonic() - start
    assert elapsed < 60
    assert len(polls) <= 20
    assert len(polls) < 5 * elapsed / 3  # what five per-generation 3 s loops would cost


async def test_no_requests_while_nothing_is_in_flight(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    counting = CountingTransport()
    watcher = Watcher(make_client(transport=counting))
    runner = asyncio.create_task(watcher.run())
    await clock.sleep(600)
    assert counting.requests == []
    assert watcher.requests == 0
    runner.cancel()


async def test_updates_iterator_and_wake_on_watch(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    watcher = Watcher(client)
    runner = asyncio.create_task(watcher.run())
    await clock.sleep(30)  # idle first: watch() must wake it
    created = await client.create_generation(track())
    updates = watcher.updates()
    first = asyncio.ensure_future(anext(updates))
    await asyncio.sleep(0)
    watcher.watch(created.as_generation())
    generation = await first
    assert generation.id == created.id
    assert generation.status == "completed"
    runner.cancel()


async def test_a_generation_stuck_in_progress_times_out_locally(
    sim_factory: object, clock: VirtualClock, make_client: ClientFactory
) -> None:
    from fttui.sim.server import start

    sim = start(clock=clock, speed=0.01)  # ~13 minutes per generation
    try:
        client = make_client(base_url=sim.base_url)
        timeouts: list[WatchTimeout] = []
        updates: list[Generation] = []
        watcher = Watcher(client, on_update=updates.append, on_timeout=timeouts.append, timeout=120)
        runner = asyncio.create_task(watcher.run())
        created = await client.create_generation(track())
        watcher.watch(created.as_generation())
        await wait_until_idle(watcher, clock)
        runner.cancel()
        [verdict] = timeouts
        assert verdict.generation_id == created.id
        assert verdict.waited >= 120
        assert verdict.last_seen is not None
        assert verdict.last_seen.status == "processing"
        assert updates == []  # no server status was invented
    finally:
        sim.close()


async def test_survives_server_errors_and_backs_off(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    client = make_client()
    updates: list[Generation] = []
    watcher = Watcher(client, on_update=updates.append)
    runner = asyncio.create_task(watcher.run())
    created = await client.create_generation(track())
    vsim.set_faults(internal_error="next:12", html_502="next:3")
    watcher.watch(created.as_generation())
    await wait_until_idle(watcher, clock)
    runner.cancel()
    assert [g.status for g in updates] == ["completed"]
    assert not runner.done() or runner.cancelled()


async def test_an_auth_error_is_reported_and_pauses_polling(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    errors: list[FttuiError] = []
    counting = CountingTransport()
    watcher = Watcher(make_client(key=REVOKED_KEY, transport=counting), on_error=errors.append)
    runner = asyncio.create_task(watcher.run())
    watcher.watch("some-generation")
    while not errors:
        await clock.sleep(1)
    assert isinstance(errors[0], InvalidApiKey)
    assert watcher.paused
    sent = len(counting.requests)
    await clock.sleep(300)
    assert len(counting.requests) == sent  # paused: no hammering with a bad key
    runner.cancel()


async def test_a_listener_that_raises_does_not_stop_the_watcher(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    calls: list[str] = []

    def broken(generation: Generation) -> None:
        calls.append(generation.id)
        raise RuntimeError("listener bug")

    watcher = Watcher(client, on_update=broken)
    runner = asyncio.create_task(watcher.run())
    for n in range(2):
        watcher.watch((await client.create_generation(track(f"x{n}"))).as_generation())
    await wait_until_idle(watcher, clock)
    assert len(calls) == 2
    assert not runner.done()
    runner.cancel()


@pytest.mark.parametrize("seed", [1, 2])
async def test_five_in_flight_and_browsing_for_ten_minutes_without_a_429(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, seed: int
) -> None:
    counting = CountingTransport()
    client = make_client(transport=counting)
    finals: list[Generation] = []
    watcher = Watcher(client, on_update=lambda g: g.is_final and finals.append(g))
    runner = asyncio.create_task(watcher.run())
    end = clock.monotonic() + 600
    rng = random.Random(seed)
    browsed = 0

    async def submitting() -> None:
        batch = 0
        while clock.monotonic() < end:
            for n in range(5):
                created = await client.create_generation(track(f"batch {batch} take {n}"))
                watcher.watch(created.as_generation())
            batch += 1
            await wait_until_idle(watcher, clock)

    async def browsing() -> None:
        nonlocal browsed
        while clock.monotonic() < end:
            action = rng.choice(["page", "page", "detail", "me"])
            if action == "page":
                await client.list_generations(offset=rng.choice([0, 0, 20]))
            elif action == "me":
                await client.me()
            elif finals:
                await client.get_generation(rng.choice(finals).id)
            browsed += 1
            await clock.sleep(rng.uniform(0.3, 2.5))  # a busy person clicking around

    await asyncio.gather(submitting(), browsing())
    runner.cancel()
    assert counting.statuses[429] == 0
    # Bounded by the 10-created-per-minute limit (~100), and slowed by the busy user.
    assert len(finals) >= 50
    assert browsed >= 300
    assert vsim.post_count() == vsim.generation_count() == len(finals) + len(watcher.in_flight)


async def _finished(client: FinetuningClient, clock: VirtualClock, tags: str) -> Generation:
    """A generation created and run to its end (completed, or failed for `fail-me`)."""
    created = await client.create_generation(track(tags))
    while not (generation := await client.get_generation(created.id)).is_final:
        await clock.sleep(2)
    return generation


@pytest.mark.parametrize("tags", ["warm pads", "glitch fail-me"])
async def test_watching_a_generation_already_final_reports_it_once(
    make_client: ClientFactory, clock: VirtualClock, tags: str
) -> None:
    client = make_client()
    final = await _finished(client, clock, tags)
    updates: list[Generation] = []
    watcher = Watcher(client, on_update=updates.append)
    queued = watcher.updates()
    first = asyncio.ensure_future(anext(queued))
    await asyncio.sleep(0)  # the subscriber is registered
    runner = asyncio.create_task(watcher.run())
    sent = watcher.requests
    watcher.watch(final)
    await clock.sleep(60)
    assert updates == [final]  # once, and nothing polled for it
    assert first.done() and first.result() == final
    assert watcher.in_flight == frozenset()
    assert watcher.requests == sent
    runner.cancel()


async def test_a_final_copy_of_a_generation_in_flight_ends_its_watch(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    final = await _finished(client, clock, "slow strings")
    updates: list[Generation] = []
    watcher = Watcher(client, on_update=updates.append)
    watcher.watch(final.id)  # followed by id first (e.g. from the journal)...
    assert watcher.in_flight == {final.id}
    watcher.watch(final)  # ...then a reconcile finds it already completed
    assert updates == [final]
    assert watcher.in_flight == frozenset()


# --- the learned watcher (issue 10) ------------------------------------------------------


class TimedTransport(CountingTransport):
    """Counts requests with the clock time at which each was sent."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self.clock = clock
        self.sent: list[float] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.sent.append(self.clock.monotonic())
        return await super().handle_async_request(request)

    def most_in_a_minute(self) -> int:
        return max((sum(t <= s < t + 60 for s in self.sent) for t in self.sent), default=0)


def history(seconds: float, spread: float = 1.2, n: int = 12) -> list[Sample]:
    """Finished 30 s tracks whose generationTime was spread evenly around `seconds`."""
    return [(30, "music", seconds - spread + 2 * spread * k / (n - 1)) for k in range(n)]


async def watch_round(
    client: FinetuningClient, watcher: Watcher, clock: VirtualClock, count: int, label: str
) -> list[float]:
    """`count` generations watched to their end: how late each was seen, in seconds."""
    created = [await client.create_generation(track(f"{label} {n}")) for n in range(count)]
    return await lateness(watcher, clock, created)


async def lateness(
    watcher: Watcher, clock: VirtualClock, created: list[CreatedGeneration]
) -> list[float]:
    """Watch `created` to their end: how long after its `completedAt` each was seen."""
    loop = asyncio.get_running_loop()
    seen = {c.id: loop.create_future() for c in created}

    def on_update(generation: Generation) -> None:
        future = seen.get(generation.id)
        if generation.is_final and future is not None and not future.done():
            assert generation.completed_at is not None
            future.set_result((clock.now() - generation.completed_at).total_seconds())

    watcher.on_update = on_update
    for c in created:
        watcher.watch(c.as_generation())
    return [await future for future in seen.values()]


@pytest.mark.parametrize("in_flight", [1, 5])  # 5: the API's queue depth
async def test_learned_watcher_sees_fifty_second_generations_within_a_second_on_12_gets_a_minute(
    sim_factory: Callable[..., RunningSim],
    clock: VirtualClock,
    make_client: ClientFactory,
    in_flight: int,
) -> None:
    sim = sim_factory(clock=clock, speed=1.0, generation_seconds=(50, 1.2))
    timed = TimedTransport(clock)
    client = make_client(base_url=sim.base_url, transport=timed)
    watcher = Watcher(client, predictor=FinishPredictor(history(50)))
    runner = asyncio.create_task(watcher.run())
    latencies = await watch_round(client, watcher, clock, in_flight, "slow")
    runner.cancel()
    assert statistics.median(latencies) <= 1.0
    assert max(latencies) <= 3.0
    assert timed.most_in_a_minute() <= 12


async def test_learned_watcher_learns_from_generations_seen_finishing(
    sim_factory: Callable[..., RunningSim], clock: VirtualClock, make_client: ClientFactory
) -> None:
    sim = sim_factory(clock=clock, speed=1.0, generation_seconds=(50, 1.2))
    timed = TimedTransport(clock)
    client = make_client(base_url=sim.base_url, transport=timed)
    predictor = FinishPredictor()  # no history: a cautious first round
    watcher = Watcher(client, predictor=predictor)
    runner = asyncio.create_task(watcher.run())
    first = await watch_round(client, watcher, clock, 3, "first")
    assert len(predictor) == 3
    later = [x for n in range(3) for x in await watch_round(client, watcher, clock, 3, f"r{n}")]
    runner.cancel()
    assert statistics.median(later) <= 1.0 < statistics.median(first)
    assert timed.most_in_a_minute() <= 12


async def test_a_vanished_generation_is_reported_by_its_id(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    gone: list[str] = []
    errors: list[FttuiError] = []
    updates: list[Generation] = []
    watcher = Watcher(client, on_gone=gone.append, on_error=errors.append, on_update=updates.append)
    runner = asyncio.create_task(watcher.run())
    real = await client.create_generation(track())
    watcher.watch("gen-vanished-1")  # alone: its own GET answers 404
    await wait_until_idle(watcher, clock)
    watcher.watch(real.as_generation())
    watcher.watch("gen-vanished-2")  # with another: missing from the list, then 404
    await wait_until_idle(watcher, clock)
    runner.cancel()
    assert gone == ["gen-vanished-1", "gen-vanished-2"]
    assert errors == []
    assert [g.id for g in updates] == [real.id]


async def test_without_on_gone_a_vanished_generation_still_goes_to_on_error(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    errors: list[FttuiError] = []
    watcher = Watcher(make_client(), on_error=errors.append)
    runner = asyncio.create_task(watcher.run())
    watcher.watch("gen-vanished")
    await wait_until_idle(watcher, clock)
    runner.cancel()
    assert [type(e) for e in errors] == [NotFound]


async def test_a_long_generation_is_reported_stalled_after_5_minutes_and_still_checked(
    sim_factory: Callable[..., RunningSim], clock: VirtualClock, make_client: ClientFactory
) -> None:
    sim = sim_factory(clock=clock, speed=1.0, generation_seconds=(900, 0))  # 15 minutes
    timed = TimedTransport(clock)
    client = make_client(base_url=sim.base_url, transport=timed)
    stalled: list[WatchTimeout] = []
    timeouts: list[WatchTimeout] = []
    updates: list[Generation] = []
    watcher = Watcher(
        client,
        predictor=FinishPredictor(history(50)),
        on_stalled=stalled.append,
        on_timeout=timeouts.append,
        on_update=updates.append,
    )
    runner = asyncio.create_task(watcher.run())
    created = await client.create_generation(track())
    start = clock.monotonic()
    watcher.watch(created.as_generation())
    while not stalled:
        await clock.sleep(1)
    assert watcher.stalled == {created.id}
    [verdict] = stalled
    assert verdict.stalled and verdict.generation_id == created.id
    assert verdict.waited >= 300
    assert verdict.last_seen is not None and verdict.last_seen.status == "processing"
    await wait_until_idle(watcher, clock)  # past the old 10-minute give-up
    runner.cancel()
    assert timeouts == []
    assert [g.status for g in updates] == ["completed"]
    late_looks = [t for t in timed.sent if t >= start + 300]
    assert 10 <= len(late_looks) <= 600 / 30 + 3  # now and then: every 30 s
    assert len(stalled) == 1
