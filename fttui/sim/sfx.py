"""Sound effects: their own store, 1-8 s clips, at most 100 a UTC day per user.

Known only from the vendor's CLI: `POST /v1/sound-effects` (`prompt`, `duration` 1-8 s
snapped to 0.5 s, `enhance`, `webhook`), `GET /v1/sound-effects` (`limit`, `offset`,
`status`) and `GET /v1/sound-effects/{id}`; each object carries `dailyRemaining`. They
cost no generation credit. The simulator's decisions: a creation answers 202, and the
101st of a day answers 402 DAILY_LIMIT_REACHED.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from fttui.sim import shapes
from fttui.sim.accounts import Account
from fttui.sim.errors import ApiError
from fttui.sim.generation import FAIL_WORD, Generation, generation_time
from fttui.sim.validation import (
    TAGS_MAX,
    check_bool,
    check_number,
    check_webhook_field,
    fail_if,
    load_object,
    parse_list_query,
    required_string,
    snap,
    unknown_fields,
)

if TYPE_CHECKING:
    from starlette.datastructures import QueryParams

    from fttui.sim.state import SimState

PREFIX = "/v1/sound-effects"
DAILY_CAP = 100
FIELDS = ("prompt", "duration", "enhance", "webhook")
DURATION_RANGE = (1.0, 8.0)
DURATION_STEP = 0.5
DEFAULT_DURATION = 4.0
FAIL_MESSAGE = "Sound effect failed: the model could not render this prompt"


@dataclass(frozen=True)
class SfxRequest:
    """A validated POST /v1/sound-effects body."""

    prompt: str
    requested_duration: float
    duration: float  # snapped to 0.5 s
    enhance: bool
    webhook: str | None


@dataclass
class SoundEffect:
    """One sound effect; `audio` carries its schedule and what the media origin plays."""

    audio: Generation
    requested_duration: float
    duration: float
    enhance: bool
    webhook: str | None

    @property
    def id(self) -> str:
        return self.audio.id


def parse_request(raw: bytes) -> SfxRequest:
    body = load_object(raw)
    errors = unknown_fields(body, FIELDS)
    prompt = required_string(body, "prompt", errors, TAGS_MAX)
    duration: float | None = DEFAULT_DURATION
    if "duration" in body:
        duration = check_number(body, "duration", errors, *DURATION_RANGE)
    enhance = check_bool(body, "enhance", errors) if "enhance" in body else True
    webhook = check_webhook_field(body, errors)
    fail_if(errors)
    assert prompt is not None and duration is not None and enhance is not None
    return SfxRequest(prompt, duration, snap(duration, DURATION_STEP), enhance, webhook)


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).date().isoformat()


class SoundEffectStore:
    """Every account's sound effects and how many each made per UTC day."""

    def __init__(self) -> None:
        self._by_account: dict[str, list[SoundEffect]] = {}
        self._by_id: dict[str, SoundEffect] = {}
        self._made: dict[tuple[str, str], int] = {}

    def used_today(self, account: Account, now: datetime) -> int:
        return self._made.get((account.id, _day(now)), 0)

    def set_used_today(self, account: Account, now: datetime, count: int) -> None:
        """For tests and the web app's share of the cap."""
        self._made[(account.id, _day(now))] = count

    def remaining_today(self, account: Account, now: datetime) -> int:
        return max(0, DAILY_CAP - self.used_today(account, now))

    def add(self, account: Account, effect: SoundEffect, now: datetime) -> None:
        self._by_account.setdefault(account.id, []).append(effect)
        self._by_id[effect.id] = effect
        self._made[(account.id, _day(now))] = self.used_today(account, now) + 1

    def find(self, account: Account, effect_id: str) -> SoundEffect | None:
        effect = self._by_id.get(effect_id)
        return effect if effect is not None and effect.audio.account_id == account.id else None

    def audio_of(self, effect_id: str) -> Generation | None:
        effect = self._by_id.get(effect_id)
        return effect.audio if effect is not None else None

    def newest_first(self, account: Account) -> list[SoundEffect]:
        return list(reversed(self._by_account.get(account.id, [])))


def shape(state: SimState, effect: SoundEffect, account: Account) -> dict[str, Any]:
    """A sound effect as the API answers it (and as its webhook carries it)."""
    audio = effect.audio
    status = audio.status(state.now())
    done = status == "completed"
    ended = status in ("completed", "failed")
    return {
        "id": effect.id,
        "status": status,
        "prompt": audio.prompt,
        "requestedDuration": effect.requested_duration,
        "audioUrl": f"{state.media_url}/audio/{effect.id}.mp3" if done else None,
        "duration": effect.duration if done else None,
        "webhook": effect.webhook,
        "dailyRemaining": state.sound_effects.remaining_today(account, state.clock.now()),
        "errorMessage": audio.error_message if status == "failed" else None,
        "createdAt": shapes.format_created(audio.created_at),
        "completedAt": shapes.format_completed(audio.ended_at) if ended else None,
    }


def create(state: SimState, account: Account, request: SfxRequest) -> SoundEffect:
    """Make a sound effect, or DAILY_LIMIT_REACHED when the day's 100 are used."""
    wall = state.clock.now()
    if state.sound_effects.remaining_today(account, wall) <= 0:
        raise ApiError(
            "DAILY_LIMIT_REACHED",
            f"Daily limit of {DAILY_CAP} sound effects reached; it resets at 00:00 UTC",
        )
    now = state.now()
    effect_id = state.new_id()
    seed = state.rng.randrange(2**31)
    # A third of a song's model time: clips are short.
    gen_time = round(generation_time(effect_id, seed) / 3, 2)
    failed = FAIL_WORD.search(request.prompt) is not None or state.faults.draw_failure()
    run = (gen_time + 0.3) / state.speed * (0.5 if failed else 1.0)
    audio = Generation(
        id=effect_id,
        account_id=account.id,
        prompt=request.prompt,
        lyrics=None,
        duration=math.ceil(request.duration),
        bpm=120,
        language="en",
        key="C",
        scale="major",
        timesignature="4",
        seed=seed,
        created_at=wall,
        created_mono=now,
        start_mono=now,
        end_mono=now + run,
        generation_time=gen_time,
        error_message=FAIL_MESSAGE if failed else None,
        type="sfx",
    )
    effect = SoundEffect(
        audio, request.requested_duration, request.duration, request.enhance, request.webhook
    )
    state.sound_effects.add(account, effect, wall)
    if effect.webhook is not None:
        state.webhooks.add(effect.webhook, audio.end_mono, lambda: shape(state, effect, account))
    return effect


def route(
    state: SimState, account: Account, method: str, path: str, body: bytes, query: QueryParams
) -> tuple[int, Any] | None:
    """(status, data) for a sound-effect endpoint, or None when `path` is not one."""
    if path == PREFIX and method == "POST":
        made = create(state, account, parse_request(body))
        return 202, shape(state, made, account)
    if path == PREFIX and method == "GET":
        parsed = parse_list_query(query, with_type=False)
        now = state.now()
        matching = [
            e
            for e in state.sound_effects.newest_first(account)
            if parsed.status is None or e.audio.status(now) == parsed.status
        ]
        end = parsed.offset + parsed.limit
        has_more = end < len(matching)
        return 200, {
            "soundEffects": [shape(state, e, account) for e in matching[parsed.offset : end]],
            "hasMore": has_more,
            "nextOffset": end if has_more else None,
        }
    if path.startswith(PREFIX + "/") and method == "GET":
        effect_id = path[len(PREFIX) + 1 :]
        effect = state.sound_effects.find(account, effect_id) if "/" not in effect_id else None
        if effect is None:
            raise ApiError("NOT_FOUND", f"Sound effect {effect_id} not found")
        return 200, shape(state, effect, account)
    return None
