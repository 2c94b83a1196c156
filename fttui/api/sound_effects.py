"""Sound effects (API v1.2): 1–8 s clips in their own store, at most 100 a UTC day.

They cost no generation credit but count against the daily cap, so a submission is
journaled like a generation's (see `FinetuningClient.create_sound_effect`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from fttui.api.instrumental import check_enhance, check_prompt, validated
from fttui.api.models import (
    IN_PROGRESS_STATUSES,
    Id,
    LenientFloat,
    LenientInt,
    LenientText,
    Status,
    Timestamp,
    _blank,
    _number,
    _Response,
    check_webhook,
)

log = logging.getLogger(__name__)

SOUND_EFFECT_DURATION_RANGE = (1.0, 8.0)
SOUND_EFFECT_STEP = 0.5  # the server snaps the duration to it
SOUND_EFFECTS_A_DAY = 100


class SoundEffectRequest(BaseModel):
    """The body of POST /v1/sound-effects. `enhance` is always sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str
    duration: float | None = None
    enhance: bool = True
    webhook: str | None = None

    @field_validator("prompt", mode="before")
    @classmethod
    def _prompt(cls, value: Any) -> str:
        return check_prompt(value)

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float | None:
        if _blank(value):
            return None
        number = float(_number(value, name="duration"))
        low, high = SOUND_EFFECT_DURATION_RANGE
        if not low <= number <= high:
            raise ValueError(f"duration must be {low:g}–{high:g} seconds ({number:g} given)")
        return number

    @field_validator("enhance", mode="before")
    @classmethod
    def _enhance(cls, value: Any) -> bool:
        return check_enhance(value)

    @field_validator("webhook", mode="before")
    @classmethod
    def _webhook(cls, value: Any) -> str | None:
        return check_webhook(value)

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> SoundEffectRequest:
        """Validate loose input; raise `RequestInvalid` listing every bad field at once."""
        request: SoundEffectRequest = validated(cls, dict(fields))
        return request

    def to_json(self) -> dict[str, Any]:
        """The JSON body: the fields given, and `enhance` always; a whole duration as an
        integer."""
        body = self.model_dump(exclude_none=True)
        if isinstance(self.duration, float) and self.duration.is_integer():
            body["duration"] = int(self.duration)
        return body


class SoundEffect(_Response):
    """A sound effect as created, listed or fetched. Everything but the id may be missing."""

    id: Id
    status: Status = "unknown"
    prompt: LenientText = None
    requested_duration: LenientFloat = None
    """The duration asked for; `duration` is what was made (snapped to 0.5 s)."""
    audio_url: LenientText = None
    duration: LenientFloat = None
    webhook: LenientText = None
    daily_remaining: LenientInt = None
    """Sound effects left today (UTC), shared with the web app."""
    error_message: LenientText = None
    created_at: Timestamp = None
    completed_at: Timestamp = None

    @property
    def in_progress(self) -> bool:
        return self.status.lower() in IN_PROGRESS_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status.lower() in ("completed", "failed")


class SoundEffectPage(_Response):
    """GET /v1/sound-effects. Items the client cannot read at all are skipped."""

    sound_effects: list[SoundEffect] = Field(default_factory=list)
    has_more: Annotated[bool, BeforeValidator(lambda value: value is True)] = False
    next_offset: LenientInt = None

    @model_validator(mode="before")
    @classmethod
    def _skip_unreadable(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        items = data.get("soundEffects")
        readable: list[SoundEffect] = []
        for item in items if isinstance(items, list) else []:
            try:
                readable.append(SoundEffect.model_validate(item))
            except ValidationError:
                log.warning("skipping an unreadable sound effect in a list page")
        return {**data, "soundEffects": readable}
