"""One exception class per documented error code, plus the faults the contract names.

`ApiError` subclasses come from a JSON error envelope; `TransportError` is everything
that is not that shape (no connection, a timeout, a proxy's HTML page, a cut body).
Messages never contain the API key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fttui.api.key import redact


@dataclass(frozen=True)
class RateLimitInfo:
    """The rate-limit headers of the last answer."""

    limit: int | None = None
    remaining: int | None = None


class FttuiError(Exception):
    """Base of every error this client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        """The message, safe to show (anything shaped like a key is redacted)."""
        return str(self.args[0]) if self.args else ""


class ApiError(FttuiError):
    """The server answered with `{"error": {...}}`."""

    code: ClassVar[str] = "UNKNOWN"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
        rate_limit: RateLimitInfo | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = code or self.code
        self.details = details
        self.retry_after = retry_after
        self.rate_limit = rate_limit

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.error_code!r}, "
            f"message={self.message!r})"
        )


class AuthError(ApiError):
    """The key is missing, wrong or not allowed: retrying cannot help."""


class MissingApiKey(AuthError):
    code = "MISSING_API_KEY"


class InvalidApiKey(AuthError):
    code = "INVALID_API_KEY"


class ProPlanRequired(AuthError):
    code = "PRO_PLAN_REQUIRED"


class LimitError(ApiError):
    """A limit of the account: wait, or buy credits."""


class RateLimited(LimitError):
    code = "RATE_LIMITED"
    retryable = True


class GenerationRateLimited(RateLimited):
    """Too many creating POSTs this minute (10): only new submissions wait, reads go on."""

    code = "GENERATION_RATE_LIMITED"


class DailyLimitReached(LimitError):
    """The day's sound effects (100 a UTC day, shared with the web app) are used up."""

    code = "DAILY_LIMIT_REACHED"


class QueueFull(LimitError):
    code = "QUEUE_FULL"


class MonthlyLimitReached(LimitError):
    code = "MONTHLY_LIMIT_REACHED"


class ValidationFailed(ApiError):
    """The server refused the request's fields; `field_errors` maps each to its message."""

    code = "VALIDATION_ERROR"

    @property
    def field_errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        items: list[Any] = []
        if isinstance(self.details, list):
            items = self.details
        elif isinstance(self.details, dict) and "field" in self.details:
            items = [self.details]  # one `{"field", "message"}` (the vendor's CLI reads it so)
        elif isinstance(self.details, dict):
            items = [{"field": name, "message": text} for name, text in self.details.items()]
        for item in items:
            if not isinstance(item, dict):
                continue
            name = item.get("field") or item.get("path") or item.get("name")
            text = item.get("message") or item.get("msg")
            if isinstance(name, list):
                name = ".".join(str(part) for part in name)
            if name and text:
                found.setdefault(str(name), redact(str(text)))
        return found


class BulkFailed(ApiError):
    """A bulk request of which no item succeeded; `item_errors` says why for each id."""

    @property
    def item_errors(self) -> list[tuple[str, str]]:
        """(id, reason) for each refused item, as the server listed them in `details`."""
        found: list[tuple[str, str]] = []
        for item in self.details if isinstance(self.details, list) else []:
            if not isinstance(item, dict):
                continue
            item_id = item.get("trackId", item.get("id"))
            if item_id is not None:
                found.append((str(item_id), redact(str(item.get("error") or self.message))))
        return found


class AddFailed(BulkFailed):
    """No track could be added to the playlist."""

    code = "ADD_FAILED"


class MoveFailed(BulkFailed):
    """No track could be moved to the other playlist."""

    code = "MOVE_FAILED"


class NotFound(ApiError):
    code = "NOT_FOUND"


class ServerError(ApiError):
    """A 5xx with the error envelope."""

    retryable = True


class GenerationFailed(ServerError):
    code = "GENERATION_FAILED"


class InternalError(ServerError):
    code = "INTERNAL_ERROR"


class UnknownApiError(ApiError):
    """An error code this client does not know; shown with the server's message."""


ERRORS_BY_CODE: dict[str, type[ApiError]] = {
    cls.code: cls
    for cls in (
        MissingApiKey, InvalidApiKey, ProPlanRequired, RateLimited, QueueFull,
        MonthlyLimitReached, ValidationFailed, NotFound, GenerationFailed, InternalError,
        GenerationRateLimited, DailyLimitReached, AddFailed, MoveFailed,
    )
}  # fmt: skip


def error_for(
    status: int,
    code: str | None,
    message: str,
    *,
    details: Any = None,
    retry_after: float | None = None,
    rate_limit: RateLimitInfo | None = None,
) -> ApiError:
    """Build the exception for an error envelope."""
    cls = ERRORS_BY_CODE.get(code or "")
    if cls is None:
        # An unknown code still behaves by its status: a 429 waits, a 5xx is retried.
        if status == 429:
            cls = RateLimited
        elif status >= 500:
            cls = ServerError
        else:
            cls = UnknownApiError
    return cls(
        message or f"HTTP {status}",
        status=status,
        code=code,
        details=details,
        retry_after=retry_after,
        rate_limit=rate_limit,
    )


class TransportError(FttuiError):
    """No usable answer: the network failed, timed out, or the body was not the API's JSON.

    `maybe_delivered` is False only when the request provably never reached the server
    (the connection was never made), which is the one case where any POST may be re-sent.
    `cut` says the connection closed with no answer (not a timeout, not a bad body): a
    request that is safe to repeat is sent once more on a fresh connection.
    """

    def __init__(
        self,
        message: str,
        *,
        maybe_delivered: bool = True,
        cut: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
        rate_limit: RateLimitInfo | None = None,
    ) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered
        self.cut = cut
        self.status = status
        self.retry_after = retry_after
        self.rate_limit = rate_limit

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, maybe_delivered="
            f"{self.maybe_delivered}, message={self.message!r})"
        )


class SubmissionUnconfirmed(FttuiError):
    """A POST whose outcome is unknown and could not yet be reconciled.

    The submission stays in the journal; it is never re-sent blindly. `journal_id`
    names it so the user (or the next start) can reconcile it later.
    """

    def __init__(self, message: str, *, journal_id: str) -> None:
        super().__init__(message)
        self.journal_id = journal_id


class InsecureKeyFile(FttuiError):
    """The config file holding the key is readable by others."""
