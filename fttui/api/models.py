"""Pydantic models of every request and response in the contract.

Requests are strict: they mirror the contract's rules exactly and report every bad
field at once, in words a person understands. Responses are lenient: unknown fields
are ignored, the nulls of in-progress generations are fine, an unknown status is kept
as it is, and an unparseable timestamp becomes `None` rather than an error.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from fttui.api.webhook import webhook_problem

log = logging.getLogger(__name__)

# --- the contract's enumerations -------------------------------------------------------

LANGUAGES: tuple[str, ...] = ("en", "ja", "de", "fr", "es", "zh", "ko", "pt", "it", "ru")
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "ja": "Japanese", "de": "German", "fr": "French", "es": "Spanish",
    "zh": "Chinese", "ko": "Korean", "pt": "Portuguese", "it": "Italian", "ru": "Russian",
}  # fmt: skip
_LANGUAGE_BY_NAME: dict[str, str] = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
KEYS: tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_TO_SHARP: dict[str, str] = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}
SCALES: tuple[str, ...] = ("major", "minor")
TIME_SIGNATURES: tuple[str, ...] = ("2", "3", "4", "5", "6", "7")
STATUSES: tuple[str, ...] = ("pending", "processing", "completed", "failed")
IN_PROGRESS_STATUSES: frozenset[str] = frozenset({"pending", "processing"})

TAGS_MAX = 700  # API v1.2 (was 500)
LYRICS_MAX = 2000
DURATION_RANGE = (5, 210)  # API v1.2 (was 10-180)
BPM_RANGE = (60, 200)
DEFAULT_DURATION = 60
DEFAULT_BPM = 120
DEFAULT_TIME_SIGNATURE = "4"
SEED_MAX = 2**53 - 1  # the largest integer every JSON reader keeps exactly
LIST_LIMIT_RANGE = (1, 100)

StatusFilter = Literal["pending", "processing", "completed", "failed"]
GENERATION_TYPES: tuple[str, ...] = ("music", "instrumental")
TypeFilter = Literal["music", "instrumental"]

# --- requests --------------------------------------------------------------------------


class RequestInvalid(ValueError):
    """A request that breaks the contract, with one plain message per bad field."""

    def __init__(self, field_errors: Mapping[str, str]) -> None:
        self.field_errors: dict[str, str] = dict(field_errors)
        summary = "; ".join(f"{name}: {msg}" for name, msg in self.field_errors.items())
        super().__init__(summary or "invalid request")


def _number(value: Any, *, name: str) -> int | float:
    """Accept 90, 90.0 and "90" (a form gives text); refuse booleans, NaN and words."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            raise ValueError(f"{name} must be a number") from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a number")
        return value
    if isinstance(value, int):
        return value
    raise ValueError(f"{name} must be a number")


def _in_range(value: Any, *, name: str, low: int, high: int, unit: str = "") -> int:
    """A number within [low, high] (checked before rounding), sent as an integer."""
    number = _number(value, name=name)
    if not low <= number <= high:
        raise ValueError(f"{name} must be {low}–{high}{unit} ({_show(number)} given)")
    return round(number)


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalise_key(value: str) -> str:
    """Map a key typed by a person to the contract's spelling: "db" → "C#", "f#" → "F#"."""
    text = value.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:].lower().replace("♯", "#").replace("♭", "b")
    return FLAT_TO_SHARP.get(text, text)


class GenerationRequest(BaseModel):
    """The body of POST /v1/generations. Build it with `GenerationRequest.from_fields`.

    `key` and `scale` stay unset unless given: the server's default is "auto", which
    fttui never replaces with a value of its own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tags: str
    lyrics: str | None = None
    duration: int | None = None
    bpm: int | None = None
    language: str | None = None
    key: str | None = None
    scale: str | None = None
    timesignature: str | None = None
    seed: int | None = None
    webhook: str | None = None

    @field_validator("webhook", mode="before")
    @classmethod
    def _webhook(cls, value: Any) -> str | None:
        return check_webhook(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> str:
        if value is not None and not isinstance(value, str):
            raise ValueError("tags must be text")
        if value is None or not value.strip():
            raise ValueError("describe the music (tags are required)")
        text: str = value.strip()
        if len(text) > TAGS_MAX:
            raise ValueError(f"at most {TAGS_MAX} characters ({len(text)} now)")
        return text

    @field_validator("lyrics", mode="before")
    @classmethod
    def _lyrics(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("lyrics must be text")
        if not value.strip():
            return None
        if len(value) > LYRICS_MAX:
            raise ValueError(f"at most {LYRICS_MAX} characters ({len(value)} now)")
        return value

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int | None:
        if _blank(value):
            return None
        low, high = DURATION_RANGE
        return _in_range(value, name="duration", low=low, high=high, unit=" seconds")

    @field_validator("bpm", mode="before")
    @classmethod
    def _bpm(cls, value: Any) -> int | None:
        if _blank(value):
            return None
        low, high = BPM_RANGE
        return _in_range(value, name="bpm", low=low, high=high)

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        code = str(value).strip().lower()
        code = _LANGUAGE_BY_NAME.get(code, code)
        if code not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return code

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        key = normalise_key(str(value))
        if key not in KEYS:
            raise ValueError("key must be one of C C# D D# E F F# G G# A A# B (or a flat: Db Eb …)")
        return key

    @field_validator("scale", mode="before")
    @classmethod
    def _scale(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        scale = str(value).strip().lower()
        if scale not in SCALES:
            raise ValueError("scale must be major or minor")
        return scale

    @field_validator("timesignature", mode="before")
    @classmethod
    def _time_signature(cls, value: Any) -> str | None:
        if _blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if text.endswith("/4"):  # people type 3/4; the API wants the beats only
            text = text[:-2]
        if text not in TIME_SIGNATURES:
            raise ValueError("time signature must be 2, 3, 4, 5, 6 or 7 (beats per bar)")
        return text

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, value: Any) -> int | None:
        if _blank(value):
            return None
        seed = _number(value, name="seed")
        if isinstance(seed, float) and not seed.is_integer():
            raise ValueError("seed must be a whole number")
        if not 0 <= seed <= SEED_MAX:
            raise ValueError(f"seed must be between 0 and {SEED_MAX}")
        return int(seed)

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> GenerationRequest:
        """Validate loose input (a form, command-line flags); raise `RequestInvalid` listing
        every bad field at once."""
        try:
            return cls.model_validate(dict(fields))
        except ValidationError as exc:
            raise RequestInvalid(_field_messages(exc)) from None

    def to_json(self) -> dict[str, Any]:
        """The JSON body: only the fields that were given."""
        return self.model_dump(exclude_none=True)

    @property
    def keyscale(self) -> str | None:
        """How the server names key and scale together, e.g. "C minor"."""
        if self.key and self.scale:
            return f"{self.key} {self.scale}"
        return self.key


def check_webhook(value: Any) -> str | None:
    """An optional webhook URL: https to a public host, at most 2048 characters."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError("webhook must be a URL")
    problem = webhook_problem(value.strip())
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


def _field_messages(exc: ValidationError) -> dict[str, str]:
    messages: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "request"
        if error["type"] == "missing":
            text = "describe the music (tags are required)" if name == "tags" else "required"
        elif error["type"] == "extra_forbidden":
            text = "not a parameter of the API"
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
        messages.setdefault(name, text)
    return messages


class ListQuery(BaseModel):
    """The query of GET /v1/generations: `limit` 1–100, `offset` ≥ 0, a known status,
    and a known `type` (music or instrumental)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: int = 20
    offset: int = 0
    status: StatusFilter | None = None
    type: TypeFilter | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        if _blank(value):
            return None
        if value not in GENERATION_TYPES:
            raise ValueError(f"type must be one of {', '.join(GENERATION_TYPES)}")
        return value

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: Any) -> int:
        low, high = LIST_LIMIT_RANGE
        if _number(value, name="limit") != round(_number(value, name="limit")):
            raise ValueError("limit must be a whole number")
        return _in_range(value, name="limit", low=low, high=high)

    @field_validator("offset", mode="before")
    @classmethod
    def _offset(cls, value: Any) -> int:
        number = _number(value, name="offset")
        if number < 0 or number != round(number):
            raise ValueError("offset must be a whole number, 0 or more")
        return round(number)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        if _blank(value):
            return None
        if value not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        return value

    @classmethod
    def build(cls, **fields: Any) -> ListQuery:
        """Validate, raising `RequestInvalid` with every bad field at once."""
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            raise RequestInvalid(_field_messages(exc)) from None

    def to_params(self) -> dict[str, str]:
        """The query string's parameters."""
        params = {"limit": str(self.limit), "offset": str(self.offset)}
        if self.status:
            params["status"] = self.status
        if self.type:
            params["type"] = self.type
        return params


# --- responses -------------------------------------------------------------------------


def _utc_timestamp(value: Any) -> datetime | None:
    """Accept RFC 3339 / ISO 8601 and the live API's `2025-01-15 10:30:00`; naive is UTC.

    Anything no date can hold (1e300, NaN, a year past 9999 once in UTC, garbage) is
    None: one odd field must never cost the whole generation, let alone its page.
    """
    if value is None or value == "":
        return None
    try:
        return _to_utc(value)
    except (ValueError, OverflowError, OSError):
        shown = repr(value)[:40] if isinstance(value, (str, float)) else type(value).__name__
        log.warning("ignoring a timestamp no date can hold: %s", shown)
        return None


def _to_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)  # OverflowError for an int past any float
        if seconds > 1e11:  # milliseconds since 1970 (seconds would be past year 5000)
            seconds /= 1000
        parsed = datetime.fromtimestamp(seconds, timezone.utc)
    elif isinstance(value, str):
        parsed_or_none = _parse_iso(value.strip())
        if parsed_or_none is None:
            log.warning("ignoring an unreadable timestamp %r", value[:40])
            return None
        parsed = parsed_or_none
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _parse_iso(text: str) -> datetime | None:
    # Python 3.10's fromisoformat takes neither "Z" nor 1–5 or 7+ fraction digits.
    text = text.replace("t", "T").replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    date_part, sep, rest = text.partition("T") if "T" in text else text.partition(" ")
    if sep and "." in rest:
        clock, _, tail = rest.partition(".")
        digits = ""
        while tail and tail[0].isdigit():
            digits, tail = digits + tail[0], tail[1:]
        rest = f"{clock}.{(digits + '000000')[:6]}{tail}"
    try:
        return datetime.fromisoformat(f"{date_part}T{rest}" if sep else date_part)
    except ValueError:
        return None


Timestamp = Annotated[datetime | None, BeforeValidator(_utc_timestamp)]
parse_timestamp = _utc_timestamp


def _lenient_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int past any float
        return None
    return number if math.isfinite(number) else None


def _lenient_int(value: Any) -> int | None:
    number = _lenient_number(value)
    return None if number is None else round(number)


def _lenient_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


LenientFloat = Annotated[float | None, BeforeValidator(_lenient_number)]
LenientInt = Annotated[int | None, BeforeValidator(_lenient_int)]
LenientText = Annotated[str | None, BeforeValidator(_lenient_text)]


def _required_id(value: Any) -> str:
    # Ids are opaque: a number is kept as its text, only a missing one is refused.
    if value is None or isinstance(value, (bool, dict, list)) or str(value).strip() == "":
        raise ValueError("an object without an id")
    return str(value)


def _status_text(value: Any) -> str:
    # Kept as the server spelled it: an unknown status is shown, never fatal.
    if value is None or isinstance(value, (dict, list)):
        return "unknown"
    return str(value).strip() or "unknown"


def _lenient_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _beats_text(value: Any) -> str | None:
    # v1.2 answers a string from a POST and a number elsewhere: 4, 4.0 and "4" alike.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _lenient_text(value)


Id = Annotated[str, BeforeValidator(_required_id)]
Status = Annotated[str, BeforeValidator(_status_text)]
LenientBool = Annotated[bool | None, BeforeValidator(_lenient_bool)]


class _Response(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Limits(_Response):
    monthly_generations: LenientInt = None
    generations_used: LenientInt = None
    monthly_remaining: LenientInt = None
    pack_credits: LenientInt = None
    total_remaining: LenientInt = None
    queue_depth: LenientInt = None
    """How many generations are in the queue now: a count, never the queue's capacity
    (that is learnt only from a QUEUE_FULL refusal)."""


class Account(_Response):
    """GET /v1/me."""

    id: Id
    email: LenientText = None
    name: LenientText = None
    tier: LenientText = None
    limits: Limits = Field(default_factory=Limits)

    @field_validator("limits", mode="before")
    @classmethod
    def _limits(cls, value: Any) -> Any:
        return value if isinstance(value, (Mapping, BaseModel)) else {}

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.id


class GenerationParameters(_Response):
    """The parameters the server recorded (it may clamp what was asked)."""

    bpm: LenientInt = None
    duration: LenientInt = None
    timesignature: Annotated[str | None, BeforeValidator(_beats_text)] = None
    """Beats per bar as text: "4" whether the server sent "4" (a POST answer) or 4."""
    language: LenientText = None
    keyscale: LenientText = None
    seed: LenientInt = None
    # Some responses echo the request's own names too.
    key: LenientText = None
    scale: LenientText = None
    lyrics: LenientText = None
    tags: LenientText = None

    @property
    def key_and_scale(self) -> tuple[str | None, str | None]:
        """("C", "minor") from "C minor", or from separate fields."""
        if self.keyscale:
            parts = self.keyscale.split()
            key = normalise_key(parts[0]) if parts else None
            scale = parts[1].lower() if len(parts) > 1 else None
            return key, scale
        return self.key, self.scale


class Generation(_Response):
    """A generation as listed or fetched. Everything but the id may be missing."""

    id: Id
    type: LenientText = None
    """"music" or "instrumental" (None from a server before v1.2)."""
    title: LenientText = None
    prompt: LenientText = None
    status: Status = "unknown"
    audio_url: LenientText = None
    duration: LenientFloat = None
    is_public: LenientBool = None
    play_count: LenientInt = None
    like_count: LenientInt = None
    download_count: LenientInt = None
    parameters: GenerationParameters = Field(default_factory=GenerationParameters)
    created_at: Timestamp = None
    completed_at: Timestamp = None
    file_size: LenientInt = None
    generation_time: LenientFloat = None
    error_message: LenientText = None
    webhook: LenientText = None

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, value: Any) -> Any:
        return value if isinstance(value, (Mapping, BaseModel)) else {}

    @property
    def in_progress(self) -> bool:
        return self.status.lower() in IN_PROGRESS_STATUSES

    @property
    def is_final(self) -> bool:
        """Completed or failed: nothing more will happen to it."""
        return self.status.lower() in ("completed", "failed")

    @property
    def display_title(self) -> str:
        return self.title or self.prompt or self.id

    @property
    def length_seconds(self) -> float | None:
        return self.duration if self.duration is not None else self.parameters.duration


class CreatedGeneration(_Response):
    """The answer to POST /v1/generations."""

    id: Id
    status: Status = "processing"
    prompt: LenientText = None
    parameters: GenerationParameters = Field(default_factory=GenerationParameters)
    credits_remaining: LenientInt = None
    created_at: Timestamp = None
    type: LenientText = None
    """"instrumental" from POST /v1/instrumental; absent (music) from /v1/generations."""
    webhook: LenientText = None

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, value: Any) -> Any:
        return value if isinstance(value, (Mapping, BaseModel)) else {}

    def as_generation(self) -> Generation:
        """The new generation as the list shows it, before the first poll."""
        return Generation(
            id=self.id,
            prompt=self.prompt,
            status=self.status,
            parameters=self.parameters,
            created_at=self.created_at,
            duration=self.parameters.duration,
            type=self.type or "music",
            webhook=self.webhook,
        )

    @classmethod
    def from_generation(cls, generation: Generation) -> CreatedGeneration:
        """The creation answer rebuilt from a listed generation (after a reconcile)."""
        return cls(
            id=generation.id,
            status=generation.status,
            prompt=generation.prompt,
            parameters=generation.parameters,
            created_at=generation.created_at,
            type=generation.type,
            webhook=generation.webhook,
        )


class GenerationPage(_Response):
    """GET /v1/generations. Items the client cannot read at all are skipped, not fatal."""

    generations: list[Generation] = Field(default_factory=list)
    has_more: Annotated[bool, BeforeValidator(lambda value: value is True)] = False
    next_offset: LenientInt = None

    @model_validator(mode="before")
    @classmethod
    def _skip_unreadable(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        items = data.get("generations")
        if not isinstance(items, list):
            return {**data, "generations": []}
        readable: list[Any] = []
        for item in items:
            try:
                readable.append(Generation.model_validate(item))
            except (ValueError, TypeError, ArithmeticError):  # ValidationError is a ValueError
                # One item the client cannot read never hides the others.
                log.warning("skipping an unreadable generation in a list page")
        return {**data, "generations": readable}
