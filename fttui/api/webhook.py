"""Which webhook URLs fttui sends: the API takes a public https URL of at most 2048
characters. Loopback (plain http too) is allowed as `origins` allows it for the API
itself, so a local receiver (the simulator's tests) can be named."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from fttui.api.origins import is_loopback_host

WEBHOOK_MAX = 2048
# Names that resolve only inside a network: the server could never reach them.
_PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".localdomain", ".home.arpa", ".intranet")


def _is_public_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    return "." in host and not host.endswith(_PRIVATE_SUFFIXES)


def webhook_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook (one sentence), or None when it can."""
    if len(url) > WEBHOOK_MAX:
        return f"webhook must be at most {WEBHOOK_MAX} characters ({len(url)} now)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "webhook must be a valid https URL"
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        return "webhook must be a valid https URL"
    if is_loopback_host(host):
        return None  # as for the API itself: http is allowed on this machine only
    if parts.scheme != "https":
        return "webhook must be an https URL"
    if not _is_public_host(host):
        return "webhook must point to a public host (not a private address)"
    return None
