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
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from fttui import locations
from fttui.api.key import ApiKey, KeyFormatError
from fttui.api.origins import DEFAULT_BASE_URL

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEY_ENV_VAR = "FINETUNING_API_KEY"
BASE_URL_ENV_VAR = "FTTUI_BASE_URL"

PlayerBackendName = Literal["auto", "miniaudio", "simpleaudio", "null"]


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """The config file's table, or an empty one when there is no file."""
    path = path or locations.config_file()
    try:
        with path.open("rb") as handle:
            values: dict[str, Any] = tomllib.load(handle)
            return values
    except FileNotFoundError:
        return {}


class _ConfigFileSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        try:
            self._values = read_config_file()
        except (OSError, tomllib.TOMLDecodeError):
            self._values = {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._values.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """Every setting fttui has. The key is not here: see `resolve_api_key`."""

    model_config = SettingsConfigDict(env_prefix="FTTUI_", extra="ignore")

    base_url: str = DEFAULT_BASE_URL
    bell: bool = Field(default=True, description="ring the terminal bell when a generation ends")
    notify: bool = Field(default=True, description="show a notification when a generation ends")
    theme: str = "textual-dark"
    player_backend: PlayerBackendName = "auto"
    download_dir: Path | None = None
    audio_cache_mb: int = Field(default=512, ge=16)
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ConfigFileSource(settings_cls))


def load_settings(**overrides: Any) -> Settings:
    """Settings from environment and config file; `overrides` (command-line flags) win."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


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
    _write_private(path, _to_toml(current))
    return path


def save_api_key(key: ApiKey, path: Path | None = None) -> Path:
    """Store the key in the config file, readable by its owner only."""
    return save_settings({"api_key": key.reveal()}, path)


def _write_private(path: Path, text: str) -> None:
    # Created 0600 from the first byte, then renamed over the old file: the key is
    # never world-readable, not even for an instant, and a crash never leaves half a file.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=".config-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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
    "load_settings",
    "resolve_api_key",
    "save_api_key",
    "save_settings",
]
