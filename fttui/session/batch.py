"""Variations: one form sent as a batch of N generations (no Textual).

A batch differs in one parameter: the seed (N takes of the same form) or a sweep of
bpm, key or duration. fttui keeps the batch locally and sends each take only when the
account's queue has room and the 10-a-minute POST budget allows, so the batch itself
never causes a QUEUE_FULL or a GENERATION_RATE_LIMITED answer. Each send goes through
`create_generation`, which journals it like any submission.

The queue's size is never told by the API (`queueDepth` in /v1/me is a count of what
is in it), and fttui never probes for it. A batch keeps at most `AtOnce.count`
generations in progress: the size the user stated (`queue_capacity` in the config), else
the one a QUEUE_FULL taught (any QUEUE_FULL: a single submit's too), else the most this
account was ever seen running together (its cached history, and /v1/me's counts).

The plan is kept in the data folder, written atomically after every change, so that
quitting half way and starting again shows what was sent and what was not.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fttui import locations
from fttui.api import errors
from fttui.api.limiter import Priority
from fttui.api.models import BPM_RANGE, DURATION_RANGE, KEYS, GenerationRequest
from fttui.api.reconcile import SEED_TAG_MAX
from fttui.atomic import write_atomic

if TYPE_CHECKING:
    from fttui.api.client import FinetuningClient
    from fttui.api.models import CreatedGeneration, Generation
    from fttui.store import GenerationStore

log = logging.getLogger(__name__)

Varying = Literal["seed", "bpm", "key", "duration"]
VARYING: tuple[Varying, ...] = ("seed", "bpm", "key", "duration")
TakeState = Literal["planned", "sending", "sent", "unconfirmed", "failed"]

MIN_TAKES = 2
MAX_TAKES = 10
QUEUE_RECHECK = 4.0
"""Seconds between looks at the queue while it is full (a background read each)."""
IN_PROGRESS_PAGE = 50
"""Newest generations read to count what is in progress (the queue is far smaller)."""
HISTORY_LOOKED_AT = 1000
"""Newest cached generations searched for the most in progress together (the most found
is kept, so older history still counts once it has been looked at)."""
STALLED_AFTER = 300.0
"""Seconds after which a cached generation still in progress counts as running no more
(the API's own advice: after 5 minutes it may have failed silently)."""
MOST_SEEN_STATE = "most_in_progress_seen"
"""The cache's record of the most generations ever seen in progress together."""


class BatchInvalid(ValueError):
    """The batch asked for cannot be made (too few or many takes, a value out of range)."""


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Take:
    """One generation of a batch: its request, and what became of it."""

    request: GenerationRequest
    value: str
    """The differing parameter's value, as shown in the compare view ("112", "F#")."""
    state: TakeState = "planned"
    generation_id: str | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request.to_json(),
            "value": self.value,
            "state": self.state,
            "generation_id": self.generation_id,
            "problem": self.problem,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Take:
        state = data.get("state", "planned")
        # A take left "sending" by a crash may or may not exist: the journal settles it.
        if state not in ("planned", "sent", "unconfirmed", "failed"):
            state = "unconfirmed"
        return cls(
            request=GenerationRequest.model_validate(data["request"]),
            value=str(data.get("value", "")),
            state=state,
            generation_id=data.get("generation_id"),
            problem=data.get("problem"),
        )


@dataclass(frozen=True)
class BatchPlan:
    """A batch: one id shared by its generations, the parameter that differs, its takes."""

    id: str
    varying: Varying
    created_at: str
    takes: tuple[Take, ...] = field(default_factory=tuple)

    @property
    def sent_ids(self) -> list[str]:
        return [t.generation_id for t in self.takes if t.generation_id]

    @property
    def unsent(self) -> list[int]:
        """Indexes of takes still to send."""
        return [i for i, t in enumerate(self.takes) if t.state == "planned"]

    @property
    def half_sent(self) -> bool:
        """Some takes went and some wait: quitting now leaves the rest unsent."""
        return bool(self.unsent) and len(self.unsent) < len(self.takes)

    @property
    def finished(self) -> bool:
        return not self.unsent

    def summary(self) -> str:
        """One sentence for the user: what was sent and what was not."""
        sent = sum(1 for t in self.takes if t.state == "sent")
        waiting = len(self.unsent)
        unknown = sum(1 for t in self.takes if t.state == "unconfirmed")
        failed = sum(1 for t in self.takes if t.state == "failed")
        parts = [f"{sent} sent"]
        if waiting:
            parts.append(f"{waiting} not sent yet")
        if unknown:
            parts.append(f"{unknown} unconfirmed")
        if failed:
            parts.append(f"{failed} refused")
        return f"Batch of {len(self.takes)} by {self.varying}: {', '.join(parts)}."

    def with_take(self, index: int, take: Take) -> BatchPlan:
        takes = list(self.takes)
        takes[index] = take
        return replace(self, takes=tuple(takes))

    def without_unsent(self) -> BatchPlan:
        """The batch as sent so far: the takes not sent are given up."""
        return replace(self, takes=tuple(t for t in self.takes if t.state != "planned"))

    def without(self, ids: Sequence[str]) -> BatchPlan:
        """The batch less the takes of these (deleted) generations."""
        gone = set(ids)
        return replace(self, takes=tuple(t for t in self.takes if t.generation_id not in gone))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "varying": self.varying,
            "created_at": self.created_at,
            "takes": [t.to_json() for t in self.takes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchPlan:
        varying = data.get("varying")
        if varying not in VARYING:
            raise ValueError(f"unknown batch parameter {varying!r}")
        return cls(
            id=str(data["id"]),
            varying=varying,
            created_at=str(data.get("created_at", "")),
            takes=tuple(Take.from_json(t) for t in data.get("takes", [])),
        )


def plan_batch(
    request: GenerationRequest,
    varying: Varying,
    count: int,
    *,
    now: datetime,
    start: str | int | None = None,
    stop: str | int | None = None,
    rng: random.Random | None = None,
) -> BatchPlan:
    """A batch of `count` takes of `request`, differing in `varying`.

    Seeds are random and distinct. A bpm or duration sweep spreads `count` whole values
    evenly from `start` to `stop`; a key sweep walks the keys up from `start`."""
    if not MIN_TAKES <= count <= MAX_TAKES:
        raise BatchInvalid(f"A batch has {MIN_TAKES} to {MAX_TAKES} takes ({count} asked).")
    values: list[str | int]
    if varying == "seed":
        chosen = rng or random.Random()
        seeds: set[int] = set()
        while len(seeds) < count:
            seeds.add(chosen.randint(0, SEED_TAG_MAX))
        values = list(seeds)
    elif varying == "key":
        first = KEYS.index(str(start)) if start is not None and str(start) in KEYS else 0
        values = [KEYS[(first + n) % len(KEYS)] for n in range(count)]
    else:
        low, high = BPM_RANGE if varying == "bpm" else DURATION_RANGE
        begin = int(start) if start is not None else low
        end = int(stop) if stop is not None else high
        if not (low <= begin <= high and low <= end <= high):
            raise BatchInvalid(f"A {varying} sweep stays between {low} and {high}.")
        span = end - begin
        values = [begin + round(span * n / (count - 1)) for n in range(count)]
        if len(set(values)) < count:
            raise BatchInvalid(f"The {varying} range is too narrow for {count} takes.")
    takes = tuple(
        Take(request=request.model_copy(update={varying: v}), value=str(v)) for v in values
    )
    return BatchPlan(uuid.uuid4().hex[:12], varying, now.isoformat(), takes)


# --- how many at once --------------------------------------------------------------------

AtOnceSource = Literal["config", "queue full", "seen"]


@dataclass(frozen=True)
class AtOnce:
    """How many generations a batch keeps in progress at once, and why."""

    count: int
    source: AtOnceSource
    """"config": the user's `queue_capacity`; "queue full": learned from a QUEUE_FULL;
    "seen": the most this account was seen running together (the size is unknown)."""

    @property
    def known(self) -> bool:
        """Whether `count` is the queue's size, not a floor kept until it is known."""
        return self.source != "seen"

    @property
    def text(self) -> str:
        """For the dialog and the batch line, e.g. "2 at a time: your queue size"."""
        if self.known:
            return f"{self.count} at a time: your queue size"
        if self.count == 1:
            return "one at a time until fttui knows your queue size"
        return (
            f"{self.count} at a time, the most you have had running together,"
            " until fttui knows your queue size"
        )


def sending_at_once(*, configured: int | None, learned: int | None, seen: int = 1) -> AtOnce:
    """The stated size wins (a plan changed since a QUEUE_FULL taught another), then the
    learned one, else what was seen together: fttui never sends more to find out."""
    if configured is not None and configured > 0:
        return AtOnce(configured, "config")
    if learned is not None and learned > 0:
        return AtOnce(learned, "queue full")
    return AtOnce(max(1, seen), "seen")


def most_together(generations: Sequence[Generation], now: datetime) -> int:
    """The most of `generations` in progress at one moment (createdAt to completedAt)."""
    edges: list[tuple[datetime, int]] = []
    for generation in generations:
        start = generation.created_at
        if start is None:
            continue
        end = generation.completed_at
        if end is None and generation.in_progress:
            # A row left "processing" in the cache long ago must not overlap all since.
            end = min(now, start + timedelta(seconds=STALLED_AFTER))
        elif end is None and generation.generation_time is not None:
            end = start + timedelta(seconds=generation.generation_time)
        if end is None or end <= start:
            continue
        edges.append((start, 1))
        edges.append((end, -1))
    # An end and a start at the same moment: the slot was freed first.
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    most = running = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def most_seen_together(store: GenerationStore, now: datetime) -> int:
    """The most generations of this account ever seen in progress together: in its
    cached history, and in /v1/me's counts (`note_in_queue`); at least 1. Kept in the
    cache, so it never goes down as history grows past what is looked at."""
    kept = _int(store.state(MOST_SEEN_STATE))
    found = most_together(store.page(limit=HISTORY_LOOKED_AT), now)
    if found > kept:
        note_in_queue(store, found)
    return max(1, found, kept)


def note_in_queue(store: GenerationStore, count: int | None) -> None:
    """/v1/me said `count` are in the queue now: keep it if it is the most yet seen."""
    if count is None or count <= _int(store.state(MOST_SEEN_STATE)):
        return
    try:
        store.set_state({MOST_SEEN_STATE: str(count)})
    except Exception:  # a cache that cannot be written only costs a slower batch
        log.debug("the most seen in progress could not be kept", exc_info=True)


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


# --- on disk ----------------------------------------------------------------------------


class BatchFolder:
    """Batch plans on disk, one JSON file each, written atomically like the journal."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        return self._folder or locations.batches_dir()

    def save(self, plan: BatchPlan) -> None:
        write_atomic(self.folder / f"{plan.id}.json", json.dumps(plan.to_json(), indent=1))

    def load(self, batch_id: str) -> BatchPlan | None:
        return self._read(self.folder / f"{batch_id}.json")

    def all(self) -> list[BatchPlan]:
        """Every plan kept, oldest first; an unreadable file is skipped (and logged)."""
        if not self.folder.is_dir():
            return []
        plans = [self._read(p) for p in sorted(self.folder.glob("*.json"))]
        return sorted((p for p in plans if p is not None), key=lambda p: p.created_at)

    def unfinished(self) -> list[BatchPlan]:
        """Plans with takes not yet sent, for a restart to show."""
        return [p for p in self.all() if not p.finished]

    def forget(self, batch_id: str) -> None:
        (self.folder / f"{batch_id}.json").unlink(missing_ok=True)

    # The queue's capacity is not told by the API (`queueDepth` is a count): the number
    # in progress when a QUEUE_FULL came is kept, by account id ("" where the id was not
    # known, e.g. a single submit), so the next batches send that many at once.
    CAPACITY_FILE = "queue-capacity.json"

    def known_capacity(self, account: str | None = None) -> int | None:
        """How many generations the queue held when it was last found full, or None."""
        # Kept in the order learned: the newer of the account's own and an unattributed
        # one (a single submit's) wins.
        mine = [v for k, v in self._capacities().items() if k in ("", account or "")]
        return mine[-1] if mine else None

    def remember_capacity(self, capacity: int, account: str | None = None) -> None:
        """Keep what a QUEUE_FULL taught, for this account's next batches."""
        known = self._capacities()
        known.pop(account or "", None)
        known[account or ""] = capacity  # last: the newest
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / self.CAPACITY_FILE, json.dumps(known, indent=1))
        except OSError as exc:  # only costs a slower batch later
            log.warning("the queue's capacity could not be kept: %s", exc)

    def _capacities(self) -> dict[str, int]:
        try:
            data = json.loads((self.folder / self.CAPACITY_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:  # an earlier fttui kept one number, for any account
            try:
                data = {"": int((self.folder / "queue-capacity.txt").read_text("utf-8"))}
            except (OSError, ValueError):
                return {}
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, int) and v > 0}

    @staticmethod
    def _read(path: Path) -> BatchPlan | None:
        try:
            return BatchPlan.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("batch plan %s could not be read: %s", path.name, exc)
            return None


def at_once_for(
    folder: BatchFolder,
    store: GenerationStore,
    *,
    now: datetime,
    configured: int | None = None,
    account: str | None = None,
) -> AtOnce:
    """How many a batch of this account sends at once now (see `sending_at_once`)."""
    return sending_at_once(
        configured=configured,
        learned=folder.known_capacity(account),
        seen=most_seen_together(store, now),
    )


# --- sending ----------------------------------------------------------------------------

PlanListener = Callable[[BatchPlan], None]
SentListener = Callable[["CreatedGeneration"], None]


@dataclass
class SendReport:
    """What the sending took: for the bench and the tests."""

    started: float
    finished: float | None = None
    refusals: int = 0
    """QUEUE_FULL or GENERATION_RATE_LIMITED answers the server gave to this batch."""
    queue_looks: int = 0


class BatchSender:
    """Sends a plan's unsent takes, each once the queue and the POST budget have room.

    At most `at_once.count` generations are kept in progress (see `sending_at_once`);
    without one given, what a QUEUE_FULL taught (kept in the batch folder), else one at a
    time. More seen running at a look (the user's own, from elsewhere) raises a floor:
    the queue held them all. A QUEUE_FULL all the same (the size stated was too high,
    or another client sent meanwhile) teaches the size, kept for every later batch.
    """

    def __init__(
        self,
        client: FinetuningClient,
        plan: BatchPlan,
        *,
        folder: BatchFolder | None = None,
        at_once: AtOnce | None = None,
        account: str | None = None,
        on_change: PlanListener | None = None,
        on_sent: SentListener | None = None,
    ) -> None:
        self._client = client
        self.plan = plan
        self._folder = folder
        self._account = account
        if at_once is None:
            learned = folder.known_capacity(account) if folder is not None else None
            at_once = sending_at_once(configured=None, learned=learned)
        self.at_once = at_once
        self._on_change = on_change
        self._on_sent = on_sent
        self._stopped = False
        self._slot_freed = asyncio.Event()
        self.report = SendReport(started=client.clock.monotonic())

    def stop(self) -> None:
        """Send nothing more (the plan keeps what is left, for later)."""
        self._stopped = True

    def slot_may_be_free(self) -> None:
        """A generation finished (the front end's watcher saw it): look at the queue now
        rather than at the next recheck."""
        self._slot_freed.set()

    async def _room_or_recheck(self) -> None:
        """Wait for a finish to be seen, or `QUEUE_RECHECK` seconds, whichever comes first."""
        sleeper = asyncio.ensure_future(self._client.clock.sleep(QUEUE_RECHECK))
        woken = asyncio.ensure_future(self._slot_freed.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, woken):
                task.cancel()

    def _update(self, index: int, take: Take) -> None:
        self.plan = self.plan.with_take(index, take)
        if self._folder is not None:
            self._folder.save(self.plan)
        if self._on_change is not None:
            self._on_change(self.plan)

    async def run(self) -> BatchPlan:
        """Send every unsent take, waiting for room; return the plan as it ends."""
        clock = self._client.clock
        if self._folder is not None:
            self._folder.save(self.plan)
        while self.plan.unsent and not self._stopped:
            # Cleared before the look: a finish seen while it is on its way still wakes.
            self._slot_freed.clear()
            running = await self._in_progress()
            if not self.at_once.known and running > self.at_once.count:
                self.at_once = AtOnce(running, "seen")
            if running >= self.at_once.count:
                await self._room_or_recheck()
                continue
            index = self.plan.unsent[0]
            wait = await self._send(index)
            if wait > 0:
                await clock.sleep(wait)
        if not self.plan.unsent:
            self.report.finished = clock.monotonic()
        return self.plan

    async def _in_progress(self) -> int:
        self.report.queue_looks += 1
        page = await self._client.list_generations(
            limit=IN_PROGRESS_PAGE, priority=Priority.BACKGROUND
        )
        return sum(1 for g in page.generations if g.in_progress)

    async def _send(self, index: int) -> float:
        """Send one take; the seconds to wait before the next try (0: go on)."""
        take = self.plan.takes[index]
        budget_spent = self._client.rate.post_remaining == 0
        self._update(index, replace(take, state="sending"))
        try:
            # wait=False: a spent POST budget is refused here, before anything is sent.
            created = await self._client.create_generation(take.request, wait=False)
        except errors.GenerationRateLimited as exc:
            if not budget_spent:  # the server refused, not fttui's own count
                self.report.refusals += 1
            self._update(index, take)
            return float(exc.retry_after or 1)
        except errors.QueueFull as exc:
            self.report.refusals += 1
            # Too many all the same: what is in progress now is all the queue holds.
            running = await self._in_progress()
            self.at_once = AtOnce(max(1, min(self.at_once.count, running)), "queue full")
            if self._folder is not None:
                self._folder.remember_capacity(self.at_once.count, self._account)
            self._update(index, take)
            return float(exc.retry_after or QUEUE_RECHECK)
        except errors.SubmissionUnconfirmed as exc:
            # Maybe created: the journal keeps it for a reconcile; never sent again here.
            self._update(index, replace(take, state="unconfirmed", problem=exc.message))
            return 0.0
        except errors.ApiError as exc:
            # Refused for good (credits, validation): the rest would be refused alike.
            self._update(index, replace(take, state="failed", problem=exc.message))
            self._stopped = True
            return 0.0
        self._update(index, replace(take, state="sent", generation_id=created.id))
        if self._on_sent is not None:
            self._on_sent(created)
        return 0.0


async def learn_capacity(
    client: FinetuningClient, folder: BatchFolder | None = None, account: str | None = None
) -> int:
    """A single submit met QUEUE_FULL: what is in progress now is the queue's size. It
    is kept (by account when known) for the batches to come; returns it."""
    page = await client.list_generations(limit=IN_PROGRESS_PAGE, priority=Priority.BACKGROUND)
    capacity = max(1, sum(1 for g in page.generations if g.in_progress))
    (folder or BatchFolder()).remember_capacity(capacity, account)
    return capacity
