"""Finished downloads, kept for replay without the network, within a size cap.

A file is only ever placed under its final name by `commit()`, after its length was
checked, by an atomic rename of the `.part` file: a partial file is never taken as
complete. Eviction removes the least recently played files first; "recent" is an
ever-increasing counter kept in a small JSON index, so ties and clock changes do not
matter. Pinned ids (the track playing now) are never evicted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from fttui import locations

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
_SUFFIX = ".audio"
_PART = ".part"
_INDEX = "index.json"


class IncompleteDownload(Exception):
    """A download whose length is not the one announced."""

    def __init__(self, got: int, expected: int) -> None:
        super().__init__(f"download incomplete: {got} of {expected} bytes")
        self.got = got
        self.expected = expected


class AudioCache:
    """Audio files by generation id, in `locations.audio_cache_dir()` unless told otherwise."""

    def __init__(self, directory: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory if directory is not None else locations.audio_cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self._pinned: Counter[str] = Counter()

    # -- names ----------------------------------------------------------------------
    @staticmethod
    def key(track_id: str) -> str:
        """The file stem for an id: ids are opaque, so never used as a path themselves."""
        return hashlib.sha256(track_id.encode("utf-8")).hexdigest()[:40]

    def path_for(self, track_id: str) -> Path:
        """Where the complete file for `track_id` lives (whether or not it exists)."""
        return self.directory / f"{self.key(track_id)}{_SUFFIX}"

    def part_path_for(self, track_id: str) -> Path:
        """Where the download of `track_id` is written while it is under way."""
        return self.directory / f"{self.key(track_id)}{_PART}"

    # -- lookups and changes ----------------------------------------------------------
    def lookup(self, track_id: str) -> Path | None:
        """The complete cached file for `track_id`, or None."""
        path = self.path_for(track_id)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        with self._lock:
            entry = self._load()["entries"].get(self.key(track_id))
        if entry is not None and entry.get("size") != size:
            # Changed behind our back (disk full, a user's editor): not trustworthy.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return None
        return path

    def commit(self, track_id: str, part: Path, expected: int | None) -> Path:
        """Move a finished `.part` file into place once its length is `expected`."""
        size = part.stat().st_size
        if expected is not None and size != expected:
            raise IncompleteDownload(size, expected)
        final = self.path_for(track_id)
        os.replace(part, final)
        with self._lock:
            index = self._load()
            index["entries"][self.key(track_id)] = {"size": size, "order": self._next(index)}
            self._save(index)
        self.evict()
        return final

    def touch(self, track_id: str) -> None:
        """Record that `track_id` was just played."""
        key = self.key(track_id)
        with self._lock:
            index = self._load()
            entry = index["entries"].get(key)
            if entry is None:
                size = self.path_for(track_id).stat().st_size
                entry = index["entries"][key] = {"size": size}
            entry["order"] = self._next(index)
            self._save(index)

    def pin(self, track_id: str) -> None:
        """Protect `track_id` from eviction (while it plays)."""
        with self._lock:
            self._pinned[self.key(track_id)] += 1

    def unpin(self, track_id: str) -> None:
        """Undo one `pin()`."""
        with self._lock:
            key = self.key(track_id)
            self._pinned[key] -= 1
            if self._pinned[key] <= 0:
                del self._pinned[key]

    def total_bytes(self) -> int:
        """Bytes taken by complete files."""
        return sum(size for _, size, _ in self._files())

    def evict(self) -> list[Path]:
        """Delete least recently played files until the total fits `max_bytes`."""
        removed: list[Path] = []
        with self._lock:
            files = self._files()
            total = sum(size for _, size, _ in files)
            index = self._load()
            for path, size, _order in sorted(files, key=lambda f: f[2]):
                if total <= self.max_bytes:
                    break
                if path.stem in self._pinned:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                index["entries"].pop(path.stem, None)
                total -= size
                removed.append(path)
            if removed:
                self._save(index)
        return removed

    # -- the index ------------------------------------------------------------------
    def _files(self) -> list[tuple[Path, int, int]]:
        entries = self._load()["entries"]
        found = []
        for path in self.directory.glob(f"*{_SUFFIX}"):
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            order = entries.get(path.stem, {}).get("order", 0)  # unknown files go first
            found.append((path, size, int(order)))
        return found

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads((self.directory / _INDEX).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            data = {"next": 1, "entries": {}}
        return data

    def _save(self, index: dict[str, Any]) -> None:
        target = self.directory / _INDEX
        temporary = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps(index), encoding="utf-8")
        os.replace(temporary, target)

    @staticmethod
    def _next(index: dict[str, Any]) -> int:
        order = int(index.get("next", 1))
        index["next"] = order + 1
        return order
