"""Everything the simulator remembers: accounts, generations, rate-limit windows.

One lock guards it all: the server thread changes it, tests read it from theirs.
"""

from __future__ import annotations

import heapq
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from fttui.clock import Clock, SystemClock
from fttui.sim import shapes
from fttui.sim.accounts import KEY_PATTERN, REVOKED_KEYS, Account, seeded_accounts
from fttui.sim.errors import ApiError
from fttui.sim.faults import Faults
from fttui.sim.generation import (
    FAIL_WORD,
    UPLOAD_SECONDS,
    Generation,
    generation_time,
    generation_time_by_duration,
)
from fttui.sim.playlists import PlaylistStore
from fttui.sim.ratelimit import UserLimits
from fttui.sim.sfx import SoundEffectStore
from fttui.sim.validation import MUSICAL_KEYS, SCALES, InstrumentalRequest, ListQuery, Submission
from fttui.sim.webhooks import WebhookOutbox

FAIL_MESSAGE = "Generation failed: the model could not render this prompt"
CRASH_MESSAGE = "Generation failed: worker crashed while rendering"
NOT_YOURS = "Track not found or not owned by you"


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
    wait as `pending`. `generation_seconds` (mean, plus or minus) replaces the
    vendor page's 6.0-8.4 s model time with a uniform spread around the mean;
    `generation_by_duration` (base, per second of track, plus or minus) makes it follow
    the length asked for instead (and wins over `generation_seconds`).
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
        generation_seconds: tuple[float, float] | None = None,
        generation_by_duration: tuple[float, float, float] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.lock = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        self.speed = speed
        self.media_url = media_url.rstrip("/")
        self.faults = faults or Faults(seed=seed)
        self.seed = seed
        self.worker_slots = worker_slots
        self.generation_seconds = generation_seconds
        self.generation_by_duration = generation_by_duration
        self.accounts = seeded_accounts()
        self.rng = random.Random(f"sim:{seed}")
        self._limits: dict[str, UserLimits] = {}
        self._generations: dict[str, list[Generation]] = {}
        self._active: dict[str, list[Generation]] = {}
        self._by_id: dict[str, Generation] = {}
        self._posts: Counter[str] = Counter()
        self._slots: list[float] = [float("-inf")] * (worker_slots or 0)
        self.webhooks = WebhookOutbox(self.now, self.lock)
        self.playlists = PlaylistStore()
        self.sound_effects = SoundEffectStore()
        self.on_change: Callable[[], None] | None = None
        """Called (under the lock) after a generation is added or deleted: the demo saves."""

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

    def create_instrumental(self, account: Account, request: InstrumentalRequest) -> Generation:
        """Charge one credit and queue an instrumental: no lyrics, the server picks the rest."""
        seed = request.seed if request.seed is not None else self.rng.randrange(2**31)
        sub = Submission(
            tags=request.prompt,
            lyrics=None,
            duration=request.duration,
            bpm=70 + seed % 71,
            language=None,
            key=None,
            scale=None,
            timesignature="4",
            seed=seed,
            webhook=request.webhook,
        )
        return self.create(account, sub, kind="instrumental")

    def create(
        self, account: Account, sub: Submission, kind: str = "music", *, at_once: bool = False
    ) -> Generation:
        """Charge one credit and queue a generation for `sub`.

        `at_once` (the `post_final` fault): it is over before the POST answers.
        """
        now = self.now()
        gen_id = self.new_id()
        seed = sub.seed if sub.seed is not None else self.rng.randrange(2**31)
        if self.generation_by_duration is not None:
            gen_time = generation_time_by_duration(
                gen_id, seed, sub.duration, self.generation_by_duration
            )
        else:
            gen_time = generation_time(gen_id, seed, self.generation_seconds)
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
            type=kind,
            webhook=sub.webhook,
        )
        account.charge_one()
        self.limits_of(account).creations.record(now)
        self.add(gen)
        if gen.webhook is not None:
            self.webhooks.add(gen.webhook, gen.end_mono, lambda: self._webhook_payload(gen))
        return gen

    def _webhook_payload(self, gen: Generation) -> dict[str, object] | None:
        if self._by_id.get(gen.id) is not gen:
            return None  # deleted before it ended: nothing to tell
        return shapes.webhook_payload(gen, self.now(), self.media_url)

    def add(self, gen: Generation) -> None:
        """Store a generation (newest last)."""
        self._generations.setdefault(gen.account_id, []).append(gen)
        self._by_id[gen.id] = gen
        if gen.in_progress(self.now()):
            self._active.setdefault(gen.account_id, []).append(gen)
        if self.on_change is not None:
            self.on_change()

    def all_generations(self) -> list[Generation]:
        """Every account's generations, each account's oldest first."""
        return [gen for generations in self._generations.values() for gen in generations]

    def find(self, account: Account, gen_id: str) -> Generation | None:
        """`account`'s generation `gen_id`; another account's is not found."""
        gen = self._by_id.get(gen_id)
        return gen if gen is not None and gen.account_id == account.id else None

    def find_any(self, gen_id: str) -> Generation | None:
        """Any account's generation (or sound effect's audio): the media origin takes no key."""
        with self.lock:
            return self._by_id.get(gen_id) or self.sound_effects.audio_of(gen_id)

    def track(self, gen_id: str) -> Generation | None:
        """Any account's generation, for the playlists' rules (which look at owners)."""
        return self._by_id.get(gen_id)

    def delete(self, account: Account, ids: list[str]) -> tuple[list[str], list[dict[str, str]]]:
        """Delete `account`'s generations for good, also from every playlist.

        Each id on its own: (deleted ids, `{"id", "error"}` for the others)."""
        deleted: list[str] = []
        errors: list[dict[str, str]] = []
        for gen_id in ids:
            gen = self.find(account, gen_id)
            if gen is None:
                errors.append({"id": gen_id, "error": NOT_YOURS})
                continue
            del self._by_id[gen_id]
            deleted.append(gen_id)
        if deleted:
            gone = set(deleted)
            for store in (self._generations, self._active):
                store[account.id] = [g for g in store.get(account.id, []) if g.id not in gone]
            self.playlists.drop_tracks(gone, self.clock.now())
            if self.on_change is not None:
                self.on_change()
        return deleted, errors

    def page(self, account: Account, query: ListQuery) -> Page:
        """Newest first, filtered by status and type, sliced by offset and limit."""
        now = self.now()
        newest_first = reversed(self._generations.get(account.id, []))
        matching = [
            g
            for g in newest_first
            if (query.status is None or g.status(now) == query.status)
            and (query.type is None or g.type == query.type)
        ]
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
