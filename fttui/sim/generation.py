"""One generation and its lifecycle, read lazily from the clock.

A generation's schedule (when it starts, when it ends, whether it fails) is fixed when
it is created, so its status at any moment follows from the clock alone: no background
thread, and a VirtualClock moves it deterministically.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from fttui.sim.mp3 import file_size
from fttui.sim.synth import Track

UPLOAD_SECONDS = 0.8  # after the model: storing the file; total ~8 s as on the vendor page
FAIL_WORD = re.compile(r"(?<![\w-])fail-me(?![\w-])", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def generation_time(gen_id: str, seed: int, spread: tuple[float, float] | None = None) -> float:
    """Model time in seconds, fixed by the id and the seed.

    6.0-8.4 (mean 7.2) as on the vendor page; with `spread` (mean, plus or minus),
    uniform over mean - spread .. mean + spread instead (e.g. the slower live API).
    """
    digest = hashlib.sha256(f"{gen_id}:{seed}".encode()).digest()
    draw = int.from_bytes(digest[:4], "big") % 2401
    if spread is not None:
        mean, plus_minus = spread
        return round(max(0.1, mean + plus_minus * (draw / 1200 - 1)), 2)
    return round(6.0 + draw / 1000, 2)


def generation_time_by_duration(
    gen_id: str, seed: int, duration: float, model: tuple[float, float, float]
) -> float:
    """Model time that follows the track's length, as on the live service.

    `model` is (base, seconds per second of track, plus or minus): base + per_second *
    duration, plus a residual uniform in -plus_minus..+plus_minus fixed by the id and seed.
    """
    digest = hashlib.sha256(f"{gen_id}:{seed}".encode()).digest()
    draw = int.from_bytes(digest[:4], "big") % 2401
    base, per_second, plus_minus = model
    return round(max(0.1, base + per_second * duration + plus_minus * (draw / 1200 - 1)), 2)


def title_from(tags: str) -> str:
    """A title as the live API makes one: the first three words, capitalised."""
    words = [w for w in _WORD.findall(tags) if w.lower() != "fail"][:3]
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Untitled"


@dataclass
class Generation:
    """A generation with its fixed schedule (times on the clock's monotonic scale)."""

    id: str
    account_id: str
    prompt: str
    lyrics: str | None
    duration: int
    bpm: int
    language: str
    key: str
    scale: str
    timesignature: str
    seed: int
    created_at: datetime
    created_mono: float
    start_mono: float
    end_mono: float
    generation_time: float
    error_message: str | None = None
    is_public: bool = False
    play_count: int = 0
    like_count: int = 0
    download_count: int = 0
    type: str = "music"  # or "instrumental" (POST /v1/instrumental)
    webhook: str | None = None

    def status(self, now: float) -> str:
        """`pending`, `processing`, `completed` or `failed` at monotonic time `now`."""
        if now < self.start_mono:
            return "pending"
        if now < self.end_mono:
            return "processing"
        return "failed" if self.error_message is not None else "completed"

    def in_progress(self, now: float) -> bool:
        return now < self.end_mono

    @property
    def ended_at(self) -> datetime:
        """Wall time at which it completed or failed."""
        return self.created_at + timedelta(seconds=self.end_mono - self.created_mono)

    @property
    def title(self) -> str:
        return title_from(self.prompt)

    @property
    def file_size(self) -> int:
        return file_size(self.duration)

    @property
    def track(self) -> Track:
        """What the media origin synthesises for this generation."""
        return Track(
            duration=self.duration,
            bpm=self.bpm,
            key=self.key,
            scale=self.scale,
            timesignature=self.timesignature,
            seed=self.seed,
        )
