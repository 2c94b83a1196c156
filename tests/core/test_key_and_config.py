"""The API key as a secret, and where settings and the key come from."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fttui import config, locations
from fttui.api.key import ApiKey, KeyFormatError, redact

KEY_TEXT = "ft_live_" + "0123456789abcdef" * 2


def test_key_is_validated_and_never_printed() -> None:
    key = ApiKey(KEY_TEXT)
    assert key.reveal() == KEY_TEXT
    for shown in (repr(key), str(key), f"{key}", key.masked):
        assert KEY_TEXT not in shown
        assert "0123456789abcdef" not in shown
    assert ApiKey(KEY_TEXT.upper().replace("FT_LIVE_", "ft_live_")) != key  # case is kept


@pytest.mark.parametrize(
    "text",
    ["", "ft_live_", "ft_live_" + "0" * 31, "ft_live_" + "0" * 33, "ft_test_" + "0" * 32,
     "ft_live_" + "g" * 32, "x" + KEY_TEXT],
)  # fmt: skip
def test_malformed_keys_are_refused_locally(text: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        ApiKey(text)
    assert "ft_live_" in str(caught.value)
    assert text not in str(caught.value) or text in ("", "ft_live_")


def test_key_is_not_picklable_and_dumps_masked() -> None:
    import pickle

    from pydantic import BaseModel

    class Holder(BaseModel):
        key: ApiKey

    holder = Holder(key=KEY_TEXT)  # type: ignore[arg-type]
    assert KEY_TEXT not in holder.model_dump_json()
    assert KEY_TEXT not in repr(holder)
    with pytest.raises(TypeError):
        pickle.dumps(ApiKey(KEY_TEXT))


def test_redact_hides_anything_key_shaped() -> None:
    assert KEY_TEXT not in redact(f"header X-API-Key: {KEY_TEXT} sent")


def test_environment_key_wins_over_config_file() -> None:
    config.save_api_key(ApiKey("ft_live_" + "1" * 32))
    other = "ft_live_" + "2" * 32
    found = config.resolve_api_key({config.KEY_ENV_VAR: other})
    assert found is not None
    assert found.key == ApiKey(other)
    assert found.origin == "environment"
    from_file = config.resolve_api_key({})
    assert from_file is not None
    assert from_file.origin == "config file"


def test_no_key_anywhere_is_none() -> None:
    assert config.resolve_api_key({}) is None


def test_config_file_holding_the_key_is_private() -> None:
    path = config.save_api_key(ApiKey(KEY_TEXT))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600
    # Rewriting keeps it private, and other settings survive beside the key.
    config.save_settings({"theme": "nord", "bell": False})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    values = config.read_config_file(path)
    assert values == {"api_key": KEY_TEXT, "theme": "nord", "bell": False}
    assert not list(path.parent.glob(".*.tmp")), "no temporary file is left behind"


def test_settings_precedence_env_over_file(monkeypatch: pytest.MonkeyPatch) -> None:
    config.save_settings({"theme": "nord", "audio_cache_mb": 64})
    assert config.load_settings().theme == "nord"
    monkeypatch.setenv("FTTUI_THEME", "gruvbox")
    settings = config.load_settings()
    assert settings.theme == "gruvbox"
    assert settings.audio_cache_mb == 64
    assert config.load_settings(theme="dracula").theme == "dracula"


def test_toml_values_round_trip_awkward_text() -> None:
    awkward = 'a "quoted" \\ path\nwith\ttabs and \x1b[31m escapes'
    path = config.save_settings({"download_dir": awkward})
    assert config.read_config_file(path)["download_dir"] == awkward


def test_every_location_is_under_fttui_home(tmp_path: Path) -> None:
    home = Path(os.environ["FTTUI_HOME"])
    for place in (
        locations.config_file(), locations.database_file(), locations.journal_dir(),
        locations.draft_file(), locations.audio_cache_dir(), locations.log_file(),
        locations.music_dir(),
    ):  # fmt: skip
        assert home in place.parents


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("FTTUI_BELL", "maybe", "bell must be true or false"),
        ("FTTUI_AUDIO_CACHE_MB", "4", "at least 16"),
        ("FTTUI_AUDIO_CACHE_MB", "lots", "whole number"),
        ("FTTUI_PLAYER_BACKEND", "speakers", "player_backend must be one of"),
    ],
)
def test_a_bad_setting_is_named_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(config.SettingsError, match=words):
        config.load_settings()


def test_settings_are_typed_from_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTTUI_BELL", "off")
    monkeypatch.setenv("FTTUI_AUDIO_CACHE_MB", "64")
    monkeypatch.setenv("FTTUI_DOWNLOAD_DIR", "~/tunes")
    settings = config.load_settings(player_backend="NULL")
    assert settings.bell is False
    assert settings.audio_cache_mb == 64
    assert settings.download_dir == Path("~/tunes").expanduser()
    assert settings.player_backend == "null"


def test_log_level_is_checked_and_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTTUI_LOG_LEVEL", "debug")
    assert config.load_settings().log_level == "DEBUG"
    monkeypatch.setenv("FTTUI_LOG_LEVEL", "chatty")
    with pytest.raises(config.SettingsError, match="log_level must be one of"):
        config.load_settings()
