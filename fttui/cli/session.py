"""What every command needs before it talks to the API: settings, base URL, key, demo."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fttui import locations
from fttui.api.key import ApiKey, KeyFormatError
from fttui.api.origins import InsecureURLError, check_safe_url
from fttui.config import (
    BASE_URL_ENV_VAR,
    KEY_ENV_VAR,
    ConfigFileError,
    Settings,
    SettingsError,
    load_settings,
    resolve_api_key,
)

if TYPE_CHECKING:
    from fttui.sim.server import RunningSim, SimOptions

# The demo's world: a handful of finished tracks to browse and fast generations.
DEMO_SPEED, DEMO_GENERATIONS, DEMO_SEED = 2.0, 24, 7


def demo_world() -> SimOptions:
    """The demo simulator's options: its world, kept in the demo's folder across runs."""
    return {
        "speed": DEMO_SPEED,
        "generations": DEMO_GENERATIONS,
        "seed": DEMO_SEED,
        "state_file": locations.demo_simulator_file(),
    }


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
        return check_safe_url(url, what="The API base URL").rstrip("/")
    except InsecureURLError as exc:
        raise SetupError(str(exc)) from None


class DemoSimulator:
    """The demo's simulator, started on first use from any thread, stopped by `close`.

    The app asks for it only once its first frame is drawn: importing and starting the
    simulator (uvicorn, starlette, the synthesis) would otherwise hold that frame back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sim: RunningSim | None = None
        self._closed = False

    def start(self) -> str:
        """Start the simulator unless it runs already (blocking); returns its base URL."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the demo simulator was stopped")
            if self._sim is None:
                from fttui.sim.server import start

                self._sim = start(**demo_world())
            return self._sim.base_url

    def close(self) -> None:
        """Stop it (waiting for a start under way to finish first); safe to call twice."""
        with self._lock:
            self._closed = True
            if self._sim is not None:
                self._sim.close()
                self._sim = None


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings with the command line's flags on top; a bad value is a `SetupError`."""
    try:
        locations.check_folders()  # a file where a folder should be: say so now
        settings = load_settings(
            theme=getattr(args, "theme", None), player_backend=getattr(args, "player", None)
        )
    except (locations.LocationError, ConfigFileError) as exc:
        raise SetupError(str(exc)) from None
    except SettingsError as exc:
        raise SetupError(f"bad setting: {exc}") from None
    # Logging starts before the settings are read (so reading them is logged too); the
    # level they name applies from here on.
    logging.getLogger().setLevel(settings.log_level)
    return settings


@contextlib.contextmanager
def open_demo(args: argparse.Namespace) -> Iterator[tuple[Settings, ApiKey, DemoSimulator]]:
    """The demo's settings and key, and its simulator, not started yet: the app's way."""
    from fttui.sim.accounts import DEMO_KEY

    settings = settings_from(args)
    simulator = DemoSimulator()
    try:
        yield settings, ApiKey(DEMO_KEY), simulator
    finally:
        simulator.close()


def _warn_on_stderr(message: str) -> None:
    from fttui.cli.output import error_line

    print(error_line(message), file=sys.stderr)


@contextlib.contextmanager
def open_target(
    args: argparse.Namespace,
    *,
    need_key: bool = True,
    warn: Callable[[str], None] = _warn_on_stderr,
) -> Iterator[Target]:
    """Resolve the target; with --demo, run the simulator for as long as the block lasts.

    `warn` gets what was put right on the way (a key file others could read)."""
    settings = settings_from(args)
    if getattr(args, "demo", False):
        from fttui.sim.server import run_in_thread

        # The app's demo world: `fttui --demo generate`, then the app, shows it.
        locations.use_demo_profile()
        with run_in_thread(**demo_world()) as sim:
            yield Target(sim.base_url, ApiKey(sim.demo_key), settings, True, sim.media_url)
        return
    base_url = _base_url(args, settings)
    try:
        found = resolve_api_key()
    except KeyFormatError as exc:
        raise SetupError(f"{exc} (check ${KEY_ENV_VAR} or the config file)", auth=True) from None
    if found is None and need_key:
        raise SetupError(
            f"no API key: set ${KEY_ENV_VAR}, or start `fttui` once to enter it "
            "(or try `fttui --demo`)",
            auth=True,
        )
    if found is not None and found.warning:
        warn(found.warning)
    yield Target(base_url, found.key if found else None, settings, False)
