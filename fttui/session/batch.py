"""Variations: one form sent as a batch of N generations (no Textual).

A batch differs in one parameter: the seed (N takes of the same form) or a sweep of
bpm, key or duration. fttui keeps the batch locally and sends each take only when the
account's queue has room and the 10-a-minute POST budget allows, so the batch itself
never causes a QUEUE_FULL or a GENERATION_RATE_LIMITED answer. Each send goes through
`create_generation`, which journals it like any submission.

The plan is kept in the data folder, written atomically after every change, so that
quitting half way and starting again shows what was sent and what was not.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
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
    from fttui.api.models import CreatedGeneration

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
    # in progress when a QUEUE_FULL came is kept, so the next batches cause none.
    CAPACITY_FILE = "queue-capacity.txt"

    def known_capacity(self) -> int | None:
        """How many generations the queue held when it was last found full, or None."""
        try:
            value = int((self.folder / self.CAPACITY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if value > 0 else None

    def remember_capacity(self, capacity: int) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / self.CAPACITY_FILE, str(capacity))
        except OSError as exc:  # only costs one more QUEUE_FULL later
            log.warning("the queue's capacity could not be kept: %s", exc)

    @staticmethod
    def _read(path: Path) -> BatchPlan | None:
        try:
            return BatchPlan.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("batch plan %s could not be read: %s", path.name, exc)
            return None


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

    `capacity` is how many generations may be in progress at once. The API does not
    tell it (its `queueDepth` is documented as a count), so it is learned from the first
    QUEUE_FULL (what was in progress then) and kept in the batch folder: that one
    refusal teaches it, and later batches cause none.
    """

    def __init__(
        self,
        client: FinetuningClient,
        plan: BatchPlan,
        *,
        folder: BatchFolder | None = None,
        capacity: int | None = None,
        on_change: PlanListener | None = None,
        on_sent: SentListener | None = None,
    ) -> None:
        self._client = client
        self.plan = plan
        self._folder = folder
        self.capacity = capacity
        self._on_change = on_change
        self._on_sent = on_sent
        self._stopped = False
        self.report = SendReport(started=client.clock.monotonic())

    def stop(self) -> None:
        """Send nothing more (the plan keeps what is left, for later)."""
        self._stopped = True

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
        if self.capacity is None and self._folder is not None:
            self.capacity = self._folder.known_capacity()
        if self.capacity is None:
            # Unknown until the queue is first found full: sent as the POST budget
            # allows, and the first QUEUE_FULL teaches it (kept for the next batches).
            self.capacity = len(self.plan.takes)
        while self.plan.unsent and not self._stopped:
            if await self._in_progress() >= self.capacity:
                await clock.sleep(QUEUE_RECHECK)
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
            # The guess was too high: what is in progress now is all the queue holds.
            self.capacity = max(1, min(self.capacity or 1, await self._in_progress()))
            if self._folder is not None:
                self._folder.remember_capacity(self.capacity)
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
