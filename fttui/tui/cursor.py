"""The text cursor: whether it blinks.

A blink redraws its field twice a second, forever, while the focus stays there: over
a slow SSH link that is a steady trickle of bytes ahead of every keystroke. Over SSH
the cursor stays lit instead; on a local terminal it blinks as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from textual.widgets import Input, TextArea

from fttui.audio.remote import is_remote_session

_Field = TypeVar("_Field", Input, TextArea)


def cursor_blinks(environ: Mapping[str, str] | None = None) -> bool:
    """Whether text cursors blink here: not over SSH."""
    return not is_remote_session(environ)


def steady_over_ssh(field: _Field) -> _Field:
    """`field`, its cursor blinking only where that costs nothing (see `cursor_blinks`)."""
    field.cursor_blink = cursor_blinks()
    return field
