"""What every command needs before it talks to the API: settings, base URL, key, demo."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from fttui.api.key import ApiKey, KeyFormatError
from fttui.api.origins import InsecureURLError, require_safe_url
from fttui.config import BASE_URL_ENV_VAR, KEY_ENV_VAR, Settings, load_settings, resolve_api_key


class SetupError(Exception):
    """A problem found before any request: no key, a malformed key, an insecure URL."""

    def __init__(self, message: str, *, auth: bool = False) -> None:
        super().__init__(message)
        self.auth = auth


@dataclass(frozen=True)
class Target:
    """Where requests go and with which key."""

    base_url: str
    key: ApiKey | None
    settings: Settings
    demo: bool
    media_url: str | None = None


def _base_url(args: argparse.Namespace, settings: Settings) -> str:
    url = args.base_url or os.environ.get(BASE_URL_ENV_VAR) or settings.base_url
    try:
        return str(require_safe_url(url, what="The API base URL")).rstrip("/")
    except InsecureURLError as exc:
        raise SetupError(str(exc)) from None


@contextlib.contextmanager
def open_target(args: argparse.Namespace, *, need_key: bool = True) -> Iterator[Target]:
    """Resolve the target; with --demo, run the simulator for as long as the block lasts."""
    settings = load_settings(
        theme=getattr(args, "theme", None), player_backend=getattr(args, "player", None)
    )
    if getattr(args, "demo", False):
        from fttui.sim.server import run_in_thread

        # The demo's world: a handful of finished tracks to browse and fast generations.
        with run_in_thread(speed=2.0, generations=24, seed=7) as sim:
            yield Target(sim.base_url, ApiKey(sim.demo_key), settings, True, sim.media_url)
        return
    base_url = _base_url(args, settings)
    try:
        found = resolve_api_key()
    except KeyFormatError as exc:
        raise SetupError(f"{exc} (check ${KEY_ENV_VAR} or the config file)", auth=True) from None
    if found is None and need_key:
        raise SetupError(
            f"No API key. Set ${KEY_ENV_VAR}, or start `fttui` once to enter it "
            "(or try `fttui --demo`).",
            auth=True,
        )
    yield Target(base_url, found.key if found else None, settings, False)
