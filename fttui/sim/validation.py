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

MUSICAL_KEYS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SCALES = ("major", "minor")
LANGUAGES = ("en", "ja", "de", "fr", "es", "zh", "ko", "pt", "it", "ru")
TIME_SIGNATURES = ("2", "3", "4", "5", "6", "7")
STATUSES = ("pending", "processing", "completed", "failed")

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


@dataclass(frozen=True)
class ListQuery:
    """A validated GET /v1/generations query."""

    limit: int
    offset: int
    status: str | None


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


def parse_submission(raw: bytes) -> Submission:
    """Validate a POST body, raising `ValidationFailed` with every bad field."""
    if not raw.strip():
        raise ValidationFailed("Request body is missing")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed("Request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ValidationFailed("Request body must be a JSON object")

    errors: list[FieldError] = [
        FieldError(name, f"unknown field {name}") for name in body if name not in SUBMISSION_FIELDS
    ]
    if "tags" not in body:
        errors.append(FieldError("tags", "tags is required"))
        tags = None
    else:
        tags = _check_string(body, "tags", errors, min_len=1, max_len=500)
    lyrics = (
        _check_string(body, "lyrics", errors, min_len=0, max_len=2000) if "lyrics" in body else None
    )
    duration = _check_range(body, "duration", errors, 10, 180) if "duration" in body else 60
    bpm = _check_range(body, "bpm", errors, 60, 200) if "bpm" in body else 120
    language = _check_choice(body, "language", errors, LANGUAGES) if "language" in body else None
    key = _check_choice(body, "key", errors, MUSICAL_KEYS) if "key" in body else None
    scale = _check_choice(body, "scale", errors, SCALES) if "scale" in body else None
    timesignature = (
        _check_choice(body, "timesignature", errors, TIME_SIGNATURES)
        if "timesignature" in body
        else "4"
    )
    seed: int | None = None
    if "seed" in body:
        value = body["seed"]
        if _is_number(value) and math.isfinite(value) and float(value).is_integer():
            seed = int(value)
        else:
            errors.append(FieldError("seed", "seed must be an integer"))

    if errors:
        raise ValidationFailed(_summary(errors), errors)
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


def parse_list_query(query: Mapping[str, str]) -> ListQuery:
    """Validate the list endpoint's query (unknown parameters are ignored)."""
    errors: list[FieldError] = []
    limit = _query_int(query, "limit", 20, 1, 100, errors)
    offset = _query_int(query, "offset", 0, 0, None, errors)
    status = query.get("status")
    if status is not None and status not in STATUSES:
        errors.append(FieldError("status", f"status must be one of {', '.join(STATUSES)}"))
    if errors:
        raise ValidationFailed(_summary(errors), errors)
    return ListQuery(limit=limit, offset=offset, status=status)
