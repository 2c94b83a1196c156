"""Human and JSON renderings for the headless commands. Plain text: no Rich, no colour
codes, and anything that came from the server is stripped of control characters so a
hostile title cannot drive the user's terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from pydantic import BaseModel

from fttui.api.models import Account, CreatedGeneration, Generation


def printable(text: object) -> str:
    """`text` with control characters (escape sequences included) made visible."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in str(text))


def emit_json(
    value: BaseModel | list[BaseModel] | dict[str, Any], out: TextIO | None = None
) -> None:
    """One JSON document, with the API's own field names (on stdout by default)."""
    out = out if out is not None else sys.stdout  # looked up now: tests replace it
    if isinstance(value, BaseModel):
        data: Any = value.model_dump(mode="json", by_alias=True)
    elif isinstance(value, list):
        data = [item.model_dump(mode="json", by_alias=True) for item in value]
    else:
        data = value
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def _length(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def account_text(account: Account) -> str:
    limits = account.limits
    lines = [
        f"{printable(account.display_name)} <{printable(account.email or '-')}>",
        f"plan:        {printable(account.tier or '-')}",
        f"this month:  {limits.generations_used if limits.generations_used is not None else '-'}"
        f" of {limits.monthly_generations if limits.monthly_generations is not None else '-'} used"
        f", {limits.monthly_remaining if limits.monthly_remaining is not None else '-'} left",
        f"pack:        {limits.pack_credits if limits.pack_credits is not None else '-'} credits",
        f"remaining:   {limits.total_remaining if limits.total_remaining is not None else '-'}",
        f"queue depth: {limits.queue_depth if limits.queue_depth is not None else '-'}",
    ]
    return "\n".join(lines)


def key_scale(generation: Generation) -> str:
    key, scale = generation.parameters.key_and_scale
    return " ".join(part for part in (key, scale) if part) or "-"


def generation_rows(generations: Iterable[Generation]) -> str:
    """A fixed-width table, one generation a line."""
    rows = [("ID", "STATUS", "LENGTH", "BPM", "KEY", "CREATED", "TITLE")]
    for gen in generations:
        rows.append(
            (
                printable(gen.id),
                printable(gen.status),
                _length(gen.length_seconds),
                str(gen.parameters.bpm or "-"),
                printable(key_scale(gen)),
                gen.created_at.strftime("%Y-%m-%d %H:%M") if gen.created_at else "-",
                printable(gen.display_title)[:60],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    )


def generation_text(gen: Generation) -> str:
    """Every field of one generation, one per line."""
    params = gen.parameters
    fields: list[tuple[str, object]] = [
        ("id", gen.id),
        ("title", gen.title or "-"),
        ("prompt", gen.prompt or "-"),
        ("status", gen.status),
        ("length", _length(gen.length_seconds)),
        ("bpm", params.bpm or "-"),
        ("key", key_scale(gen)),
        ("time signature", params.timesignature or "-"),
        ("language", params.language or "-"),
        ("seed", params.seed if params.seed is not None else "-"),
        ("created", _when(gen.created_at)),
        ("completed", _when(gen.completed_at)),
        ("generation time", f"{gen.generation_time:.1f} s" if gen.generation_time else "-"),
        ("file size", f"{gen.file_size:,} bytes" if gen.file_size else "-"),
        ("plays", gen.play_count if gen.play_count is not None else "-"),
        ("downloads", gen.download_count if gen.download_count is not None else "-"),
        ("likes", gen.like_count if gen.like_count is not None else "-"),
        ("public", {True: "yes", False: "no", None: "-"}[gen.is_public]),
        ("audio", gen.audio_url or "-"),
    ]
    if gen.error_message:
        fields.append(("error", gen.error_message))
    width = max(len(name) for name, _ in fields)
    return "\n".join(f"{name.ljust(width)}  {printable(value)}" for name, value in fields)


def created_text(created: CreatedGeneration) -> str:
    credits = created.credits_remaining
    left = f" ({credits} credits left)" if credits is not None else ""
    return f"submitted {printable(created.id)}: {printable(created.status)}{left}"


def error_line(message: str) -> str:
    """ "fttui: " and the message as one sentence, lower-case after the prefix (as other
    Unix tools write theirs), control characters made visible."""
    text = printable(message).strip()
    # An acronym keeps its capitals ("API key ..."); a capitalised word does not.
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return f"fttui: {text}"


def field_line(name: str, message: str) -> str:
    """ "bpm: must be 60–200", not "bpm: bpm must be 60–200"."""
    if message.lower().startswith(f"{name.lower()} "):
        message = message[len(name) + 1 :]
    return f"{name}: {message}"


def failure_reason(error_message: str | None) -> str:
    """Why a generation failed, without the server's own "Generation failed:" in front."""
    reason = (error_message or "").strip()
    if reason.lower().startswith("generation failed"):
        reason = reason[len("generation failed") :].lstrip(" :-—")
    return reason or "no reason given"
