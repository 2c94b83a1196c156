"""The submission journal: every POST is written to disk before it is sent.

A generation costs a credit, and the answer to a POST can be lost (a timeout, a cut
connection, a crash of fttui itself). Each submission is therefore recorded first, one
small JSON file per submission, written atomically; it is removed once the outcome is
known. Whatever is left over is an unknown outcome, settled by
`FinetuningClient.reconcile_pending()` by looking for it among the newest generations,
never by sending it again.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fttui import locations
from fttui.api.models import parse_timestamp
from fttui.atomic import write_atomic

log = logging.getLogger(__name__)

JournalState = Literal["sending", "unconfirmed"]
FORMAT_VERSION = 1


@dataclass(frozen=True)
class JournalEntry:
    """One submission whose outcome is not yet known."""

    id: str
    sent_at: datetime
    """Wall time (UTC) just before the request was sent."""
    body: dict[str, Any]
    """The JSON body exactly as sent."""
    state: JournalState = "sending"
    reason: str | None = None
    """Why the outcome is unknown, once it is (e.g. "the server did not answer in time")."""
    pid: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "id": self.id,
            "sentAt": self.sent_at.isoformat(),
            "body": self.body,
            "state": self.state,
            "reason": self.reason,
            "pid": self.pid,
        }

    @classmethod
    def from_json(cls, data: Any) -> JournalEntry:
        if not isinstance(data, dict) or not isinstance(data.get("body"), dict):
            raise ValueError("not a journal entry")
        sent_at = parse_timestamp(data.get("sentAt"))
        if sent_at is None or not isinstance(data.get("id"), str):
            raise ValueError("not a journal entry")
        state = data.get("state")
        return cls(
            id=data["id"],
            sent_at=sent_at,
            body=data["body"],
            state="unconfirmed" if state == "unconfirmed" else "sending",
            reason=data.get("reason") if isinstance(data.get("reason"), str) else None,
            pid=pid if isinstance(pid := data.get("pid"), int) else 0,
        )


class SubmissionJournal:
    """Submissions on disk, one file each, in `locations.journal_dir()` by default."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory

    @property
    def directory(self) -> Path:
        if self._directory is None:
            return locations.journal_dir()
        self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self._directory

    def record(self, body: dict[str, Any], sent_at: datetime) -> JournalEntry:
        """Write a new submission to disk (durably) and return it."""
        entry = JournalEntry(id=uuid.uuid4().hex, sent_at=sent_at, body=body, pid=os.getpid())
        self._write(entry)
        return entry

    def mark_unconfirmed(self, entry: JournalEntry, reason: str) -> JournalEntry:
        """Record that the answer was lost, and why."""
        updated = replace(entry, state="unconfirmed", reason=reason)
        if self._path(entry.id).exists():
            self._write(updated)
        return updated

    def remove(self, entry_id: str) -> None:
        """Forget a submission whose outcome is known."""
        self._path(entry_id).unlink(missing_ok=True)

    def get(self, entry_id: str) -> JournalEntry | None:
        try:
            return JournalEntry.from_json(json.loads(self._path(entry_id).read_text("utf-8")))
        except (OSError, ValueError):
            return None

    def pending(self) -> list[JournalEntry]:
        """Every submission still on disk, oldest first. Unreadable files are skipped."""
        entries: list[JournalEntry] = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                entries.append(JournalEntry.from_json(json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError):
                log.warning("skipping an unreadable journal file %s", path.name)
        entries.sort(key=lambda e: e.sent_at)
        return entries

    def _path(self, entry_id: str) -> Path:
        # Ids are our own uuid hex, but a file name is never built from anything else.
        safe = "".join(c for c in entry_id if c.isalnum())
        return self.directory / f"{safe}.json"

    def _write(self, entry: JournalEntry) -> None:
        # A crash leaves either the old entry or the new one, never half of one.
        write_atomic(self._path(entry.id), json.dumps(entry.to_json()))
