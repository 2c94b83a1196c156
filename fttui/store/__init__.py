"""The SQLite cache of generations, and its sync with the server. No Textual here.

The names are imported on first use: `fttui.store.last_seen`, read at start before
pydantic and httpx are loaded, must not pay for them by importing the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fttui.store.database import GenerationStore
    from fttui.store.sync import GenerationSource, Library, SyncResult

_HOMES = {
    "GenerationSource": "sync",
    "GenerationStore": "database",
    "Library": "sync",
    "SyncResult": "sync",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = ["GenerationSource", "GenerationStore", "Library", "SyncResult"]
