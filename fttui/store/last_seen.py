"""The cache's first page and last-known account as plain rows, read without pydantic.

At start the app shows these right after its first frame, marked "as last seen", while
pydantic, httpx and the store proper (~300 ms of imports) load in a thread; the session
then shows the same page from its models and takes over. So this module imports only
the standard library and the schema's version: a test fails the day it reaches pydantic
or httpx. It reads the file read-only and never creates, migrates or repairs it (that is
`GenerationStore`'s work): anything unexpected means nothing to show early, not an error.

The rows carry what the list draws, under the models' names (`Generation`,
`GenerationParameters`, `Account`), so the list draws both alike.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fttui.store import schema

log = logging.getLogger(__name__)

ACCOUNT_STATE = "last_account"
"""Where the session keeps the last account the server sent (`Session.account_seen`)."""
CURSOR_STATE = "cursor:all"
"""The sync's cursor of the unfiltered list (`Library`): whether the server has older."""
_FLAT_TO_SHARP = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}


@dataclass(frozen=True)
class SeenParameters:
    """The parameters the list shows (see `GenerationParameters`)."""

    bpm: int | None = None
    duration: int | None = None
    keyscale: str | None = None
    key: str | None = None
    scale: str | None = None
    tags: str | None = None

    @property
    def key_and_scale(self) -> tuple[str | None, str | None]:
        """("C#", "minor") from "Db minor", or from separate fields, as the model says."""
        if self.keyscale:
            parts = self.keyscale.split()
            key = _contract_key(parts[0]) if parts else None
            scale = parts[1].lower() if len(parts) > 1 else None
            return key, scale
        return self.key, self.scale


@dataclass(frozen=True)
class SeenGeneration:
    """One cached generation as the list draws it (see `Generation`)."""

    id: str
    title: str | None = None
    prompt: str | None = None
    status: str = "unknown"
    duration: float | None = None
    play_count: int | None = None
    created_at: datetime | None = None
    parameters: SeenParameters = field(default_factory=SeenParameters)

    @property
    def in_progress(self) -> bool:
        return self.status.lower() in ("pending", "processing")

    @property
    def length_seconds(self) -> float | None:
        return self.duration if self.duration is not None else self.parameters.duration


@dataclass(frozen=True)
class SeenLimits:
    """The account's numbers the header shows (see `Limits`)."""

    monthly_generations: int | None = None
    generations_used: int | None = None
    monthly_remaining: int | None = None
    pack_credits: int | None = None
    total_remaining: int | None = None
    queue_depth: int | None = None


@dataclass(frozen=True)
class SeenAccount:
    """The account as the server last sent it (see `Account`)."""

    id: str
    email: str | None = None
    name: str | None = None
    tier: str | None = None
    limits: SeenLimits = field(default_factory=SeenLimits)

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.id


@dataclass(frozen=True)
class LastSeen:
    """The unfiltered list's first page as cached, and the last-known account."""

    rows: list[SeenGeneration]
    total: int
    """How many generations the cache holds."""
    exhausted: bool
    """Nothing older to load: every cached row is on this page and the server has no more."""
    account: SeenAccount | None
    batch_labels: dict[str, str]
    """Generation id → "parameter value" of every batch take (see `batch_labels`)."""


def read_last_seen(path: Path, limit: int) -> LastSeen | None:
    """The first `limit` cached generations, newest first, and the last account; None
    when there is no cache yet, or it is not one this version reads as it stands."""
    if not path.exists():
        return None
    try:
        # Read-only: a missing file is never created here, and a write cannot happen.
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError, ValueError):
        return None
    try:
        db.execute("PRAGMA busy_timeout = 1000")
        if db.execute("PRAGMA user_version").fetchone()[0] != schema.SCHEMA_VERSION:
            return None  # older (to migrate) or newer: the store proper decides
        return _read(db, limit)
    except (sqlite3.Error, OSError) as exc:
        log.debug("no early page from the cache: %s", exc)
        return None
    finally:
        db.close()


def _read(db: sqlite3.Connection, limit: int) -> LastSeen:
    found = db.execute(
        "SELECT json FROM generations ORDER BY sort_key DESC, id DESC LIMIT ?", (max(0, limit),)
    ).fetchall()
    rows = [row for row in (_generation(text) for (text,) in found) if row is not None]
    total = int(db.execute("SELECT count(*) FROM generations").fetchone()[0])
    # As the screen says it: nothing older if every row is here and the server said so.
    exhausted = len(rows) >= total and not _server_has_more(_state(db, CURSOR_STATE))
    labels = dict(db.execute("SELECT generation_id, value FROM batch_members").fetchall())
    return LastSeen(
        rows=rows,
        total=total,
        exhausted=exhausted,
        account=_account(_state(db, ACCOUNT_STATE)),
        batch_labels={str(k): str(v) for k, v in labels.items()},
    )


def _state(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _server_has_more(cursor: str | None) -> bool:
    # No cursor (or an unreadable one) means "not known to be the end", as `Library` reads it.
    if cursor is None:
        return True
    try:
        return bool(json.loads(cursor)["more"])
    except (ValueError, KeyError, TypeError):
        return True


def _object(text: str | None) -> Mapping[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, Mapping) else None


def _generation(text: str) -> SeenGeneration | None:
    """A cached row (the model's own JSON, by alias), or None when it cannot be read."""
    data = _object(text)
    if data is None or _text(data.get("id")) is None:
        return None
    parameters = data.get("parameters")
    params = parameters if isinstance(parameters, Mapping) else {}
    status = _text(data.get("status"))
    return SeenGeneration(
        id=str(data["id"]),
        title=_text(data.get("title")),
        prompt=_text(data.get("prompt")),
        status=status.strip() if status and status.strip() else "unknown",
        duration=_number(data.get("duration")),
        play_count=_integer(data.get("playCount")),
        created_at=_timestamp(data.get("createdAt")),
        parameters=SeenParameters(
            bpm=_integer(params.get("bpm")),
            duration=_integer(params.get("duration")),
            keyscale=_text(params.get("keyscale")),
            key=_text(params.get("key")),
            scale=_text(params.get("scale")),
            tags=_text(params.get("tags")),
        ),
    )


def _account(text: str | None) -> SeenAccount | None:
    data = _object(text)
    if data is None or _text(data.get("id")) is None:
        return None
    raw = data.get("limits")
    limits = raw if isinstance(raw, Mapping) else {}
    return SeenAccount(
        id=str(data["id"]),
        email=_text(data.get("email")),
        name=_text(data.get("name")),
        tier=_text(data.get("tier")),
        limits=SeenLimits(
            monthly_generations=_integer(limits.get("monthlyGenerations")),
            generations_used=_integer(limits.get("generationsUsed")),
            monthly_remaining=_integer(limits.get("monthlyRemaining")),
            pack_credits=_integer(limits.get("packCredits")),
            total_remaining=_integer(limits.get("totalRemaining")),
            queue_depth=_integer(limits.get("queueDepth")),
        ),
    )


# The JSON was written by the models, so its values are already of the right kinds; these
# only make sure an odd one costs that field, never the row.


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int past any float
        return None
    return number if math.isfinite(number) else None


def _integer(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else round(number)


def _timestamp(value: Any) -> datetime | None:
    """The models write UTC as "2025-01-15T10:30:00.123000Z"."""
    if not isinstance(value, str):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _contract_key(value: str) -> str:
    """The key as the contract spells it: "db" → "C#" (as `normalise_key`)."""
    text = value.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:].lower().replace("♯", "#").replace("♭", "b")
    return _FLAT_TO_SHARP.get(text, text)
