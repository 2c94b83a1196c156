"""The README's key table, written from the same live bindings as `?` and the palette.

`tests/tui/test_help_and_palette.py` renders this table from the running app and
compares it with README.md, so a key added, moved or renamed in a `BINDINGS` list
fails the test until the README says the same (the failure prints the new table).
"""

from __future__ import annotations

from collections.abc import Sequence


def readme_key_table(rows: Sequence[tuple[str, str, str]]) -> str:
    """(keys, description, where) rows as the README's Markdown table."""
    lines = ["| key | where | does |", "| --- | --- | --- |"]
    for keys, description, place in rows:
        shown = " ".join(f"`{key}`" for key in keys.split(" "))
        lines.append(f"| {shown} | {place} | {description} |")
    return "\n".join(lines) + "\n"
