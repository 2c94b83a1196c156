"""Settings and the API key: where each comes from, and how they are saved.

Settings come from `FTTUI_<NAME>` environment variables, then the TOML config file,
then the defaults. The API key has its own rules: the environment variable
`FINETUNING_API_KEY` (the vendor docs' name) wins, then `api_key` in the config file,
which is always written with mode 0600. There is deliberately no command-line flag
for the key: it would leak into process lists and shell history.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from fttui import locations
from fttui.api.key import ApiKey, KeyFormatError, SecretText
from fttui.api.origins import DEFAULT_BASE_URL
from fttui.atomic import write_atomic

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

log = logging.getLogger(__name__)

KEY_ENV_VAR = "FINETUNING_API_KEY"
BASE_URL_ENV_VAR = "FTTUI_BASE_URL"
ENV_PREFIX = "FTTUI_"

PlayerBackendName = Literal["auto", "miniaudio", "simpleaudio", "null"]
PLAYER_BACKENDS: tuple[str, ...] = ("auto", "miniaudio", "simpleaudio", "null")
MIN_AUDIO_CACHE_MB = 16
LOG_LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names it and where it came from."""


class ConfigFileError(SettingsError):
    """The config file cannot be read or written; the message says which and why."""


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """The config file's table, or an empty one when there is no file.

    Raises `ConfigFileError`, never with the file's text (it may hold the key) in its
    message or in the frames of its traceback."""
    path = path or _config_file()
    try:
        with path.open("rb") as handle:
            values: dict[str, Any] = tomllib.load(handle)
            return values
    except FileNotFoundError:
        return {}
    # `from None`: the parser's frames hold the file's text.
    except UnicodeDecodeError:
        raise ConfigFileError(f"the config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"the config file {path} is not valid TOML ({exc})") from None
    except IsADirectoryError:
        raise ConfigFileError(f"the config file {path} is a folder, not a file") from None
    except OSError as exc:
        raise ConfigFileError(f"cannot read the config file {path}: {_reason(exc)}") from None


def _config_file() -> Path:
    try:
        return locations.config_file()
    except locations.LocationError as exc:
        raise ConfigFileError(str(exc)) from None


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _read_masked(path: Path) -> dict[str, Any]:
    """The config file's table with the key (if any) kept as `SecretText`."""
    values = read_config_file(path)
    if isinstance(values.get("api_key"), str):
        values["api_key"] = SecretText(values["api_key"])
    return values


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
    queue_capacity: int | None = None
    """How many generations the account's queue holds, if the user knows: the API never
    says, and without it batches send as many at once as fttui has seen it hold."""

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
    if name == "queue_capacity":
        if value in (None, ""):
            return None
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            raise SettingsError(f"queue_capacity must be a whole number, not {value!r}") from None
        if isinstance(number, bool) or number < 1:
            raise SettingsError("queue_capacity must be at least 1")
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
    from_file = read_config_file()
    from_file.pop("api_key", None)  # not a setting; and kept out of this frame's locals
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
    """A key and where it was found ("environment" or "config file"); `warning` says
    what was put right on the way (a config file others could read)."""

    key: ApiKey
    origin: str
    warning: str | None = None


def resolve_api_key(environ: Mapping[str, str] | None = None) -> KeySource | None:
    """Find the API key, or None. A malformed key raises `KeyFormatError` (say so early);
    an unreadable config file is taken as holding no key."""
    # Never a local holding the raw text, nor the environment (its repr shows the key).
    from_env = SecretText((os.environ if environ is None else environ).get(KEY_ENV_VAR, ""))
    if from_env:
        return KeySource(ApiKey(from_env), "environment")
    try:
        path = _config_file()
        stored = _read_masked(path).get("api_key")
    except ConfigFileError:
        return None
    if isinstance(stored, SecretText) and stored:
        key = ApiKey(stored)
        return KeySource(key, "config file", _make_private(path))
    return None


def _make_private(path: Path) -> str | None:
    """Make the file holding the key readable by its owner only; what was done, or None."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & 0o077:
            return None
        path.chmod(0o600)
    except OSError as exc:
        reason = _reason(exc)
        message = f"the config file {path} holds your API key and others can read it ({reason})"
    else:
        message = (
            f"the config file {path} holds your API key but others could read it "
            f"(mode {mode:04o}); it is now readable by you only (0600)"
        )
    log.warning("%s", message)
    return message


def save_settings(updates: Mapping[str, Any], path: Path | None = None) -> Path:
    """Merge `updates` into the config file (None removes a setting); written 0600.

    Raises `ConfigFileError` when the file cannot be read or written. The key travels
    as `ApiKey`/`SecretText` only, so no frame here ever shows it."""
    path = path or _config_file()
    current = _read_masked(path)
    for name, value in updates.items():
        if value is None:
            current.pop(name, None)
        else:
            current[name] = value
    try:
        write_atomic(path, SecretText(_to_toml(current)))  # 0600: it may hold the key
    except IsADirectoryError:
        raise ConfigFileError(f"the config file {path} is a folder, not a file") from None
    except OSError as exc:
        raise ConfigFileError(f"cannot write the config file {path}: {_reason(exc)}") from None
    return path


def save_api_key(key: ApiKey, path: Path | None = None) -> Path:
    """Store the key in the config file, readable by its owner only."""
    return save_settings({"api_key": key}, path)


def _to_toml(values: Mapping[str, Any]) -> str:
    """A flat TOML table: our settings are strings, numbers, booleans and paths."""
    lines = ["# fttui settings. The API key here is readable by you only (mode 0600)."]
    for name, value in sorted(values.items()):
        lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, (ApiKey, SecretText)):
        value = value.reveal()
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
    "ConfigFileError",
    "KeyFormatError",
    "KeySource",
    "Settings",
    "SettingsError",
    "load_settings",
    "resolve_api_key",
    "save_api_key",
    "save_settings",
]
