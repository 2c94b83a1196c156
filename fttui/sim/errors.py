"""The API's error codes and the envelope they travel in."""

from __future__ import annotations

from typing import Any

ERROR_STATUS = {
    "MISSING_API_KEY": 401,
    "INVALID_API_KEY": 401,
    "PRO_PLAN_REQUIRED": 403,
    "RATE_LIMITED": 429,
    "VALIDATION_ERROR": 400,
    "MONTHLY_LIMIT_REACHED": 402,
    "QUEUE_FULL": 429,
    "GENERATION_FAILED": 500,
    "NOT_FOUND": 404,
    "INTERNAL_ERROR": 500,
    # v1.1-v1.2
    "GENERATION_RATE_LIMITED": 429,
    "ADD_FAILED": 400,
    "MOVE_FAILED": 400,
    # The simulator's decision (the daily cap's answer is not documented): a quota, like 402.
    "DAILY_LIMIT_REACHED": 402,
}


class ApiError(Exception):
    """An answer in the error envelope; `retry_after` (seconds) also sets the header."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: list[dict[str, str]] | dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = ERROR_STATUS[code]
        self.message = message
        self.details = details
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """The JSON body: `{"error": {"code", "message"[, "details"][, "retryAfter"]}}`."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        if self.retry_after is not None:
            error["retryAfter"] = self.retry_after
        return {"error": error}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
