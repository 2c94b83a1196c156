"""The simulator's own reading of what a valid request is (never the client's models).

A bad body or query is reported whole: every bad field at once, as a list of
`{"field", "message"}` in the error's `details`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fttui.sim.webhooks import webhook_problem

MUSICAL_KEYS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SCALES = ("major", "minor")
LANGUAGES = ("en", "ja", "de", "fr", "es", "zh", "ko", "pt", "it", "ru")
TIME_SIGNATURES = ("2", "3", "4", "5", "6", "7")
STATUSES = ("pending", "processing", "completed", "failed")
TYPES = ("music", "instrumental")
TAGS_MAX = 700  # v1.1 raised it from 500
DURATION_RANGE = (5, 210)  # v1.1 widened it from 10-180
WEBHOOK_MAX = 2048

SUBMISSION_FIELDS = (
    "tags",
    "lyrics",
    "duration",
    "bpm",
    "language",
    "key",
    "scale",
    "timesignature",
    "seed",
    "webhook",
)

_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class FieldError:
    """One bad field of a body or query."""

    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ValidationFailed(Exception):
    """The request is not acceptable; `errors` lists every bad field (maybe none)."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass(frozen=True)
class Submission:
    """A validated POST /v1/generations body, numbers already made integers."""

    tags: str
    lyrics: str | None
    duration: int
    bpm: int
    language: str | None
    key: str | None
    scale: str | None
    timesignature: str
    seed: int | None
    webhook: str | None = None


@dataclass(frozen=True)
class ListQuery:
    """A validated GET /v1/generations (or /v1/sound-effects) query."""

    limit: int
    offset: int
    status: str | None
    type: str | None = None


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, although Python's parser accepts them.
    raise ValueError(f"{name} is not valid JSON")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_string(
    body: Mapping[str, Any], name: str, errors: list[FieldError], *, min_len: int, max_len: int
) -> str | None:
    value = body[name]
    if not isinstance(value, str):
        errors.append(FieldError(name, f"{name} must be a string"))
        return None
    if not min_len <= len(value) <= max_len:
        if min_len > 0:
            rule = f"between {min_len} and {max_len} characters"
        else:
            rule = f"at most {max_len} characters"
        errors.append(FieldError(name, f"{name} must be {rule} (got {len(value)})"))
        return None
    return value


def _check_range(
    body: Mapping[str, Any], name: str, errors: list[FieldError], low: int, high: int
) -> int | None:
    value = body[name]
    if not _is_number(value) or not math.isfinite(value):
        errors.append(FieldError(name, f"{name} must be a number"))
        return None
    if not low <= value <= high:
        errors.append(FieldError(name, f"{name} must be between {low} and {high}"))
        return None
    return round(float(value))


def _check_choice(
    body: Mapping[str, Any], name: str, errors: list[FieldError], choices: tuple[str, ...]
) -> str | None:
    value = body[name]
    if not isinstance(value, str) or value not in choices:
        errors.append(FieldError(name, f"{name} must be one of {', '.join(choices)}"))
        return None
    return value


def _summary(errors: list[FieldError]) -> str:
    return "Invalid request: " + "; ".join(e.message for e in errors)


def load_object(raw: bytes) -> dict[str, Any]:
    """A POST body as a JSON object, or `ValidationFailed` without details."""
    if not raw.strip():
        raise ValidationFailed("Request body is missing")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed("Request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ValidationFailed("Request body must be a JSON object")
    return body


def unknown_fields(body: Mapping[str, Any], known: tuple[str, ...]) -> list[FieldError]:
    """An error for each field the endpoint does not take."""
    return [FieldError(name, f"unknown field {name}") for name in body if name not in known]


def required_string(
    body: Mapping[str, Any], name: str, errors: list[FieldError], max_len: int
) -> str | None:
    """A required string of 1 to `max_len` characters."""
    if name not in body:
        errors.append(FieldError(name, f"{name} is required"))
        return None
    return _check_string(body, name, errors, min_len=1, max_len=max_len)


def check_seed(body: Mapping[str, Any], errors: list[FieldError]) -> int | None:
    """The optional integer `seed` (a float with no fraction counts as one)."""
    if "seed" not in body:
        return None
    value = body["seed"]
    if _is_number(value) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    errors.append(FieldError("seed", "seed must be an integer"))
    return None


def check_bool(body: Mapping[str, Any], name: str, errors: list[FieldError]) -> bool | None:
    value = body[name]
    if not isinstance(value, bool):
        errors.append(FieldError(name, f"{name} must be true or false"))
        return None
    return value


def check_number(
    body: Mapping[str, Any], name: str, errors: list[FieldError], low: float, high: float
) -> float | None:
    """A number within [low, high], as a float (not rounded)."""
    value = body[name]
    if not _is_number(value) or not math.isfinite(value):
        errors.append(FieldError(name, f"{name} must be a number"))
        return None
    if not low <= value <= high:
        errors.append(FieldError(name, f"{name} must be between {low:g} and {high:g}"))
        return None
    return float(value)


def check_webhook_field(body: Mapping[str, Any], errors: list[FieldError]) -> str | None:
    """The optional `webhook` URL (https, at most 2048 characters, a public host)."""
    if "webhook" not in body:
        return None
    value = body["webhook"]
    if not isinstance(value, str):
        errors.append(FieldError("webhook", "webhook must be a string"))
        return None
    problem = webhook_problem(value)
    if problem is not None:
        errors.append(FieldError("webhook", problem))
        return None
    return value


def fail_if(errors: list[FieldError]) -> None:
    """Raise every collected error at once, if any."""
    if errors:
        raise ValidationFailed(_summary(errors), errors)


def parse_submission(raw: bytes) -> Submission:
    """Validate a POST body, raising `ValidationFailed` with every bad field."""
    body = load_object(raw)
    errors = unknown_fields(body, SUBMISSION_FIELDS)
    tags = required_string(body, "tags", errors, TAGS_MAX)
    lyrics = (
        _check_string(body, "lyrics", errors, min_len=0, max_len=2000) if "lyrics" in body else None
    )
    low, high = DURATION_RANGE
    duration = _check_range(body, "duration", errors, low, high) if "duration" in body else 60
    bpm = _check_range(body, "bpm", errors, 60, 200) if "bpm" in body else 120
    language = _check_choice(body, "language", errors, LANGUAGES) if "language" in body else None
    key = _check_choice(body, "key", errors, MUSICAL_KEYS) if "key" in body else None
    scale = _check_choice(body, "scale", errors, SCALES) if "scale" in body else None
    timesignature = (
        _check_choice(body, "timesignature", errors, TIME_SIGNATURES)
        if "timesignature" in body
        else "4"
    )
    seed = check_seed(body, errors)
    webhook = check_webhook_field(body, errors)
    fail_if(errors)
    assert tags is not None and duration is not None and bpm is not None
    assert timesignature is not None
    return Submission(
        tags=tags,
        lyrics=lyrics,
        duration=duration,
        bpm=bpm,
        language=language,
        key=key,
        scale=scale,
        timesignature=timesignature,
        seed=seed,
        webhook=webhook,
    )


def _query_int(
    query: Mapping[str, str],
    name: str,
    default: int,
    low: int,
    high: int | None,
    errors: list[FieldError],
) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= (
        high if high is not None else math.inf
    ):
        rule = f"between {low} and {high}" if high is not None else f"at least {low}"
        errors.append(FieldError(name, f"{name} must be an integer {rule}"))
        return default
    return int(text)


def parse_list_query(query: Mapping[str, str], *, with_type: bool = True) -> ListQuery:
    """Validate a list endpoint's query (unknown parameters are ignored).

    `type` is checked, never ignored: a filter the server does not know would
    otherwise answer everything and look like a match."""
    errors: list[FieldError] = []
    limit = _query_int(query, "limit", 20, 1, 100, errors)
    offset = _query_int(query, "offset", 0, 0, None, errors)
    status = query.get("status")
    if status is not None and status not in STATUSES:
        errors.append(FieldError("status", f"status must be one of {', '.join(STATUSES)}"))
    kind = query.get("type") if with_type else None
    if kind is not None and kind not in TYPES:
        errors.append(FieldError("type", f"type must be one of {', '.join(TYPES)}"))
    fail_if(errors)
    return ListQuery(limit=limit, offset=offset, status=status, type=kind)


INSTRUMENTAL_FIELDS = ("prompt", "duration", "enhance", "seed", "webhook")
INSTRUMENTAL_RANGE = (30, 210)
INSTRUMENTAL_STEP = 15


@dataclass(frozen=True)
class InstrumentalRequest:
    """A validated POST /v1/instrumental body; `duration` already snapped to 15 s."""

    prompt: str
    duration: int
    enhance: bool
    seed: int | None
    webhook: str | None


def snap(value: float, step: float) -> float:
    """The nearest multiple of `step` (halves round up, as a person would)."""
    return math.floor(value / step + 0.5) * step


def parse_instrumental(raw: bytes) -> InstrumentalRequest:
    """Validate a POST /v1/instrumental body, raising `ValidationFailed` with every bad field."""
    body = load_object(raw)
    errors = unknown_fields(body, INSTRUMENTAL_FIELDS)
    prompt = required_string(body, "prompt", errors, TAGS_MAX)
    duration: float | None = 120.0
    if "duration" in body:
        duration = check_number(body, "duration", errors, *INSTRUMENTAL_RANGE)
    enhance = check_bool(body, "enhance", errors) if "enhance" in body else True
    seed = check_seed(body, errors)
    webhook = check_webhook_field(body, errors)
    fail_if(errors)
    assert prompt is not None and duration is not None and enhance is not None
    return InstrumentalRequest(
        prompt=prompt,
        duration=int(snap(duration, INSTRUMENTAL_STEP)),
        enhance=enhance,
        seed=seed,
        webhook=webhook,
    )


def parse_id_list(raw: bytes, name: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """A bulk body: `name` a list of 1-100 strings, plus the required string fields `extra`.

    Returns the body; the list is checked whole, never truncated."""
    body = load_object(raw)
    errors = unknown_fields(body, (name, *extra))
    ids = body.get(name)
    if name not in body:
        errors.append(FieldError(name, f"{name} is required"))
    elif not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        errors.append(FieldError(name, f"{name} must be a list of strings"))
    elif not 1 <= len(ids) <= BULK_MAX:
        errors.append(
            FieldError(name, f"{name} must hold between 1 and {BULK_MAX} ids (got {len(ids)})")
        )
    for field in extra:
        required_string(body, field, errors, 200)
    fail_if(errors)
    return body


BULK_MAX = 100
