"""Writing a small file so that a crash leaves the old one or the new one, never half.

The config file (with the key), the submission journal and the form's draft all use
it: written to a temporary file that is private from its first byte, flushed to disk,
then renamed over the target, and the rename itself made durable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class Private(Protocol):
    """Text kept out of sight (`fttui.api.key.SecretText`): shown only by `reveal()`."""

    def reveal(self) -> str: ...


def write_atomic(path: Path, text: str | Private, *, mode: int = 0o600) -> None:
    """Replace `path` with `text` (UTF-8), readable by its owner only unless `mode` says.

    Pass text that may hold the key as `Private`: this frame then never holds it in the
    clear, should a traceback show its locals."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if isinstance(text, str) else text.reveal())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
