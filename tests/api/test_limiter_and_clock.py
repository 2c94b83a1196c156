"""The process-wide limiter and the discrete-event virtual clock, without a server."""

from __future__ import annotations

import asyncio

from fttui.api.limiter import Priority, RateLimiter, default_limiter
from fttui.clock import SYSTEM_CLOCK, VirtualClock


async def test_concurrent_sleepers_share_one_timeline() -> None:
    clock = VirtualClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.monotonic()))

    await asyncio.gather(sleeper("a", 3), sleeper("b", 3), sleeper("c", 1), sleeper("d", 10))
    assert woke == [("c", 1.0), ("a", 3.0), ("b", 3.0), ("d", 10.0)]
    assert clock.monotonic() == 10.0


async def test_a_cancelled_sleeper_does_not_move_time() -> None:
    clock = VirtualClock()
    doomed = asyncio.ensure_future(clock.sleep(100))
    await asyncio.sleep(0)
    doomed.cancel()
    await clock.sleep(1)
    assert clock.monotonic() == 1.0


async def test_time_stands_still_while_busy() -> None:
    clock = VirtualClock()
    released = asyncio.Event()

    async def real_work() -> None:
        with clock.busy():
            await released.wait()

    worker = asyncio.create_task(real_work())
    sleeper = asyncio.create_task(clock.sleep(5))
    for _ in range(200):
        await asyncio.sleep(0)
    assert clock.monotonic() == 0.0
    assert not sleeper.done()
    released.set()
    await asyncio.gather(worker, sleeper)
    assert clock.monotonic() == 5.0


async def test_user_requests_stay_under_the_limit_with_headroom() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    for _ in range(200):
        await limiter.acquire(Priority.USER)
    sent = list(limiter._sent)
    # In any 60 s window at most limit - headroom requests.
    assert all(sum(1 for t in sent if s <= t < s + 60) <= 56 for s in sent)
    assert clock.monotonic() > 120


async def test_background_gives_way_and_slows_as_remaining_falls() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    gaps: list[float] = []
    last = 0.0
    for _ in range(45):
        await limiter.acquire(Priority.BACKGROUND)
        now = clock.monotonic()
        gaps.append(now - last)
        last = now
    assert max(len([t for t in limiter._sent if t > now - 60]), 0) <= 40
    # Early requests go at once; later ones are spread out, more as the budget shrinks.
    assert gaps[1] == 0.0
    assert gaps[30] > gaps[27] > 0


async def test_the_servers_remaining_is_respected() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    limiter.observe(60, 3)  # another program spent most of this minute's budget
    assert limiter.delay(Priority.BACKGROUND, 0.0) > 0
    assert limiter.delay(Priority.USER, 0.0) > 0
    await limiter.acquire(Priority.USER)  # waits for the server's window to move on
    assert 0 < clock.monotonic() <= 60
    limiter.observe(60, 50)  # the server says there is room again
    assert limiter.delay(Priority.BACKGROUND, clock.monotonic()) == 0


async def test_a_429_holds_everyone_and_a_create_hold_only_creates() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    limiter.block(42)
    assert limiter.status.seconds_until_unblocked() == 42
    await limiter.acquire(Priority.USER)
    assert clock.monotonic() == 42.0
    limiter.hold_creates(10)
    assert limiter.delay(Priority.USER, clock.monotonic()) == 0
    assert limiter.delay(Priority.USER, clock.monotonic(), create=True) == 10


async def test_ten_creations_a_minute_at_most() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    for _ in range(12):
        await limiter.acquire(Priority.USER, create=True)
    assert clock.monotonic() >= 60.0


async def test_the_post_budget_is_its_own_and_shown_apart_from_the_read_budget() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    for _ in range(10):
        await limiter.acquire(Priority.USER, create=True)
    status = limiter.status
    assert (status.post_limit, status.posts_last_minute, status.post_remaining) == (10, 10, 0)
    assert status.used_last_minute == 10  # the server counts them among the 60 too
    assert status.limit == 60
    # The POST budget is spent, yet reads go on at once.
    for _ in range(20):
        await limiter.acquire(Priority.USER)
    assert clock.monotonic() == 0.0
    assert limiter.status.posts_last_minute == 10
    # The next creating request waits for the first POST to leave the window.
    await limiter.acquire(Priority.USER, create=True)
    assert clock.monotonic() == 60.0


async def test_a_post_hold_holds_creating_requests_only_and_ends() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(clock)
    limiter.hold_creates(30)
    status = limiter.status
    assert status.seconds_until_posts_unblocked() == 30
    assert not status.blocked  # the read budget is not held
    await limiter.acquire(Priority.USER)
    assert clock.monotonic() == 0.0
    await limiter.acquire(Priority.USER, create=True)
    assert clock.monotonic() == 30.0
    assert limiter.status.posts_blocked_until is None


def test_one_limiter_per_process_and_clock() -> None:
    assert default_limiter() is default_limiter(SYSTEM_CLOCK)
    clock = VirtualClock()
    assert default_limiter(clock) is default_limiter(clock) is not default_limiter()
