"""POST /v1/instrumental (API v1.2): a generation without vocals, read back through
/v1/generations with `type` "instrumental"."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from fttui.api.models import (
    SEED_MAX,
    TAGS_MAX,
    RequestInvalid,
    _blank,
    _field_messages,
    _in_range,
    _number,
    check_webhook,
)

INSTRUMENTAL_DURATION_RANGE = (30, 210)
INSTRUMENTAL_STEP = 15  # the server snaps the duration to it


def check_prompt(value: Any, *, limit: int = TAGS_MAX) -> str:
    """A required prompt of 1 to `limit` characters (outer spaces dropped)."""
    if value is not None and not isinstance(value, str):
        raise ValueError("prompt must be text")
    if value is None or not value.strip():
        raise ValueError("describe the sound (a prompt is required)")
    text: str = value.strip()
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters ({len(text)} now)")
    return text


def check_enhance(value: Any) -> bool:
    """Only an explicit false means "my words verbatim"; unset is the server's true."""
    if value is None:
        return True
    if not isinstance(value, bool):
        raise ValueError("enhance must be true or false")
    return value


def check_seed(value: Any) -> int | None:
    if _blank(value):
        return None
    seed = _number(value, name="seed")
    if isinstance(seed, float) and not seed.is_integer():
        raise ValueError("seed must be a whole number")
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"seed must be between 0 and {SEED_MAX}")
    return int(seed)


def validated(cls: type[BaseModel], fields: dict[str, Any]) -> Any:
    """`cls` built from loose input, or `RequestInvalid` naming every bad field."""
    try:
        return cls.model_validate(fields)
    except ValidationError as exc:
        messages = _field_messages(exc)
        if "prompt" in messages and messages["prompt"] == "required":
            messages["prompt"] = "describe the sound (a prompt is required)"
        raise RequestInvalid(messages) from None


class InstrumentalRequest(BaseModel):
    """The body of POST /v1/instrumental. `enhance` is always sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str
    duration: int | None = None
    enhance: bool = True
    seed: int | None = None
    webhook: str | None = None

    @field_validator("prompt", mode="before")
    @classmethod
    def _prompt(cls, value: Any) -> str:
        return check_prompt(value)

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int | None:
        if _blank(value):
            return None
        low, high = INSTRUMENTAL_DURATION_RANGE
        return _in_range(value, name="duration", low=low, high=high, unit=" seconds")

    @field_validator("enhance", mode="before")
    @classmethod
    def _enhance(cls, value: Any) -> bool:
        return check_enhance(value)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, value: Any) -> int | None:
        return check_seed(value)

    @field_validator("webhook", mode="before")
    @classmethod
    def _webhook(cls, value: Any) -> str | None:
        return check_webhook(value)

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> InstrumentalRequest:
        """Validate loose input; raise `RequestInvalid` listing every bad field at once."""
        request: InstrumentalRequest = validated(cls, dict(fields))
        return request

    def to_json(self) -> dict[str, Any]:
        """The JSON body: the fields given, and `enhance` always."""
        return self.model_dump(exclude_none=True)
