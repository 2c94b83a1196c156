"""Exit codes of the headless commands, distinct per kind of failure so scripts can branch."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # anything unexpected
    USAGE = 2  # bad flags or parameters (argparse uses 2 as well)
    AUTH = 3  # no key, a rejected key, or a plan without API access
    LIMIT = 4  # rate limited, queue full, or no credits left
    TRANSPORT = 5  # the server could not be reached or answered nonsense / 5xx
    NOT_FOUND = 6  # no such generation
    GENERATION_FAILED = 7  # --wait saw the generation fail or time out
    UNCONFIRMED = 8  # a submission whose outcome is not known yet (kept in the journal)
