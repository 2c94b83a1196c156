"""Encoded audio read from a file that may still be downloading.

The download writes `<cache>/<key>.part` on the event loop; a decoder thread reads it
through `GrowingFileSource`, blocking briefly when it catches up with the writer. Both
meet in a `DownloadProgress`, which also carries the file's current path: the finished
download is renamed under the same lock, so a reader never opens a vanished name. The
reader opens the file for each read rather than holding it, so the rename also works on
Windows, where an open file cannot be renamed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import miniaudio

# How often a waiting reader looks at its cancel flag.
_POLL_S = 0.05


class DownloadCancelled(Exception):
    """The reader was told to give up (stop, seek or close)."""


class DownloadFailed(Exception):
    """The download ended without the whole file."""


class DownloadProgress:
    """How much of a file exists, shared by one writer and any number of reader threads."""

    def __init__(self, path: Path, *, written: int = 0, total: int | None = None) -> None:
        self.cond = threading.Condition()
        self.path = path
        self.written = written
        self.total = total
        self.done = False
        self.error: BaseException | None = None

    @classmethod
    def complete(cls, path: Path) -> DownloadProgress:
        """Progress of a file that is already whole (a cache hit)."""
        size = path.stat().st_size
        progress = cls(path, written=size, total=size)
        progress.done = True
        return progress

    @property
    def fraction(self) -> float | None:
        """Share of the file present, when its length is known."""
        if self.done:
            return 1.0
        if not self.total:
            return None
        return min(1.0, self.written / self.total)

    def advance(self, written: int, total: int | None = None) -> None:
        """The writer has `written` bytes on disk (flushed)."""
        with self.cond:
            self.written = written
            if total is not None:
                self.total = total
            self.cond.notify_all()

    def finish(self, rename: Callable[[], Path]) -> None:
        """Mark the download whole; `rename` moves the file and returns its new path.

        It runs under the lock so no reader opens the old name in between.
        """
        with self.cond:
            self.path = rename()
            self.total = self.written
            self.done = True
            self.cond.notify_all()

    def fail(self, error: BaseException) -> None:
        """Mark the download as given up, waking every waiting reader."""
        with self.cond:
            self.error = error
            self.cond.notify_all()

    def wait_for(self, offset: int, cancelled: Callable[[], bool]) -> None:
        """Block until byte `offset` exists, the download ends, or `cancelled()` is true."""
        with self.cond:
            while self.written <= offset and not self.done:
                if self.error is not None:
                    raise DownloadFailed(str(self.error)) from self.error
                if cancelled():
                    raise DownloadCancelled
                self.cond.wait(_POLL_S)

    def read_at(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes at `offset`, never past what the writer has flushed."""
        with self.cond:
            if self.error is not None and not self.done:
                # The download gave up (and removes its file): say why, not "no such file".
                raise DownloadFailed(str(self.error)) from self.error
            limit = self.written if not self.done else None
            if limit is not None:
                size = min(size, limit - offset)
            if size <= 0:
                return b""
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                return handle.read(size)


class GrowingFileSource(miniaudio.StreamableSource):  # type: ignore[misc]
    """A miniaudio source over a `DownloadProgress`; seekable within what exists."""

    def __init__(self, progress: DownloadProgress, cancelled: Callable[[], bool]) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self._pos = 0

    def head(self, size: int) -> bytes:
        """The first `size` bytes (fewer if the file is shorter), waiting for them."""
        self._progress.wait_for(size - 1, self._cancelled)
        return self._progress.read_at(0, size)

    def read(self, num_bytes: int) -> bytes:
        """Called by miniaudio's decoder thread: the next bytes, b"" at the end."""
        self._progress.wait_for(self._pos, self._cancelled)
        data = self._progress.read_at(self._pos, num_bytes)
        self._pos += len(data)
        return data

    def seek(self, offset: int, origin: miniaudio.SeekOrigin) -> bool:
        """Move within the file; the end is only known once the length is."""
        if origin == miniaudio.SeekOrigin.START:
            target = offset
        elif origin == miniaudio.SeekOrigin.CURRENT:
            target = self._pos + offset
        else:
            total = self._progress.total
            if total is None:
                return False
            target = total + offset
        if target < 0:
            return False
        self._pos = target
        return True


def file_size(path: Path) -> int | None:
    """Size of `path` in bytes, None if it does not exist."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return None
