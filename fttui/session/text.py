"""Server text made safe to show anywhere: no escape sequences, no control characters.

No Rich, no Textual: the session words its conditions with it, and `fttui.tui.text`
builds its styled text on top of it.
"""

from __future__ import annotations

import re
import unicodedata

# CSI / OSC / other escape sequences first, then any remaining control character.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")


def clean(text: object, *, single_line: bool = True) -> str:
    """`text` with escape sequences and control characters removed.

    Newlines and tabs become spaces unless `single_line` is False (lyrics, details).
    """
    raw = _ESCAPES.sub("", "" if text is None else str(text))
    kept: list[str] = []
    for char in raw:
        if char in "\n\t" and not single_line:
            kept.append(char)
        elif char in "\n\t\r":
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and char != "\u200d":
            continue  # bidi overrides and other invisible formatting can reorder the screen
        else:
            kept.append(char)
    return "".join(kept)
