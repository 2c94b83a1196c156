"""Finished downloads, kept for replay without the network, within a size cap.

A file is only ever placed under its final name by `commit()`, after its length was
checked, by an atomic rename of the `.part` file: a partial file is never taken as
complete. A cached file that does not start like audio (a captive portal's page an
older version took in) is dropped when it is looked up, so it is fetched again.
Eviction removes the least recently played files first; "recent" is an
ever-increasing counter kept in a small JSON index, so ties and clock changes do not
matter. Pinned ids (the track playing now) are never evicted. Downloads under way
(`.part` files) count against the cap; ones left untouched for a day are removed when
the cache is opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fttui import locations
from fttui.audio.formats import SNIFF_BYTES, sniff

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
# With no fileSize from the API: more than the largest file it makes (210 s of WAV is
# about 37 MB).
MAX_UNKNOWN_BYTES = 64 * 1024 * 1024
# A `.part` file nobody wrote to for this long is an abandoned download, not one under
# way in another fttui sharing the cache.
STALE_PART_S = 24 * 3600
_SUFFIX = ".audio"
_PART = ".part"
_INDEX = "index.json"


def size_limit(file_size: int | None) -> int:
    """The most bytes accepted for a file the API says is `file_size` bytes long (a
    margin over it, or a ceiling above the largest file the API makes when unknown)."""
    if not file_size:
        return MAX_UNKNOWN_BYTES
    return file_size + file_size // 4 + 256 * 1024


def plausible_size(size: int, file_size: int | None) -> bool:
    """Whether a file of `size` bytes can be the one the API announced as `file_size`."""
    if not file_size:
        return 0 < size <= MAX_UNKNOWN_BYTES
    return file_size * 3 // 4 <= size <= size_limit(file_size)


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
        self._remove_stale_parts()

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
    def lookup(self, track_id: str, file_size: int | None = None) -> Path | None:
        """The complete cached file for `track_id`, or None; `file_size` is the size the
        API announced, when known (a file far from it is dropped)."""
        path = self.path_for(track_id)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        with self._lock:
            entry = self._load()["entries"].get(self.key(track_id))
        changed = entry is not None and entry.get("size") != size
        if changed or not plausible_size(size, file_size) or not _starts_like_audio(path):
            # Changed behind our back (disk full, a user's editor), or never audio (a
            # captive portal's page an older version kept): not trustworthy.
            self.drop(track_id)
            return None
        return path

    def drop(self, track_id: str) -> None:
        """Forget `track_id`'s complete file (it is fetched again when next wanted)."""
        with self._lock:
            with contextlib.suppress(FileNotFoundError):
                self.path_for(track_id).unlink()
            index = self._load()
            if index["entries"].pop(self.key(track_id), None) is not None:
                self._save(index)

    def remove_part(self, track_id: str) -> None:
        """Delete the `.part` file of a download that failed."""
        with contextlib.suppress(FileNotFoundError):
            self.part_path_for(track_id).unlink()

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
        """Bytes taken by complete files and downloads under way."""
        return sum(size for _, size, _ in self._files()) + self._part_bytes()

    def evict(self) -> list[Path]:
        """Delete least recently played files until the total (downloads under way
        included) fits `max_bytes`."""
        removed: list[Path] = []
        with self._lock:
            files = self._files()
            total = sum(size for _, size, _ in files) + self._part_bytes()
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

    def _part_bytes(self) -> int:
        total = 0
        for path in self.directory.glob(f"*{_PART}"):
            with contextlib.suppress(FileNotFoundError):
                total += path.stat().st_size
        return total

    def _remove_stale_parts(self) -> None:
        too_old = time.time() - STALE_PART_S
        for path in self.directory.glob(f"*{_PART}"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < too_old:
                    path.unlink()

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


def _starts_like_audio(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(SNIFF_BYTES)) is not None
    except FileNotFoundError:
        return False
