"""The finetuning.ai API client: models, errors, transport, limits, watcher. No Textual here.

The names most code needs are re-exported here; `fttui.api.models` and
`fttui.api.errors` hold the rest.
"""

from __future__ import annotations

from fttui.api.client import FinetuningClient, RetryPolicy
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey, KeyFormatError
from fttui.api.limiter import Priority, RateLimiter, RateStatus, default_limiter
from fttui.api.origins import DEFAULT_BASE_URL
from fttui.api.reconcile import ReconcileOutcome, ReconcileResult
from fttui.api.transport import media_client
from fttui.api.watcher import Watcher, WatchTimeout

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiKey",
    "FinetuningClient",
    "KeyFormatError",
    "Priority",
    "RateLimiter",
    "RateStatus",
    "ReconcileOutcome",
    "ReconcileResult",
    "RetryPolicy",
    "SubmissionJournal",
    "WatchTimeout",
    "Watcher",
    "default_limiter",
    "media_client",
]
