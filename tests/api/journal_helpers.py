"""Journal entries as a crashed fttui leaves them, for the reconcile tests."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from fttui.api.journal import JournalEntry


def dead_pid() -> int:
    """The pid of a process that has exited (as a crashed fttui's would be)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def leave_entry(
    directory: Path,
    body: dict[str, Any],
    sent_at: datetime,
    *,
    asked: dict[str, Any] | None = None,
    pid: int | None = None,
    endpoint: str | None = None,
) -> str:
    """Write an open entry the way a process that died mid-POST leaves it; its id."""
    entry = JournalEntry(
        id=uuid.uuid4().hex,
        sent_at=sent_at,
        body=body,
        pid=dead_pid() if pid is None else pid,
        **({"asked": asked} if asked is not None else {}),
        **({"endpoint": endpoint} if endpoint is not None else {}),
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{entry.id}.json").write_text(json.dumps(entry.to_json()), "utf-8")
    return entry.id


def leave_raw(directory: Path, data: dict[str, Any], name: str) -> None:
    """Write a journal file by hand (a damaged one, say)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(data), "utf-8")
