"""Settings and the API key: where each comes from, and how they are saved.

Settings come from `FTTUI_<NAME>` environment variables, then the TOML config file,
then the defaults. The API key has its own rules: the environment variable
`FINETUNING_API_KEY` (the vendor docs' name) wins, then `api_key` in the config file,
which is always written with mode 0600. There is deliberately no command-line flag
for the key: it would leak into process lists and shell history.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from fttui import locations
from fttui.api.key import ApiKey, KeyFormatError
from fttui.api.origins import DEFAULT_BASE_URL
from fttui.atomic import write_atomic

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEY_ENV_VAR = "FINETUNING_API_KEY"
BASE_URL_ENV_VAR = "FTTUI_BASE_URL"
ENV_PREFIX = "FTTUI_"

PlayerBackendName = Literal["auto", "miniaudio", "simpleaudio", "null"]
PLAYER_BACKENDS: tuple[str, ...] = ("auto", "miniaudio", "simpleaudio", "null")
MIN_AUDIO_CACHE_MB = 16
LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names it and where it came from."""


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """The config file's table, or an empty one when there is no file."""
    path = path or locations.config_file()
    try:
        with path.open("rb") as handle:
            values: dict[str, Any] = tomllib.load(handle)
            return values
    except FileNotFoundError:
        return {}


@dataclass
class Settings:
    """Every setting fttui has. The key is not here: see `resolve_api_key`.

    A plain dataclass read by a small loader rather than pydantic-settings: settings
    are read before the first frame, and that library's import alone cost a fifth of
    the app's start-up.
    """

    base_url: str = DEFAULT_BASE_URL
    bell: bool = True  # ring the terminal bell when a generation ends
    notify: bool = True  # show a notification when a generation ends
    theme: str = "textual-dark"
    player_backend: PlayerBackendName = "auto"
    download_dir: Path | None = None
    audio_cache_mb: int = 512
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        for item in fields(self):
            setattr(self, item.name, _coerce(item.name, getattr(self, item.name)))


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _coerce(name: str, value: Any) -> Any:
    """`value` (from TOML, the environment or code) as the type setting `name` takes."""
    if name in ("bell", "notify"):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise SettingsError(f"{name} must be true or false, not {value!r}")
    if name == "audio_cache_mb":
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            raise SettingsError(f"audio_cache_mb must be a whole number, not {value!r}") from None
        if isinstance(number, bool) or number < MIN_AUDIO_CACHE_MB:
            raise SettingsError(f"audio_cache_mb must be at least {MIN_AUDIO_CACHE_MB}")
        return number
    if name == "player_backend":
        text = str(value).strip().lower()
        if text not in PLAYER_BACKENDS:
            raise SettingsError(f"player_backend must be one of {', '.join(PLAYER_BACKENDS)}")
        return text
    if name == "log_level":
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise SettingsError(f"log_level must be one of {', '.join(LOG_LEVELS)}")
        return level
    if name == "download_dir":
        return None if value in (None, "") else Path(str(value)).expanduser()
    if not isinstance(value, str):
        raise SettingsError(f"{name} must be text, not {value!r}")
    return value.strip()


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (`FTTUI_<NAME>`), then the config file, then the
    defaults; `overrides` (command-line flags) win over all. Raises `SettingsError`."""
    try:
        from_file = read_config_file()
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {locations.config_file()}: {exc}") from None
    values: dict[str, Any] = {}
    for item in fields(Settings):
        name = item.name
        env_value = os.environ.get(ENV_PREFIX + name.upper())
        if overrides.get(name) is not None:
            values[name] = overrides[name]
        elif env_value is not None:
            values[name] = env_value
        elif name in from_file:
            values[name] = from_file[name]
    return Settings(**values)


@dataclass(frozen=True)
class KeySource:
    """A key and where it was found ("environment" or "config file")."""

    key: ApiKey
    origin: str


def resolve_api_key(environ: Mapping[str, str] | None = None) -> KeySource | None:
    """Find the API key, or None. A malformed key raises `KeyFormatError` (say so early)."""
    environ = os.environ if environ is None else environ
    from_env = environ.get(KEY_ENV_VAR, "").strip()
    if from_env:
        return KeySource(ApiKey(from_env), "environment")
    try:
        stored = read_config_file().get("api_key")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if isinstance(stored, str) and stored.strip():
        return KeySource(ApiKey(stored), "config file")
    return None


def save_settings(updates: Mapping[str, Any], path: Path | None = None) -> Path:
    """Merge `updates` into the config file (None removes a setting); written 0600."""
    path = path or locations.config_file()
    current = read_config_file(path)
    for name, value in updates.items():
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    write_atomic(path, _to_toml(current))  # 0600: it may hold the key
    return path


def save_api_key(key: ApiKey, path: Path | None = None) -> Path:
    """Store the key in the config file, readable by its owner only."""
    return save_settings({"api_key": key.reveal()}, path)


def _to_toml(values: Mapping[str, Any]) -> str:
    """A flat TOML table: our settings are strings, numbers, booleans and paths."""
    lines = ["# fttui settings. The API key here is readable by you only (mode 0600)."]
    for name, value in sorted(values.items()):
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


__all__ = [
    "KEY_ENV_VAR",
    "KeyFormatError",
    "KeySource",
    "Settings",
    "SettingsError",
    "load_settings",
    "resolve_api_key",
    "save_api_key",
    "save_settings",
]
