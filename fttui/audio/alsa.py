"""Keep native audio libraries from writing over the terminal.

With no sound card, ALSA prints "ALSA lib ... cannot find card" straight to the
process's stderr, where Textual draws the screen. Installing a no-op error handler
silences it in-process; redirecting file descriptor 2 would also hide Textual's own
output and Python's tracebacks, so we never do that. JACK's client library does the
same through its own error and info hooks.
"""

from __future__ import annotations

import ctypes
import sys
import threading

# The handlers must live as long as the process: the libraries keep raw pointers to them.
_keep_alive: list[object] = []
_lock = threading.Lock()
_done = False

# snd_lib_error_handler_t is variadic: void (*)(const char *file, int line,
# const char *function, int err, const char *fmt, ...). A callee that ignores its
# arguments never touches the variadic part, so the fixed part is enough to declare.
_ALSA_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)
_JACK_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p)


def _load(*names: str) -> ctypes.CDLL | None:
    # The same sonames miniaudio opens, so the handler lands in the copy it uses.
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _ignore_alsa(
    file: bytes | None, line: int, function: bytes | None, err: int, fmt: bytes | None
) -> None:
    return None


def _ignore_jack(message: bytes | None) -> None:
    return None


def silence_native_audio() -> bool:
    """Install no-op error handlers in ALSA (and JACK, if present). Idempotent.

    Call before the first audio device is opened. Returns True if ALSA was found and
    silenced; off Linux, or without libasound, it does nothing and returns False.
    """
    global _done
    with _lock:
        if _done:
            return bool(_keep_alive)
        _done = True
        if not sys.platform.startswith("linux"):
            return False
        asound = _load("libasound.so.2", "libasound.so")
        if asound is not None:
            handler = _ALSA_HANDLER(_ignore_alsa)
            asound.snd_lib_error_set_handler(handler)
            _keep_alive.append(handler)
        jack = _load("libjack.so.0", "libjack.so")
        if jack is not None:
            jack_handler = _JACK_HANDLER(_ignore_jack)
            jack.jack_set_error_function(jack_handler)
            jack.jack_set_info_function(jack_handler)
            _keep_alive.append(jack_handler)
        return asound is not None
