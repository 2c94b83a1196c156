"""The thread a backend without callbacks of its own uses to feed its device."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fttui.audio.backends import FrameSource

Feed = Callable[[FrameSource, threading.Event], None]


class Feeder:
    """At most one feeding thread at a time; `stop` returns once it has ended."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()

    def start(self, feed: Feed, source: FrameSource) -> None:
        """Stop the previous thread, then run `feed(source, halt)` in a new one."""
        self.stop()
        self._halt = threading.Event()
        self._thread = threading.Thread(
            target=feed, args=(source, self._halt), name=self._name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to halt and wait for it (unless called from that thread)."""
        self._halt.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
