"""The finetuning.ai API client: models, errors, transport, limits, watcher. No Textual here.

The names most code needs are re-exported here; `fttui.api.models` and
`fttui.api.errors` hold the rest. They are imported on first use: importing the
package (as `fttui.api.key` does for the app's very first line) must not pay for
httpx and pydantic before the first frame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fttui.api.bulk import AddResult, DeleteResult, MoveResult, RemoveResult
    from fttui.api.client import FinetuningClient, RetryPolicy
    from fttui.api.health import Health
    from fttui.api.instrumental import InstrumentalRequest
    from fttui.api.journal import SubmissionJournal
    from fttui.api.key import ApiKey, KeyFormatError
    from fttui.api.limiter import Priority, RateLimiter, RateStatus, default_limiter
    from fttui.api.origins import DEFAULT_BASE_URL
    from fttui.api.playlists import Playlist, PlaylistSummary
    from fttui.api.reconcile import ReconcileOutcome, ReconcileResult
    from fttui.api.sound_effects import SoundEffect, SoundEffectPage, SoundEffectRequest
    from fttui.api.transport import media_client
    from fttui.api.watcher import Watcher, WatchTimeout

_HOMES = {
    "DEFAULT_BASE_URL": "origins",
    "AddResult": "bulk",
    "ApiKey": "key",
    "DeleteResult": "bulk",
    "FinetuningClient": "client",
    "Health": "health",
    "InstrumentalRequest": "instrumental",
    "KeyFormatError": "key",
    "MoveResult": "bulk",
    "Playlist": "playlists",
    "PlaylistSummary": "playlists",
    "Priority": "limiter",
    "RateLimiter": "limiter",
    "RateStatus": "limiter",
    "ReconcileOutcome": "reconcile",
    "ReconcileResult": "reconcile",
    "RemoveResult": "bulk",
    "RetryPolicy": "client",
    "SoundEffect": "sound_effects",
    "SoundEffectPage": "sound_effects",
    "SoundEffectRequest": "sound_effects",
    "SubmissionJournal": "journal",
    "WatchTimeout": "watcher",
    "Watcher": "watcher",
    "default_limiter": "limiter",
    "media_client": "transport",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "DEFAULT_BASE_URL",
    "AddResult",
    "ApiKey",
    "DeleteResult",
    "FinetuningClient",
    "Health",
    "InstrumentalRequest",
    "KeyFormatError",
    "MoveResult",
    "Playlist",
    "PlaylistSummary",
    "Priority",
    "RateLimiter",
    "RateStatus",
    "ReconcileOutcome",
    "ReconcileResult",
    "RemoveResult",
    "RetryPolicy",
    "SoundEffect",
    "SoundEffectPage",
    "SoundEffectRequest",
    "SubmissionJournal",
    "WatchTimeout",
    "Watcher",
    "default_limiter",
    "media_client",
]
