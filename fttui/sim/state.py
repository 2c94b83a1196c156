"""Everything the simulator remembers: accounts, generations, rate-limit windows.

One lock guards it all: the server thread changes it, tests read it from theirs.
"""

from __future__ import annotations

import heapq
import random
import threading
import uuid
from collections import Counter
from dataclasses import dataclass

from fttui.clock import Clock, SystemClock
from fttui.sim.accounts import KEY_PATTERN, REVOKED_KEYS, Account, seeded_accounts
from fttui.sim.errors import ApiError
from fttui.sim.faults import Faults
from fttui.sim.generation import FAIL_WORD, UPLOAD_SECONDS, Generation, generation_time
from fttui.sim.ratelimit import UserLimits
from fttui.sim.validation import MUSICAL_KEYS, SCALES, ListQuery, Submission

FAIL_MESSAGE = "Generation failed: the model could not render this prompt"
CRASH_MESSAGE = "Generation failed: worker crashed while rendering"


@dataclass(frozen=True)
class Page:
    """One page of a listing."""

    generations: list[Generation]
    has_more: bool
    next_offset: int | None


class SimState:
    """The simulated service's data and its clocks.

    `speed` divides how long generations take; rate-limit windows are never scaled.
    With `worker_slots`, at most that many generations process at once and the rest
    wait as `pending`.
    """

    def __init__(
        self,
        *,
        media_url: str,
        clock: Clock | None = None,
        speed: float = 1.0,
        faults: Faults | None = None,
        seed: int = 0,
        worker_slots: int | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.lock = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        self.speed = speed
        self.media_url = media_url.rstrip("/")
        self.faults = faults or Faults(seed=seed)
        self.worker_slots = worker_slots
        self.accounts = seeded_accounts()
        self.rng = random.Random(f"sim:{seed}")
        self._limits: dict[str, UserLimits] = {}
        self._generations: dict[str, list[Generation]] = {}
        self._active: dict[str, list[Generation]] = {}
        self._by_id: dict[str, Generation] = {}
        self._posts: Counter[str] = Counter()
        self._slots: list[float] = [float("-inf")] * (worker_slots or 0)

    def now(self) -> float:
        """The clock's monotonic seconds: what windows and schedules are measured on."""
        return self.clock.monotonic()

    # -- keys and limits -------------------------------------------------------------

    def authenticate(self, key: str | None) -> Account:
        """The account of `key`, or MISSING_API_KEY / INVALID_API_KEY."""
        if not key:
            raise ApiError("MISSING_API_KEY", "The X-API-Key header was not provided")
        key = key.strip()
        if not KEY_PATTERN.fullmatch(key):
            raise ApiError("INVALID_API_KEY", "The API key is malformed")
        key = key.lower()
        if key in REVOKED_KEYS:
            raise ApiError("INVALID_API_KEY", "The API key has been revoked")
        account = self.accounts.get(key)
        if account is None:
            raise ApiError("INVALID_API_KEY", "The API key does not exist")
        return account

    def limits_of(self, account: Account) -> UserLimits:
        return self._limits.setdefault(account.id, UserLimits())

    def note_post(self, account: Account) -> None:
        """Count a POST /v1/generations with a valid key, whatever its answer."""
        self._posts[account.id] += 1

    # -- generations -----------------------------------------------------------------

    def new_id(self) -> str:
        """A UUID, from the seeded RNG so a run is reproducible."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def in_progress(self, account: Account) -> list[Generation]:
        """Pending and processing generations of `account`, earliest end first."""
        now = self.now()
        active = [g for g in self._active.get(account.id, []) if g.in_progress(now)]
        self._active[account.id] = active
        return sorted(active, key=lambda g: g.end_mono)

    def create(self, account: Account, sub: Submission, *, at_once: bool = False) -> Generation:
        """Charge one credit and queue a generation for `sub`.

        `at_once` (the `post_final` fault): it is over before the POST answers.
        """
        now = self.now()
        gen_id = self.new_id()
        seed = sub.seed if sub.seed is not None else self.rng.randrange(2**31)
        gen_time = generation_time(gen_id, seed)
        run = (gen_time + UPLOAD_SECONDS) / self.speed
        start = now
        failure = None
        if FAIL_WORD.search(sub.tags):
            failure = FAIL_MESSAGE
        elif self.faults.draw_failure():
            failure = CRASH_MESSAGE
        if failure is not None:
            run *= 0.5  # a failure shows up partway through
        if at_once:
            run = 0.0
        elif self._slots:
            start = max(now, heapq.heappop(self._slots))
            heapq.heappush(self._slots, start + run)
        gen = Generation(
            id=gen_id,
            account_id=account.id,
            prompt=sub.tags,
            lyrics=sub.lyrics,
            duration=sub.duration,
            bpm=sub.bpm,
            language=sub.language or "en",
            key=sub.key or MUSICAL_KEYS[seed % 12],
            scale=sub.scale or (SCALES[seed // 12 % 2] if sub.key is None else "major"),
            timesignature=sub.timesignature,
            seed=seed,
            created_at=self.clock.now(),
            created_mono=now,
            start_mono=start,
            end_mono=start + run,
            generation_time=gen_time,
            error_message=failure,
        )
        account.charge_one()
        self.limits_of(account).creations.record(now)
        self.add(gen)
        return gen

    def add(self, gen: Generation) -> None:
        """Store a generation (newest last)."""
        self._generations.setdefault(gen.account_id, []).append(gen)
        self._by_id[gen.id] = gen
        if gen.in_progress(self.now()):
            self._active.setdefault(gen.account_id, []).append(gen)

    def find(self, account: Account, gen_id: str) -> Generation | None:
        """`account`'s generation `gen_id`; another account's is not found."""
        gen = self._by_id.get(gen_id)
        return gen if gen is not None and gen.account_id == account.id else None

    def find_any(self, gen_id: str) -> Generation | None:
        """Any account's generation: the media origin takes no key."""
        with self.lock:
            return self._by_id.get(gen_id)

    def page(self, account: Account, query: ListQuery) -> Page:
        """Newest first, filtered by status, sliced by offset and limit."""
        now = self.now()
        newest_first = reversed(self._generations.get(account.id, []))
        if query.status is None:
            matching = list(newest_first)
        else:
            matching = [g for g in newest_first if g.status(now) == query.status]
        end = query.offset + query.limit
        has_more = end < len(matching)
        return Page(matching[query.offset : end], has_more, end if has_more else None)

    # -- inspection, for tests and the demo ------------------------------------------

    def account(self, key: str) -> Account:
        """The account of a seeded key (its live counters)."""
        return self.accounts[key.lower()]

    def generations(self, key: str) -> list[Generation]:
        """The generations of the account of `key`, newest first."""
        with self.lock:
            return list(reversed(self._generations.get(self.account(key).id, [])))

    def post_count(self, key: str) -> int:
        """How many POST /v1/generations arrived with `key`'s account, whatever the answer."""
        with self.lock:
            return self._posts[self.account(key).id]
