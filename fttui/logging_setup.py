"""Logging to a rotating file, with anything shaped like an API key redacted.

Never to stderr: Textual draws the screen there. `configure_logging()` is called once
at start-up by the TUI and the CLI.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from fttui import locations
from fttui.api.key import redact

MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactKeys(logging.Filter):
    """Rewrites each record so that its message and arguments hold no API key."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what can be kept
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """A last guard: the formatted line itself is redacted too."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _FttuiHandler(logging.handlers.RotatingFileHandler):
    """Marks the handler this module installed, so a second call replaces it."""

    def handleError(self, record: logging.LogRecord) -> None:
        # The default prints a traceback to stderr, where Textual draws: a full disk
        # or a log file removed under us costs log lines, never the screen.
        pass


class _NoLogFile(logging.NullHandler):
    """Stands in when no log file can be written: records are dropped, and Python's
    last-resort handler (stderr) never fires."""


def configure_logging(level: str | int = "INFO") -> Path | None:
    """Send every log record (fttui's and its libraries') to the rotating log file.

    Returns the file's path, or None when it cannot be written (its folder is a file,
    it is a folder): then nothing is logged. Safe to call more than once.
    """
    path: Path | None
    handler: logging.Handler
    try:
        path = locations.log_file()
        handler = _FttuiHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        path, handler = None, _NoLogFile()
    handler.addFilter(RedactKeys())
    handler.setFormatter(RedactingFormatter(FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, (_FttuiHandler, _NoLogFile))]:
        root.removeHandler(old)
        old.close()
    # With a handler on the root, Python's last-resort stderr handler never fires.
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for noisy in ("httpx", "httpcore", "uvicorn", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
