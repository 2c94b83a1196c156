"""Every place on disk fttui uses. The rest of the code asks here and never builds a path.

`FTTUI_HOME` (if set) roots every directory below one folder: tests and the demo mode use
it so they never touch the user's real configuration, cache or music.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "fttui"


class LocationError(OSError):
    """A folder fttui keeps files in cannot be made: the message says which and why."""


def _home() -> Path | None:
    root = os.environ.get("FTTUI_HOME")
    return Path(root) if root else None


# The demo's cache, journal, draft and simulator live apart from the real account's,
# so neither ever sees the other's generations.
_profile: str | None = None


def use_demo_profile() -> Path:
    """Route the account-specific files to the demo's folder; returns that folder.

    The demo's simulator keeps its generations in `demo_simulator_file`, so yesterday's
    cache shows today's history at once. Without that file the simulator starts afresh,
    and a cache of another world would show ghosts: it goes (the draft stays, it is the
    user's own words)."""
    global _profile
    _profile = "demo"
    folder = _account_dir()
    if not demo_simulator_file().exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database_file()}{suffix}").unlink(missing_ok=True)
        for entry in journal_dir().glob("*"):
            entry.unlink(missing_ok=True)
    return folder


def demo_simulator_file() -> Path:
    """The demo simulator's generations, kept across restarts (demo profile only)."""
    return _ensure(data_dir() / "demo") / "simulator.json"


def _account_dir() -> Path:
    return _ensure(data_dir() / _profile) if _profile else data_dir()


def _ensure(path: Path, mode: int = 0o700) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=mode)
    except OSError as exc:
        raise LocationError(_why_not_a_folder(path, exc)) from None
    return path


def _why_not_a_folder(path: Path, exc: OSError) -> str:
    # A file where a folder should be (the folder itself or one above it) is the usual
    # cause, and one the user can put right: name it.
    for place in (path, *path.parents):
        if place.exists() and not place.is_dir():
            return f"fttui needs a folder at {place}, but a file is there; move it away"
    reason = (exc.strerror or str(exc)).lower()
    return f"fttui cannot create the folder {path}: {reason}"


def check_folders() -> None:
    """Make (if need be) every folder fttui writes to but the music folder: one clear
    `LocationError` at start-up rather than a failure half-way through a command."""
    for folder in (config_dir, data_dir, _account_dir, journal_dir, cache_dir, audio_cache_dir):
        folder()


def config_dir() -> Path:
    home = _home()
    return _ensure(home / "config" if home else platformdirs.user_config_path(APP_NAME))


def config_file() -> Path:
    """The TOML settings file, which also holds the API key (written with mode 0600)."""
    return config_dir() / "config.toml"


def data_dir() -> Path:
    home = _home()
    return _ensure(home / "data" if home else platformdirs.user_data_path(APP_NAME))


def database_file() -> Path:
    """SQLite cache of generation metadata."""
    return _account_dir() / "generations.sqlite3"


def journal_dir() -> Path:
    """Submissions written before they are sent, so an unknown outcome survives a crash."""
    return _ensure(_account_dir() / "journal")


def batches_dir() -> Path:
    """Batch plans (variations), so a restart shows what was sent and what was not."""
    return _ensure(_account_dir() / "batches")


def draft_file() -> Path:
    """The generation form's draft, kept across restarts."""
    return _account_dir() / "draft.json"


def ui_state_file() -> Path:
    """Small UI preferences remembered across runs (theme, filters)."""
    return data_dir() / "ui-state.json"


def cache_dir() -> Path:
    home = _home()
    return _ensure(home / "cache" if home else platformdirs.user_cache_path(APP_NAME))


def audio_cache_dir() -> Path:
    """Finished downloads for replay without the network."""
    return _ensure(cache_dir() / "audio")


def log_dir() -> Path:
    home = _home()
    return _ensure(home / "log" if home else platformdirs.user_log_path(APP_NAME))


def log_file() -> Path:
    return log_dir() / "fttui.log"


def music_dir() -> Path:
    """Default destination of `download` (configurable in the settings)."""
    home = _home()
    base = home / "music" if home else platformdirs.user_music_path() / APP_NAME
    return _ensure(base, mode=0o755)
