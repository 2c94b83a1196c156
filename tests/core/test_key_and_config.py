"""The API key as a secret, and where settings and the key come from."""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path

import pytest
from rich.console import Console
from rich.traceback import Traceback

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
     "x" + KEY_TEXT, "ft_live_" + "0" * 15 + " " + "0" * 16, "ft_live_" + "0" * 31 + "\x07",
     "ft_live_" + "0" * 31 + "é"],
)  # fmt: skip
def test_what_cannot_be_a_key_is_refused_locally(text: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        ApiKey(text)
    assert "ft_live_" in str(caught.value) or "space" in str(caught.value)
    assert text not in str(caught.value) or text in ("", "ft_live_")


@pytest.mark.parametrize(
    "text",
    ["ft_live_" + "g" * 32, "ft_live_" + "Zz-_.~+/=!#%" * 2 + "AbCdEfGh", "  ft_live_" + "q" * 32],
)
def test_any_32_characters_after_the_prefix_are_accepted_as_the_vendor_cli_does(
    text: str,
) -> None:
    # The vendor's CLI checks only the prefix and the length (40): the server judges the rest.
    assert ApiKey(text).reveal() == text.strip()


def test_a_refused_key_is_not_in_its_traceback_locals() -> None:
    near_miss = "ft_live_" + "5" * 31 + " "  # a real key with a stray space, say
    with pytest.raises(KeyFormatError) as caught:
        ApiKey(near_miss + "x")
    assert "5" * 31 not in render_with_locals(caught.value)


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


def render_with_locals(exc: BaseException) -> str:
    """`exc`'s traceback as Textual renders it by default: every frame's locals shown.
    The first frame, the test's own (which holds the key to compare), is left out."""
    assert exc.__traceback__ is not None
    frames = exc.__traceback__.tb_next
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(Traceback.from_exception(type(exc), exc, frames, show_locals=True))
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def test_a_key_file_others_can_read_is_made_private_once_with_a_warning() -> None:
    path = config.save_api_key(ApiKey(KEY_TEXT))
    path.chmod(0o644)
    found = config.resolve_api_key({})
    assert found is not None and found.key == ApiKey(KEY_TEXT)
    assert found.warning is not None and "0644" in found.warning and "0600" in found.warning
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = config.resolve_api_key({})
    assert again is not None and again.warning is None  # once: it is private now


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'api_key = "' + KEY_TEXT.encode() + b'"\ntheme = nord\n', "not valid TOML"),
        (b'api_key = "' + KEY_TEXT.encode() + b'"\ntheme = "\xff\xfe"\n', "not UTF-8 text"),
    ],
)
def test_a_broken_config_file_is_one_clear_error_that_never_shows_the_key(
    content: bytes, words: str
) -> None:
    path = locations.config_file()
    path.write_bytes(content)
    for attempt in (
        config.load_settings,
        lambda: config.save_settings({"theme": "nord"}),
        lambda: config.save_api_key(ApiKey(KEY_TEXT)),
    ):
        with pytest.raises(config.ConfigFileError, match=words) as caught:
            attempt()
        assert str(path) in str(caught.value)
        shown = render_with_locals(caught.value)
        assert KEY_TEXT[8:] not in shown, "the key is in the traceback's locals"
    assert config.resolve_api_key({}) is None  # an unreadable file holds no key


def test_a_failed_write_of_the_key_never_shows_it_in_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config.save_api_key(ApiKey(KEY_TEXT))

    def disk_failure(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", disk_failure)
    for attempt in (
        lambda: config.save_settings({"theme": "nord"}),
        lambda: config.save_api_key(ApiKey(KEY_TEXT)),
    ):
        with pytest.raises(config.ConfigFileError, match="input/output error") as caught:
            attempt()
        assert KEY_TEXT[8:] not in render_with_locals(caught.value)


def test_the_config_folder_being_a_file_is_one_clear_error() -> None:
    (Path(os.environ["FTTUI_HOME"]) / "config").write_text("in the way")
    with pytest.raises(config.ConfigFileError, match=r"needs a folder at .*config"):
        config.load_settings()
    with pytest.raises(config.ConfigFileError, match="needs a folder"):
        config.save_settings({"theme": "nord"})
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
