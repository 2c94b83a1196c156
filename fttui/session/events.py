"""What the session tells a front end, as plain values (no Textual).

The TUI's main screen turns each into widget updates; the headless commands into lines
of output. Submitting tells how a submission went; following tells what the watcher saw.
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
class Wait:
    """A refusal that only time cures: how long, and why in a few words."""

    seconds: float
    reason: str


@dataclass(frozen=True)
class SubmitFailed:
    """A submission (or a reconcile) failed; `error` says why and is explained upstream.

    `wait`: when waiting is the cure (queue full, the POST budget spent), the front end
    can count it down and offer to send then."""

    error: BaseException
    wait: Wait | None = None


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


@dataclass(frozen=True)
class GenerationChanged:
    """A newer copy of a followed or fetched generation, as cached (so with what only the
    cache keeps, such as the submitted lyrics). `finished`: it was in progress and is
    final now, worth announcing; a fetch of an old track is not."""

    generation: Generation
    finished: bool = False


@dataclass(frozen=True)
class GenerationGone:
    """The server no longer has this generation; it has left the cache already."""

    generation_id: str


@dataclass(frozen=True)
class GenerationStalled:
    """In progress for 5 minutes: still followed, less often; say so once."""

    generation_id: str


@dataclass(frozen=True)
class WatchGaveUp:
    """The watcher stopped following a generation stuck in progress for `waited` s."""

    generation_id: str
    waited: float


@dataclass(frozen=True)
class WatchFailed:
    """Following stopped on an error no wait cures (the key refused, say)."""

    error: BaseException


Event = (
    Submitted
    | SoundEffectSubmitted
    | SubmitRefused
    | SubmitFailed
    | FoundAfterAll
    | NotCreated
    | ConditionsChanged
    | ReconcileSettled
    | GenerationChanged
    | GenerationGone
    | GenerationStalled
    | WatchGaveUp
    | WatchFailed
)
Listener = Callable[[Event], None]


def ignore(event: Event) -> None:
    """A listener for a session nobody shows (tests, a preview)."""
