"""How server text and numbers become screen text: literal, clean, short.

Everything the server sends (titles, prompts, error messages, ids) goes through
`clean` before it meets the screen, and is put in a `rich.text.Text` (never parsed as
markup), so brackets, escape sequences and control characters can neither style,
link nor break the display.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from fttui.session.text import clean

__all__ = [
    "clean",
    "count",
    "literal",
    "minutes_seconds",
    "relative_time",
    "shorten",
    "status_text",
]


def literal(text: object, style: str = "", *, single_line: bool = True) -> Text:
    """A `Text` showing `text` exactly as written (cleaned, never interpreted as markup)."""
    return Text(clean(text, single_line=single_line), style=style)


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` cells with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def minutes_seconds(seconds: float | None) -> str:
    """90 → "1:30"; None → "–"."""
    if seconds is None:
        return "–"
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def relative_time(then: datetime | None, now: datetime) -> str:
    """A short age: "just now", "5 min ago", "3 h ago", "2 d ago", else the date."""
    if then is None:
        return "–"
    seconds = (now - then).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d ago"
    return then.strftime("%Y-%m-%d")


def count(value: int | None) -> str:
    """A number, or "–" when the server did not say."""
    return "–" if value is None else f"{value:,}"


# One glyph per status; only characters every common terminal font has.
STATUS_GLYPHS: dict[str, tuple[str, str]] = {
    "completed": ("✓", "green"),
    "failed": ("✗", "red"),
    "processing": ("…", "yellow"),
    "pending": ("·", "yellow"),
}


def status_text(status: str) -> Text:
    """The status with its glyph: "… processing", "✓ completed"; unknown shown as is."""
    glyph, style = STATUS_GLYPHS.get(status.lower(), ("?", "magenta"))
    return Text.assemble((glyph, f"bold {style}"), " ", (clean(status), style))
