"""GET /health (API v1.2): whether the API is up; it needs no key."""

from __future__ import annotations

from fttui.api.models import LenientText, _Response


class Health(_Response):
    """GET /health (no key, no `data` wrapper)."""

    status: LenientText = None
    version: LenientText = None

    @property
    def ok(self) -> bool:
        return (self.status or "").lower() == "ok"
