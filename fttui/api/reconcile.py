"""Finding a submission among the newest generations, when its answer was lost.

A lost answer never leads to a second POST. Instead the newest generations are listed
and the submission is matched: same prompt, the same seed, every other parameter the
server echoes, and created no earlier than just before it was sent. The seed alone is
not enough: a fixed seed (`--seed`, a remix, the seed lock) is reused on purpose.

Instrumentals are found the same way among `type=instrumental` generations (prompt, seed,
the duration as the server snaps it). Sound effects live in their own store and take no
seed: one matches on its prompt, requested duration and webhook, created no earlier than
just before it was sent; two identical ones sent together are told apart only by order.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fttui.api.instrumental import INSTRUMENTAL_STEP
from fttui.api.journal import GENERATIONS, INSTRUMENTAL, SOUND_EFFECTS, JournalEntry
from fttui.api.models import (
    KEYS,
    SCALES,
    Generation,
    GenerationParameters,
    GenerationRequest,
    normalise_key,
)
from fttui.api.sound_effects import SoundEffect

Created = Generation | SoundEffect
"""What a journaled POST makes: a generation (music or instrumental) or a sound effect."""

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
    endpoint: str = GENERATIONS
    """Where it was POSTed: /v1/generations, /v1/instrumental or /v1/sound-effects."""
    sound_effect: SoundEffect | None = None
    """The sound effect found, for a FOUND submission to /v1/sound-effects."""

    def is_request(self, request: GenerationRequest) -> bool:
        """Is this the submission of `request`, as the user gave it (not fttui's seed)?"""
        if self.endpoint != GENERATIONS:
            return False
        return same_request(self.asked if self.asked is not None else self.body, request)

    @property
    def lyrics(self) -> str | None:
        """The lyrics sent with a generation, None without any. The API echoes none
        back: a generation found here keeps these, as a normal submit keeps its own."""
        if self.endpoint != GENERATIONS:
            return None
        sent = (self.asked if self.asked is not None else self.body).get("lyrics")
        return sent if isinstance(sent, str) and sent.strip() else None

    @property
    def request(self) -> GenerationRequest | None:
        """The submission as a request again (to offer a re-submit after NOT_CREATED);
        None for an instrumental or a sound effect."""
        if self.endpoint != GENERATIONS:
            return None
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


def matches(entry: JournalEntry, item: Created) -> bool:
    """Could `item` be the one `entry` created?"""
    body = entry.body
    created = item.created_at
    if created is not None and created < entry.sent_at - CLOCK_SKEW:
        return False
    if "webhook" in body and item.webhook is not None and item.webhook != body["webhook"]:
        return False
    if entry.endpoint == SOUND_EFFECTS:
        return isinstance(item, SoundEffect) and _sound_effect_echoes(body, item)
    if not isinstance(item, Generation):
        return False
    if entry.endpoint == INSTRUMENTAL:
        return _instrumental_echoes(body, item)
    if item.type not in (None, "music"):
        return False
    if (item.prompt or "").strip() != str(body.get("tags", "")).strip():
        return False
    return echoes(body, item.parameters)


def _instrumental_echoes(body: dict[str, Any], generation: Generation) -> bool:
    if generation.type not in (None, "instrumental"):
        return False
    if (generation.prompt or "").strip() != str(body.get("prompt", "")).strip():
        return False
    params = generation.parameters
    if "seed" in body and params.seed is not None and _whole(body["seed"]) != params.seed:
        return False
    sent = _number(body.get("duration"))
    if sent is not None and params.duration is not None:
        snapped = int(sent / INSTRUMENTAL_STEP + 0.5) * INSTRUMENTAL_STEP
        return params.duration in (snapped, round(sent))
    return True


def _sound_effect_echoes(body: dict[str, Any], effect: SoundEffect) -> bool:
    if (effect.prompt or "").strip() != str(body.get("prompt", "")).strip():
        return False
    sent = _number(body.get("duration"))
    echoed = effect.requested_duration
    return sent is None or echoed is None or abs(sent - echoed) < 1e-6


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


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
    entries: Iterable[JournalEntry], generations: Sequence[Created], claimed: set[str]
) -> dict[str, Created]:
    """Match each entry (oldest first) to the oldest unclaimed item that fits it."""
    found: dict[str, Created] = {}
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


def reaches_back_to(generations: Sequence[Created], since: datetime) -> bool:
    """Does this newest-first page already reach before `since` (no need to page on)?"""
    if not generations:
        return True
    oldest = generations[-1].created_at
    return oldest is not None and oldest < since - CLOCK_SKEW
