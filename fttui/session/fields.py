"""The form's fields, named once: the form, its draft, presets, remix and export use them.

Light on purpose (no pydantic): the form imports it before the first frame.
"""

from __future__ import annotations

PARAMETERS = (
    "tags",
    "lyrics",
    "duration",
    "bpm",
    "language",
    "key",
    "scale",
    "timesignature",
    "seed",
)
"""What a song's request carries, in the form's order (the seed last)."""
FORM_FIELDS = (*PARAMETERS, "enhance")
"""Every field the form shows (`enhance` for instrumentals and sound effects)."""
PRESET_FIELDS = ("kind", *FORM_FIELDS)
"""What a preset keeps: what the form shows, not the seed lock (a per-session choice)."""
DRAFT_FIELDS = (*PRESET_FIELDS, "seed_locked")
"""What the draft keeps between runs: all of it, the seed lock too."""
