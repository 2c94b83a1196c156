"""File names made from text that came from a server: safe on every common system.

No path separators or traversal, no control or invisible formatting characters (a
right-to-left override could disguise ".mp3"), no names Windows reserves, a length
limit in bytes (file systems count bytes, not characters), and never an existing file
overwritten: a suffix " (2)", " (3)"... is added instead.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

# Most file systems allow 255 bytes per name; keep room for " (99)" and the suffix.
MAX_NAME_BYTES = 200
_FORBIDDEN = frozenset('<>:"/\\|?*')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{base}{n}" for base in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]}
)


def _clean(text: str) -> str:
    out = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char in _FORBIDDEN:
            out.append("_")
        elif category.startswith("Z") or char in "\t\n\r":
            out.append(" ")  # every kind of space and line break becomes a plain space
        elif category.startswith("C"):
            continue  # controls, formatting (bidi overrides), surrogates, unassigned
        else:
            out.append(char)
    collapsed = re.sub(r" {2,}", " ", "".join(out))
    return collapsed.strip(" .")  # no hidden files, no "..", no trailing dot (Windows)


def _truncate(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")[:max_bytes]
    return encoded.decode("utf-8", errors="ignore").strip(" .")


def safe_stem(title: str, track_id: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name stem "Title [id]" that is safe to create in any directory."""
    ident = _truncate(_clean(track_id), 48)
    room = max_bytes - (len(ident.encode("utf-8")) + 3 if ident else 0)
    name = _truncate(_clean(title), room) or "untitled"
    stem = f"{name} [{ident}]" if ident else name
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem


def candidates(directory: Path, stem: str, suffix: str, *companions: str) -> Iterator[Path]:
    """Names `stem + suffix`, then " (2)", " (3)"... in `directory`, skipping any that
    exists now with that suffix or a companion's (such as ".txt" for the lyrics).

    A name may still be taken between this check and its use: create it exclusively.
    """
    for n in range(1, 1000):
        candidate = stem if n == 1 else f"{stem} ({n})"
        path = directory / f"{candidate}{suffix}"
        if path.parent != directory or any(
            os.path.lexists(directory / f"{candidate}{extra}") for extra in (suffix, *companions)
        ):
            continue
        yield path


def reserve(directory: Path, stem: str, suffix: str, *companions: str) -> Path:
    """Create an empty file `stem + suffix` in `directory`, never overwriting.

    If it (or a companion such as ".txt" for the same stem) exists, " (2)", " (3)"...
    is added. The file is created exclusively, so two saves cannot take one name.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        candidate = stem if n == 1 else f"{stem} ({n})"
        path = directory / f"{candidate}{suffix}"
        if path.parent != directory or any(
            (directory / f"{candidate}{extra}").exists() for extra in companions
        ):
            continue
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(f"no free file name for {stem!r} in {directory}")
