"""Which URLs fttui may talk to, and which of them may see the API key.

The key goes to the API origin only. Plain http is allowed only on loopback, so the
simulator can serve on 127.0.0.1 while anything that crosses a network is https.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # httpx is imported where a request is made, not at start-up
    import httpx

DEFAULT_BASE_URL = "https://pub.finetuning.ai"


class InsecureURLError(ValueError):
    """A URL that is neither https nor plain http on loopback."""


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_safe_url(url: str, *, what: str = "URL") -> str:
    """`url` if it is https (or http on loopback), else raise: a cheap early check for
    the command line. The client checks again with httpx's own parser before sending."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url.strip()
    if parts.scheme == "http" and host and is_loopback_host(host):
        return url.strip()
    raise InsecureURLError(
        f"{what} must use https (plain http is allowed only on this machine): "
        f"{parts.scheme}://{host}"
    )


def require_safe_url(url: str | httpx.URL, *, what: str = "URL") -> httpx.URL:
    """Return `url` parsed, or raise if it is not https (or http on loopback)."""
    import httpx

    parsed = httpx.URL(str(url))
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host and is_loopback_host(parsed.host):
        return parsed
    raise InsecureURLError(
        f"{what} must use https (plain http is allowed only on this machine): {parsed.scheme}://{parsed.host}"
    )


def origin_of(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and effective port: two URLs with the same origin may share the key."""
    import httpx

    parsed = httpx.URL(str(url))
    port = parsed.port
    if port is None:
        port = {"https": 443, "http": 80}.get(parsed.scheme)
    return parsed.scheme, parsed.host.lower(), port


def same_origin(a: str | httpx.URL, b: str | httpx.URL) -> bool:
    return origin_of(a) == origin_of(b)
