"""The SQLite cache of generations, and its sync with the server. No Textual here."""

from __future__ import annotations

from fttui.store.database import GenerationStore
from fttui.store.sync import GenerationSource, Library, SyncResult

__all__ = ["GenerationSource", "GenerationStore", "Library", "SyncResult"]
