"""The player's step sizes, in a module light enough to import before the first frame
(the key bindings need them; the player itself, with miniaudio and httpx, comes later)."""

from __future__ import annotations

SMALL_SEEK_S = 5.0
LARGE_SEEK_S = 30.0
VOLUME_STEP = 0.1
