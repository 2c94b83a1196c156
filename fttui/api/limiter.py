"""One rate limiter for the whole process.

The API allows 60 requests per minute per user over a sliding window (the read budget),
and 10 creating POSTs per minute (the POST budget, its own window: `POST /v1/generations`
and `/v1/instrumental`). A bulk request is one request, whatever the number of ids it
carries. Every request fttui makes passes `RateLimiter.acquire` first:

* a local sliding window keeps fttui's own traffic under a cap that leaves headroom
  (background work such as polling stops well before user actions do);
* the server's `X-RateLimit-Remaining` is trusted too, since another program using the
  same key spends the same budget: as it falls, requests are spread over the rest of
  the minute instead of spent in a burst;
* a 429 RATE_LIMITED holds every request until its `Retry-After` has passed; a 429
  GENERATION_RATE_LIMITED holds only creating requests (reads go on).

A creating POST counts in both windows: the server counts it among the 60 as well.
"""

from __future__ import annotations

import enum
import weakref
from collections import deque
from dataclasses import dataclass

from fttui.clock import SYSTEM_CLOCK, Clock

WINDOW = 60.0
DEFAULT_LIMIT = 60
CREATE_LIMIT = 10
OTHERS_MARGIN = 3  # the server's count may trail ours by a request or two in flight
SERVER_RECHECK = 5.0


class Priority(enum.IntEnum):
    """Who is asking. A person waiting on the screen goes before background polling."""

    USER = 0
    BACKGROUND = 1


@dataclass(frozen=True)
class RateStatus:
    """A snapshot of the limiter, for a rate meter and a 429 countdown."""

    limit: int
    remaining: int | None
    """What the server said is left in its window, after the last answer (None before any)."""
    used_last_minute: int
    """Requests this process sent in the last 60 s."""
    blocked_until: float | None
    """Clock time (monotonic) until which every request is held, after a 429."""
    as_of: float
    post_limit: int = CREATE_LIMIT
    """Creating POSTs allowed a minute (the POST budget, apart from the read budget)."""
    posts_last_minute: int = 0
    """Creating POSTs this process sent in the last 60 s."""
    posts_blocked_until: float | None = None
    """Clock time (monotonic) until which creating requests are held, after a 429
    GENERATION_RATE_LIMITED (reads are not held)."""
    last_user_request: float | None = None
    """Clock time (monotonic) a person's request last asked to go (None: none yet)."""

    @property
    def post_remaining(self) -> int:
        """Creating POSTs left in this minute's POST budget, as this process counts them."""
        return max(0, self.post_limit - self.posts_last_minute)

    def seconds_until_posts_unblocked(self) -> float:
        """Seconds left on a hold of creating requests (0 when not held)."""
        held = [t for t in (self.blocked_until, self.posts_blocked_until) if t is not None]
        return max([0.0, *(t - self.as_of for t in held)])

    def seconds_until_unblocked(self) -> float:
        """Seconds left on a 429 hold when the snapshot was taken (0 when not held)."""
        if self.blocked_until is None:
            return 0.0
        return max(0.0, self.blocked_until - self.as_of)

    @property
    def blocked(self) -> bool:
        return self.seconds_until_unblocked() > 0


class RateLimiter:
    """Keeps every request of this process inside the API's limits.

    `acquire()` waits (on the injected clock) until a request may go, then counts it.
    Caps: user actions up to `limit - user_headroom`, background up to
    `limit - background_headroom` per sliding minute. Below `pace_below` requests left
    (as the server counts them), requests are spaced `60 / left` seconds apart.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        limit: int = DEFAULT_LIMIT,
        user_headroom: int = 4,
        background_headroom: int = 20,
        pace_below: int = 15,
        create_limit: int = CREATE_LIMIT,
        promote_after: float = 15.0,
    ) -> None:
        self.clock = clock or SYSTEM_CLOCK
        self._limit = limit
        self._reserve = {Priority.USER: user_headroom, Priority.BACKGROUND: background_headroom}
        self._pace_below = pace_below
        self._create_limit = create_limit
        self._promote_after = promote_after
        self._sent: deque[float] = deque()
        self._posts: deque[float] = deque()  # creating POSTs sent (the POST budget)
        self._server_remaining: int | None = None
        self._server_seen_at = 0.0
        self._sent_since_seen = 0
        self._blocked_until: float | None = None
        self._creates_blocked_until: float | None = None
        self._last_sent: float | None = None
        self.last_user_request: float | None = None
        """Clock time a person's request last asked to go (background work yields to it)."""

    # --- waiting ------------------------------------------------------------------

    async def acquire(self, priority: Priority = Priority.USER, *, create: bool = False) -> None:
        """Wait until a request may be sent now, and count it as sent.

        A background request that has waited `promote_after` seconds is promoted to a
        user's priority, so polling is slowed by a busy user but never starved.
        """
        started = self.clock.monotonic()
        if priority is Priority.USER:
            self.last_user_request = started
        while True:
            now = self.clock.monotonic()
            if now - started >= self._promote_after:
                priority = Priority.USER
            delay = self.delay(priority, now, create=create)
            if delay <= 0:
                if create:
                    self._posts.append(now)
                self._sent.append(now)
                self._last_sent = now
                self._sent_since_seen += 1
                return
            # Woken early or late, the checks run again: another task may have taken
            # the slot, or a 429 may have arrived meanwhile.
            await self.clock.sleep(delay)

    def delay(self, priority: Priority, now: float, *, create: bool = False) -> float:
        """Seconds to wait before a request of `priority` may go (0: now)."""
        self._expire(now)
        waits = [0.0]
        if self._blocked_until is not None:
            waits.append(self._blocked_until - now)
        reserve = self._reserve[priority]
        cap = max(1, self._limit - reserve)
        if len(self._sent) >= cap:
            # Wait until enough of the oldest requests leave the window.
            waits.append(self._sent[len(self._sent) - cap] + WINDOW - now)
        server_left = self._server_left(now)
        ours_left = self._limit - len(self._sent)
        if server_left is not None and server_left <= min(reserve, ours_left - OTHERS_MARGIN):
            # The server counts clearly more than we sent (another program shares the
            # key): look again in a while, when its window has moved on.
            waits.append(min(self._server_seen_at + WINDOW - now, SERVER_RECHECK))
        left = (ours_left if server_left is None else min(ours_left, server_left)) - reserve
        if 0 < left < self._pace_below and self._last_sent is not None:
            # Spread what is left over the coming minute instead of spending it at once.
            waits.append(self._last_sent + WINDOW / left - now)
        if create and len(self._posts) >= self._create_limit:
            waits.append(self._posts[len(self._posts) - self._create_limit] + WINDOW - now)
        if create and self._creates_blocked_until is not None:
            waits.append(self._creates_blocked_until - now)
        return max(waits)

    def create_wait(self) -> float:
        """Seconds before a creating POST may go for the POST budget alone: this
        process's 10 in the last minute, or the server's GENERATION_RATE_LIMITED hold
        (0: now). Short waits of the read budget are not counted."""
        now = self.clock.monotonic()
        self._expire(now)
        waits = [0.0]
        if len(self._posts) >= self._create_limit:
            waits.append(self._posts[len(self._posts) - self._create_limit] + WINDOW - now)
        if self._creates_blocked_until is not None:
            waits.append(self._creates_blocked_until - now)
        return max(waits)

    def _server_left(self, now: float) -> int | None:
        """Requests left as the server last counted them, less those sent since."""
        if self._server_remaining is None or now - self._server_seen_at >= WINDOW:
            return None
        return self._server_remaining - self._sent_since_seen

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()
        while self._posts and self._posts[0] <= now - WINDOW:
            self._posts.popleft()
        if self._blocked_until is not None and self._blocked_until <= now:
            self._blocked_until = None
        if self._creates_blocked_until is not None and self._creates_blocked_until <= now:
            self._creates_blocked_until = None

    # --- what the server said -----------------------------------------------------

    def observe(self, limit: int | None, remaining: int | None) -> None:
        """Record an answer's `X-RateLimit-Limit` / `X-RateLimit-Remaining`."""
        if limit is not None and limit > 0:
            self._limit = limit
        if remaining is not None:
            self._server_remaining = max(0, remaining)
            self._server_seen_at = self.clock.monotonic()
            self._sent_since_seen = 0

    def block(self, seconds: float) -> None:
        """Hold every request for `seconds` (a 429 RATE_LIMITED's Retry-After)."""
        until = self.clock.monotonic() + max(0.0, seconds)
        if self._blocked_until is None or until > self._blocked_until:
            self._blocked_until = until

    def hold_creates(self, seconds: float) -> None:
        """Hold creating requests only (a 429 GENERATION_RATE_LIMITED's Retry-After)."""
        until = self.clock.monotonic() + max(0.0, seconds)
        if self._creates_blocked_until is None or until > self._creates_blocked_until:
            self._creates_blocked_until = until

    @property
    def status(self) -> RateStatus:
        """The current state, for display."""
        now = self.clock.monotonic()
        self._expire(now)
        return RateStatus(
            limit=self._limit,
            remaining=self._server_remaining,
            used_last_minute=len(self._sent),
            blocked_until=self._blocked_until,
            as_of=now,
            post_limit=self._create_limit,
            posts_last_minute=len(self._posts),
            posts_blocked_until=self._creates_blocked_until,
            last_user_request=self.last_user_request,
        )


_PROCESS_LIMITERS: weakref.WeakKeyDictionary[object, RateLimiter] = weakref.WeakKeyDictionary()


def default_limiter(clock: Clock | None = None) -> RateLimiter:
    """The process-wide limiter for `clock` (the system clock unless a test injects one).

    Every client of the process shares it, so two clients never spend the budget twice.
    """
    clock = clock or SYSTEM_CLOCK
    limiter = _PROCESS_LIMITERS.get(clock)
    if limiter is None:
        limiter = _PROCESS_LIMITERS[clock] = RateLimiter(clock)
    return limiter
