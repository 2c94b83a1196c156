"""Run the real `fttui` command line with one copy of a save held after its first bytes.

`python held_save.py audio|lyrics ARGS...`: the copy of the audio file (or of the
lyrics) writes a little, prints "held", then waits until the save is told to stop (by
SIGTERM or SIGHUP), so a test can signal the program exactly mid-copy.
"""

from __future__ import annotations

import io
import sys
import threading
from typing import IO

from fttui.audio import save
from fttui.cli import main

_which = sys.argv[1]
_real_copy = save._copy


def _held_copy(source: IO[bytes], target: IO[bytes], stop: threading.Event) -> None:
    lyrics = isinstance(source, io.BytesIO)  # the lyrics come from memory, the audio from a file
    if lyrics == (_which == "lyrics"):
        target.write(source.read(2))
        target.flush()
        print("held", flush=True)
        stop.wait(60)
    _real_copy(source, target, stop)


save._copy = _held_copy
sys.exit(main(sys.argv[2:]))
