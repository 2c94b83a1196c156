"""What the session tells a front end, as plain values (no Textual).

The TUI turns each into widget updates; the headless commands into lines of output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fttui.api.models import Generation
    from fttui.api.sound_effects import SoundEffect


@dataclass(frozen=True)
class Submitted:
    """The server accepted a submission."""

    generation: Generation
    credits_remaining: int | None


@dataclass(frozen=True)
class SoundEffectSubmitted:
    """The server accepted a sound effect (one of the day's; no monthly credit)."""

    effect: SoundEffect


@dataclass(frozen=True)
class SubmitRefused:
    """The server refused some fields; nothing was created."""

    field_errors: Mapping[str, str] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class SubmitFailed:
    """A submission (or a reconcile) failed; `error` says why and is explained upstream."""

    error: BaseException


@dataclass(frozen=True)
class FoundAfterAll:
    """A submission whose answer was lost turned out to be created."""

    generation: Generation


@dataclass(frozen=True)
class NotCreated:
    """A submission whose answer was lost was not created (no credit used)."""


@dataclass(frozen=True)
class ConditionsChanged:
    """The conditions in force changed: redraw them, and what they block."""


@dataclass(frozen=True)
class ReconcileSettled:
    """A look at the journal ended; `waiting` when a submission is still unconfirmed."""

    waiting: bool


Event = (
    Submitted
    | SoundEffectSubmitted
    | SubmitRefused
    | SubmitFailed
    | FoundAfterAll
    | NotCreated
    | ConditionsChanged
    | ReconcileSettled
)
Listener = Callable[[Event], None]
