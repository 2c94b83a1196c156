"""The generation form's draft on disk: read at start, written atomically.

The app writes it a moment after the user stops typing (debounced by the caller),
after a failed submit, and on exit, so neither a crash nor a refused request loses
what was typed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fttui import locations
from fttui.atomic import write_atomic
from fttui.session.fields import DRAFT_FIELDS

log = logging.getLogger(__name__)


class Draft:
    """The draft file. `path` defaults to `locations.draft_file()`."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path or locations.draft_file()

    def load(self) -> dict[str, Any]:
        """The saved fields, or an empty draft if there is none or it is unreadable."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("ignoring an unreadable draft at %s", self.path)
            return {}
        if not isinstance(data, dict):
            return {}
        return {name: data[name] for name in DRAFT_FIELDS if name in data}

    def save(self, fields: Mapping[str, Any]) -> None:
        """Write the draft: to a temporary file, then renamed over the old one."""
        path = self.path
        text = json.dumps({k: v for k, v in fields.items() if k in DRAFT_FIELDS}, indent=1)
        write_atomic(path, text)
