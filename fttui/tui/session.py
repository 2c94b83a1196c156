"""Everything the app talks to, opened and closed together: client, cache, watcher.

No Textual here. The main screen owns one `Session`; a new key means a new session.
"""

from __future__ import annotations

from collections.abc import Callable

from fttui.api.client import FinetuningClient
from fttui.api.errors import FttuiError
from fttui.api.key import ApiKey
from fttui.api.models import Account, Generation
from fttui.api.watcher import Watcher, WatchTimeout
from fttui.clock import Clock
from fttui.store import GenerationStore, Library


class Session:
    """The client (opened), the watcher (not yet running), the cache and its library."""

    def __init__(
        self,
        *,
        key: ApiKey | None,
        base_url: str,
        store: GenerationStore,
        clock: Clock,
        on_update: Callable[[Generation], None],
        on_error: Callable[[FttuiError], None],
        on_timeout: Callable[[WatchTimeout], None],
    ) -> None:
        self.key = key
        self.base_url = base_url
        self.store = store
        self.clock = clock
        self.client = FinetuningClient(key, base_url, clock=clock)
        self.library = Library(store, self.client, clock=clock)
        self.watcher = Watcher(
            self.client, clock=clock, on_update=on_update, on_error=on_error, on_timeout=on_timeout
        )
        self.account: Account | None = None

    async def open(self) -> None:
        """Open the HTTP connection pool."""
        await self.client.__aenter__()

    async def close(self) -> None:
        """Close it; safe to call twice."""
        await self.client.__aexit__(None, None, None)
