"""Finding a submission among the newest generations, when its answer was lost.

A lost answer never leads to a second POST. Instead the newest generations are listed
and the submission is matched: same prompt, the same seed, every other parameter the
server echoes, and created no earlier than just before it was sent. The seed alone is
not enough: a fixed seed (`--seed`, a remix, the seed lock) is reused on purpose.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fttui.api.journal import JournalEntry
from fttui.api.models import (
    KEYS,
    SCALES,
    Generation,
    GenerationParameters,
    GenerationRequest,
    normalise_key,
)

# The server's clock and ours may disagree, and `createdAt` has whole seconds only.
CLOCK_SKEW = timedelta(seconds=90)
# An unconfirmed submission not found this long after it was sent was never created.
SETTLE_AFTER = timedelta(minutes=3)
# Seeds fttui picks itself stay in a range any server keeps exactly.
SEED_TAG_MAX = 2**31 - 1
# Looking back stops after this many pages of 100: the entry then stays unconfirmed.
PAGE_SIZE = 100


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
    asked: dict[str, Any] | None = None
    """The request as the user gave it (see `JournalEntry.asked`)."""

    def is_request(self, request: GenerationRequest) -> bool:
        """Is this the submission of `request`, as the user gave it (not fttui's seed)?"""
        return same_request(self.asked if self.asked is not None else self.body, request)

    @property
    def request(self) -> GenerationRequest | None:
        """The submission as a request again (to offer a re-submit after NOT_CREATED)."""
        try:
            return GenerationRequest.model_validate(self.body)
        except ValueError:
            return None


def same_request(asked: dict[str, Any], request: GenerationRequest) -> bool:
    """Does a journal entry's request, as asked, equal `request`?"""
    try:
        return GenerationRequest.model_validate(asked) == request
    except ValueError:
        return False


def matches(entry: JournalEntry, generation: Generation) -> bool:
    """Could `generation` be the one `entry` created?"""
    body = entry.body
    created = generation.created_at
    if created is not None and created < entry.sent_at - CLOCK_SKEW:
        return False
    if (generation.prompt or "").strip() != str(body.get("tags", "")).strip():
        return False
    return echoes(body, generation.parameters)


def echoes(body: dict[str, Any], params: GenerationParameters) -> bool:
    """Does every parameter the server echoed agree with what was sent? A field that was
    not sent (the server picked it) or not echoed cannot tell, so it does not rule out."""
    for name in ("seed", "bpm", "duration"):
        echoed = getattr(params, name)
        if name in body and echoed is not None and _whole(body[name]) != echoed:
            return False
    beats = _whole(params.timesignature)
    sent_beats = _whole(str(body.get("timesignature")).removesuffix("/4"))
    if "timesignature" in body and beats is not None and sent_beats != beats:
        return False
    language = (params.language or "").strip().lower()
    if "language" in body and language and str(body["language"]).lower() != language:
        return False
    key, scale = params.key_and_scale
    # A key the server names otherwise ("auto", say) cannot tell either.
    if "key" in body and key in KEYS and normalise_key(str(body["key"])) != key:
        return False
    if "scale" in body and scale in SCALES and str(body["scale"]).lower() != scale:
        return False
    sent_lyrics = str(body.get("lyrics") or "").strip()
    echoed_lyrics = params.lyrics
    return not sent_lyrics or echoed_lyrics is None or echoed_lyrics.strip() == sent_lyrics


def _whole(value: Any) -> int | None:
    """4, 4.0 and "4" alike (v1.2 answers with numbers where v1 had text)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number) if number.is_integer() else None


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
