"""The submission journal: every POST is written to disk before it is sent.

A generation costs a credit, and the answer to a POST can be lost (a timeout, a cut
connection, a crash of fttui itself). Each submission is therefore recorded first, one
small JSON file per submission, written atomically; it is removed once the outcome is
known. Whatever is left over is an unknown outcome, settled by
`FinetuningClient.reconcile_pending()` by looking for it among the newest generations,
never by sending it again.

The process sending an entry holds an exclusive `flock` on the entry's `.lock` file from
before the entry is written until its outcome is known, and whoever settles an entry
holds it likewise. A pid alone could not tell a live sender apart from a crashed one
whose pid was reused; the kernel drops a lock the moment its process dies, however it
dies (a kill, a crash, ctrl+c), so an entry whose lock is free has nobody left to
settle it but us.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: entries are then never locked
    fcntl = None  # type: ignore[assignment]

from fttui import locations
from fttui.api.models import parse_timestamp
from fttui.atomic import write_atomic

log = logging.getLogger(__name__)

JournalState = Literal["sending", "unconfirmed"]
# The POSTs that are journaled: each creates something that costs (a credit, or one of
# the day's sound effects).
GENERATIONS = "/v1/generations"
INSTRUMENTAL = "/v1/instrumental"
SOUND_EFFECTS = "/v1/sound-effects"
ENDPOINTS = (GENERATIONS, INSTRUMENTAL, SOUND_EFFECTS)
FORMAT_VERSION = 1
# Older than this is a damaged timestamp, not a submission (and would overflow arithmetic).
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


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
    asked: dict[str, Any] | None = None
    """The request as the user gave it, before fttui picked a seed for it."""
    endpoint: str = GENERATIONS
    """Where it was POSTed (an entry written before v1.2 has none: a generation)."""

    @property
    def request_as_asked(self) -> dict[str, Any]:
        """What the user asked for (an older entry has only the body as sent)."""
        return self.asked if self.asked is not None else self.body

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "id": self.id,
            "sentAt": self.sent_at.isoformat(),
            "body": self.body,
            "state": self.state,
            "reason": self.reason,
            "pid": self.pid,
            "asked": self.asked,
            "endpoint": self.endpoint,
        }

    @classmethod
    def from_json(cls, data: Any) -> JournalEntry:
        if not isinstance(data, dict) or not isinstance(data.get("body"), dict):
            raise ValueError("not a journal entry")
        try:
            sent_at = parse_timestamp(data.get("sentAt"))
        except (ArithmeticError, OSError, ValueError, TypeError):
            sent_at = None  # e.g. 1e300: beyond what a datetime holds
        if sent_at is None or sent_at < EARLIEST or not isinstance(data.get("id"), str):
            raise ValueError("not a journal entry")
        state = data.get("state")
        asked = data.get("asked")
        endpoint = data.get("endpoint", GENERATIONS)
        if endpoint not in ENDPOINTS:
            raise ValueError("a journal entry for an unknown endpoint")
        return cls(
            id=data["id"],
            sent_at=sent_at,
            body=data["body"],
            state="unconfirmed" if state == "unconfirmed" else "sending",
            reason=data.get("reason") if isinstance(data.get("reason"), str) else None,
            pid=pid if isinstance(pid := data.get("pid"), int) else 0,
            asked=asked if isinstance(asked, dict) else None,
            endpoint=endpoint,
        )


class SubmissionJournal:
    """Submissions on disk, one file each, in `locations.journal_dir()` by default."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._locks: dict[str, int] = {}  # entry id -> the descriptor holding its lock

    @property
    def directory(self) -> Path:
        if self._directory is None:
            return locations.journal_dir()
        self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self._directory

    def record(
        self,
        body: dict[str, Any],
        sent_at: datetime,
        *,
        asked: dict[str, Any] | None = None,
        endpoint: str = GENERATIONS,
    ) -> JournalEntry:
        """Write a new submission to `endpoint` to disk (durably) and return it, locked as
        ours until `release` or `remove`."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"not a journaled endpoint: {endpoint}")
        entry = JournalEntry(
            id=uuid.uuid4().hex,
            sent_at=sent_at,
            body=body,
            pid=os.getpid(),
            asked=asked,
            endpoint=endpoint,
        )
        # Locked before it exists: nobody can take it for a crashed process's in between.
        if not self._lock(entry.id):
            raise OSError("a fresh journal entry was locked by someone else")
        self._write(entry)
        return entry

    def claim(self, entry_id: str) -> JournalEntry | None:
        """Take an entry to settle it, or None when a live process is still sending or
        settling it (it is left to that process) or it is gone. `release` when done."""
        if entry_id in self._locks or not self._lock(entry_id):
            return None
        entry = self.get(entry_id)  # read again: its sender may have just removed it
        if entry is None:
            self._path(entry_id).with_suffix(".lock").unlink(missing_ok=True)
            self.release(entry_id)
        return entry

    def release(self, entry_id: str) -> None:
        """Let go of an entry's lock (it stays on disk if it was not removed)."""
        descriptor = self._locks.pop(entry_id, None)
        if descriptor is not None:
            os.close(descriptor)  # closing drops the flock

    def redate(self, entry: JournalEntry, sent_at: datetime) -> JournalEntry:
        """Give an entry another send time (one dated in the future by a wrong clock)."""
        updated = replace(entry, sent_at=sent_at)
        if self._path(entry.id).exists():
            self._write(updated)
        return updated

    def sent_by(self, pid: int) -> list[JournalEntry]:
        """The open entries a process (this one, say) recorded."""
        return [entry for entry in self.pending() if entry.pid == pid]

    def mark_unconfirmed(self, entry: JournalEntry, reason: str) -> JournalEntry:
        """Record that the answer was lost, and why."""
        updated = replace(entry, state="unconfirmed", reason=reason)
        if self._path(entry.id).exists():
            self._write(updated)
        return updated

    def remove(self, entry_id: str) -> None:
        """Forget a submission whose outcome is known."""
        path = self._path(entry_id)
        path.unlink(missing_ok=True)
        # The lock file goes only once the entry has: a process that locks a stale one
        # finds no entry behind it.
        path.with_suffix(".lock").unlink(missing_ok=True)
        self.release(entry_id)

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

    def _lock(self, entry_id: str) -> bool:
        """Hold the entry's lock (without waiting); False while another holds it."""
        if fcntl is None:
            return True
        descriptor = os.open(
            self._path(entry_id).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return False
        self._locks[entry_id] = descriptor
        return True

    def _write(self, entry: JournalEntry) -> None:
        # A crash leaves either the old entry or the new one, never half of one.
        write_atomic(self._path(entry.id), json.dumps(entry.to_json()))
