"""Finding a submission among the newest generations, when its answer was lost.

A lost answer never leads to a second POST. Instead the newest generations are listed
and the submission is matched: same prompt, the same seed (fttui always sends one, so
a match is exact), and created no earlier than just before it was sent.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fttui.api.journal import JournalEntry
from fttui.api.models import Generation, GenerationRequest

# The server's clock and ours may disagree, and `createdAt` has whole seconds only.
CLOCK_SKEW = timedelta(seconds=90)
# An unconfirmed submission not found this long after it was sent was never created.
SETTLE_AFTER = timedelta(minutes=3)
# Seeds fttui picks itself stay in a range any server keeps exactly.
SEED_TAG_MAX = 2**31 - 1


class ReconcileOutcome(str, enum.Enum):
    """What became of a submission whose answer was lost."""

    FOUND = "found"
    """It was created: `generation` is it (a credit was charged once)."""
    NOT_CREATED = "not_created"
    """It is not among your generations long after it was sent: no credit was used."""
    UNCONFIRMED = "unconfirmed"
    """Not settled yet (too recent to rule out, or the server could not be asked)."""


@dataclass(frozen=True)
class ReconcileResult:
    """The outcome of one journal entry, as `reconcile_pending()` settled it."""

    journal_id: str
    outcome: ReconcileOutcome
    body: dict[str, Any]
    sent_at: datetime
    generation: Generation | None = None
    reason: str | None = None

    @property
    def request(self) -> GenerationRequest | None:
        """The submission as a request again (to offer a re-submit after NOT_CREATED)."""
        try:
            return GenerationRequest.model_validate(self.body)
        except ValueError:
            return None


def matches(entry: JournalEntry, generation: Generation) -> bool:
    """Could `generation` be the one `entry` created?"""
    body = entry.body
    created = generation.created_at
    if created is not None and created < entry.sent_at - CLOCK_SKEW:
        return False
    if (generation.prompt or "").strip() != str(body.get("tags", "")).strip():
        return False
    params = generation.parameters
    seed = body.get("seed")
    if seed is not None and params.seed is not None and params.seed != seed:
        return False
    # The server may clamp values; only a field it echoed and that differs rules out.
    for name in ("bpm", "duration"):
        echoed = getattr(params, name)
        if name in body and echoed is not None and params.seed is None and echoed != body[name]:
            return False
    return True


def pick(
    entries: Iterable[JournalEntry], generations: list[Generation], claimed: set[str]
) -> dict[str, Generation]:
    """Match each entry (oldest first) to the oldest unclaimed generation that fits it."""
    found: dict[str, Generation] = {}
    oldest_first = sorted(
        generations,
        key=lambda g: (g.created_at is None, g.created_at or datetime.min),
    )
    for entry in sorted(entries, key=lambda e: e.sent_at):
        for generation in oldest_first:
            if generation.id in claimed or not matches(entry, generation):
                continue
            claimed.add(generation.id)
            found[entry.id] = generation
            break
    return found


def reaches_back_to(generations: list[Generation], since: datetime) -> bool:
    """Does this newest-first page already reach before `since` (no need to page on)?"""
    if not generations:
        return True
    oldest = generations[-1].created_at
    return oldest is not None and oldest < since - CLOCK_SKEW
