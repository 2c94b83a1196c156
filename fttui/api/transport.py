"""HTTP plumbing: the key header, reading answers, and the key-less media client.

The key is added by `KeyAuth` on each request, and only when the request goes to the
API origin; no redirect is ever followed with it. Nothing here keeps the raw key in a
named variable or attribute, so a traceback that prints locals cannot show it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from fttui import __version__
from fttui.api.errors import RateLimitInfo, TransportError, error_for
from fttui.api.key import ApiKey, redact
from fttui.api.origins import require_safe_url, same_origin

log = logging.getLogger(__name__)

USER_AGENT = f"fttui/{__version__}"
KEY_HEADER = "X-API-Key"
MAX_REDIRECTS = 5


class KeyAuth(httpx.Auth):
    """Adds `X-API-Key` to requests for the API origin, and to nothing else."""

    def __init__(self, key: ApiKey | None, origin: httpx.URL) -> None:
        self._key = key
        self._origin = origin

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._key is not None and same_origin(request.url, self._origin):
            request.headers[KEY_HEADER] = self._key.reveal()
        else:
            request.headers.pop(KEY_HEADER, None)
        yield request

    def __repr__(self) -> str:
        return f"KeyAuth(origin={str(self._origin)!r})"


def rate_limit_info(response: httpx.Response) -> RateLimitInfo | None:
    """The `X-RateLimit-*` headers of an answer, or None when it has none."""
    limit = _int_header(response, "X-RateLimit-Limit")
    remaining = _int_header(response, "X-RateLimit-Remaining")
    if limit is None and remaining is None:
        return None
    return RateLimitInfo(limit=limit, remaining=remaining)


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers.get(name, "").strip())
    except ValueError:
        return None


def retry_after(response: httpx.Response, body_value: Any, now: datetime) -> float | None:
    """Seconds to wait: the `Retry-After` header (seconds or an HTTP date), else the body's."""
    header = response.headers.get("Retry-After", "").strip()
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return max(0.0, (when - now).total_seconds())
    if isinstance(body_value, (int, float)) and not isinstance(body_value, bool):
        return max(0.0, float(body_value))
    if isinstance(body_value, str):
        try:
            return max(0.0, float(body_value))
        except ValueError:
            return None
    return None


def read_answer(response: httpx.Response, now: datetime) -> Any:
    """The `data` of a success, or raise the error the answer stands for.

    An answer that is not the API's JSON shape (a proxy's page, a cut body, a redirect)
    raises `TransportError`, never anything else.
    """
    rate = rate_limit_info(response)
    status = response.status_code
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        body = None
    if 200 <= status < 300:
        if isinstance(body, Mapping) and "data" in body:
            return body["data"]
        raise TransportError(
            f"The server's answer could not be read (HTTP {status}, not the API's JSON).",
            status=status,
            rate_limit=rate,
        )
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        raise TransportError(
            _unreadable_error(response),
            status=status,
            retry_after=retry_after(response, None, now),
            rate_limit=rate,
        )
    code = error.get("code")
    message = error.get("message")
    raise error_for(
        status,
        str(code) if code is not None else None,
        str(message) if message else "",
        details=error.get("details"),
        retry_after=retry_after(response, error.get("retryAfter"), now),
        rate_limit=rate,
    )


def _unreadable_error(response: httpx.Response) -> str:
    status = response.status_code
    if 300 <= status < 400:
        return f"The server redirected (HTTP {status}); fttui does not follow API redirects."
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return f"The server answered HTTP {status} with {kind} instead of the API's JSON."


def describe(exc: httpx.HTTPError) -> str:
    """A short, key-free description of a network fault."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "Could not connect in time."
    if isinstance(exc, httpx.ConnectError):
        return "Could not connect to the server."
    if isinstance(exc, httpx.TimeoutException):
        return "The server did not answer in time."
    if isinstance(exc, httpx.RemoteProtocolError):
        return "The connection was cut before the answer was complete."
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "The connection was reset."
    return redact(f"Network error ({type(exc).__name__}).")


def never_reached_server(exc: BaseException) -> bool:
    """True only when the request provably never left this machine (no connection)."""
    # A connect timeout or refusal happens before a byte of the request is written.
    # A pool timeout waits for a free connection, also before sending.
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


KEEPALIVE_SECONDS = 4.0
"""How long an idle connection is kept for reuse: under the 5 s idle timeout common
servers use (Node, uvicorn, Apache), so that the client, not the server, ends it. A
connection both ends drop at once cuts the request sent on it (no answer, maybe done)."""


def connection_cut(exc: httpx.HTTPError) -> bool:
    """True when the connection closed or was reset with no answer read: most often a
    pooled connection the server closed (its keep-alive idle timeout) as the request
    went out. The request may or may not have been done."""
    return isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError)


def media_client(*, timeout: float = 60.0, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client for audio URLs: it never carries the key, and follows a redirect
    only to another https (or loopback http) URL.

    Use it for every `audioUrl`: media lives on other origins (object storage), which
    must never see the API key.
    """

    async def check_redirect(response: httpx.Response) -> None:
        location = response.headers.get("Location")
        if response.is_redirect and location:
            require_safe_url(response.url.join(location), what="A redirect of an audio URL")

    async def strip_key(request: httpx.Request) -> None:
        require_safe_url(request.url, what="An audio URL")
        request.headers.pop(KEY_HEADER, None)

    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [strip_key], "response": [check_redirect]},
        limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        **kwargs,
    )
