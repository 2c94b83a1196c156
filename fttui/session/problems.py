"""What each documented error means to the person at the keyboard.

`explain` turns an exception from the client into a `Problem`: the words to show, where
(a banner of a given kind), whether to count down, whether to ask for a key, and
whether submitting must wait. The screen decides nothing on its own about errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from fttui.api import errors
from fttui.session.conditions import BLOCKING, Conditions
from fttui.session.text import clean

__all__ = ["BLOCKING", "Problem", "explain", "retrying"]

PLAN_MESSAGE = (
    "Your plan has no API access: the finetuning.ai API needs a Pro (or Lifetime) plan. "
    "Upgrade under Pricing on finetuning.ai, then restart fttui."
)
DEFAULT_WAIT = 30.0
OFFLINE_RETRY = 10.0
"""Seconds between attempts to reach the server again."""


@dataclass(frozen=True)
class Problem:
    """How to present one error."""

    kind: str
    """The banner line it occupies: offline, rate, queue, credits, plan, key, server."""
    text: str
    """What to say; "{seconds}" in it counts down when `seconds` is set."""
    severity: str = "error"
    seconds: float | None = None
    ask_for_key: bool = False
    blocks_submit: bool = False

    @property
    def said_once(self) -> str:
        """The text where nothing counts it down (a screen's own line): "{seconds}"
        filled in once, as the banner would show it first."""
        return Conditions().set(self.kind, self.text, seconds=self.seconds).text


def _server_says(exc: errors.FttuiError) -> str:
    message = clean(exc.message).strip()
    return f" (server: {message})" if message else ""


def explain(exc: BaseException, *, host: str = "the server") -> Problem:
    """The presentation of `exc`; unknown exceptions are shown with their message.

    `host` names the server an offline message could not reach.
    """
    if isinstance(exc, errors.ProPlanRequired):
        return Problem("plan", PLAN_MESSAGE, blocks_submit=True)
    if isinstance(exc, errors.AuthError):
        text = (
            "No API key yet."
            if isinstance(exc, errors.MissingApiKey)
            else ("The server rejected the API key (revoked, unknown or mistyped).")
        )
        return Problem("key", text, ask_for_key=True)
    if isinstance(exc, errors.GenerationRateLimited):
        # Only new submissions wait (the form counts down by its button); reads go on.
        return Problem(
            "posts",
            "10 generations a minute reached: the next can be sent in {seconds} s.",
            severity="warning",
            seconds=exc.retry_after or DEFAULT_WAIT,
        )
    if isinstance(exc, errors.RateLimited):
        return Problem(
            "rate",
            "Rate limited (60 requests a minute, 10 generations): going on in {seconds} s.",
            severity="warning",
            seconds=exc.retry_after or DEFAULT_WAIT,
            blocks_submit=True,
        )
    if isinstance(exc, errors.QueueFull):
        return Problem(
            "queue",
            "Queue full: too many generations in progress. A slot should free in {seconds} s"
            " — press w to send it then by itself.",
            severity="warning",
            seconds=exc.retry_after or DEFAULT_WAIT,
        )
    if isinstance(exc, errors.MonthlyLimitReached):
        return Problem(
            "credits",
            "Monthly limit reached: no generations left. Submit is off until credits "
            "return (new month or a credit pack); your draft is kept.",
            blocks_submit=True,
        )
    if isinstance(exc, errors.DailyLimitReached):
        return Problem(
            "sfx",
            "Today's 100 sound effects are used up (shared with the web app); more at "
            "midnight UTC. Music and instrumentals can still be sent.",
            severity="warning",
        )
    if isinstance(exc, errors.ValidationFailed):
        return Problem("server", "The server refused the request" + _server_says(exc))
    if isinstance(exc, errors.NotFound):
        return Problem("server", "Not found" + _server_says(exc), severity="warning")
    if isinstance(exc, errors.SubmissionUnconfirmed):
        return Problem(
            "unconfirmed",
            "The server did not confirm the submission. Submit is off until fttui knows "
            "whether it was created (nothing is re-sent); checking again in {seconds} s.",
            severity="warning",
            seconds=30,
            blocks_submit=True,
        )
    if isinstance(exc, errors.ServerError):
        return Problem("server", "The server had a problem" + _server_says(exc))
    if isinstance(exc, errors.TransportError):
        # Said once, plainly: the transport's own words ("Could not connect to the
        # server.") would only say it again.
        return Problem(
            "offline",
            f"Offline: can't reach {clean(host)} — showing cached generations;"
            " retrying in {seconds} s.",
            seconds=OFFLINE_RETRY,
        )
    if isinstance(exc, errors.ApiError):
        return Problem("server", f"{exc.error_code}" + _server_says(exc))
    return Problem("server", clean(f"Unexpected error: {exc}"))


def retrying(exc: BaseException, *, host: str = "the server") -> Problem | None:
    """What to say while a failed request is being tried again (None: nothing to say).

    Shown at the first failure, so that a lost connection is said at once rather than
    after every retry; `explain` takes over if the retries give up.
    """
    if isinstance(exc, errors.TransportError):
        return Problem("reconnecting", f"Can't reach {clean(host)}: reconnecting…", "warning")
    if isinstance(exc, errors.ServerError):
        return Problem("reconnecting", "The server had a problem: retrying…", "warning")
    return None  # a 429: the rate limiter holds and says so itself
