"""Local state in the way: files where folders should be, a log that cannot be written.

Each gives one clear message naming the place, or a fallback; never a traceback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from fttui import locations
from fttui.logging_setup import configure_logging


def home() -> Path:
    return Path(os.environ["FTTUI_HOME"])


@pytest.mark.parametrize(
    ("in_the_way", "folder"),
    [
        ("config", locations.config_dir),
        ("data", locations.data_dir),
        ("data/journal", locations.journal_dir),
        ("cache/audio", locations.audio_cache_dir),
        ("cache", locations.audio_cache_dir),  # a folder above the one asked for
    ],
)
def test_a_file_where_a_folder_should_be_is_named(
    in_the_way: str, folder: Callable[[], Path]
) -> None:
    blocker = home() / in_the_way
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("in the way")
    with pytest.raises(locations.LocationError) as caught:
        locations.check_folders()
    message = f"fttui needs a folder at {blocker}, but a file is there; move it away"
    assert str(caught.value) == message
    with pytest.raises(locations.LocationError, match="needs a folder"):
        folder()


@pytest.mark.parametrize("in_the_way", ["log", "log/fttui.log"])
def test_a_log_that_cannot_be_written_falls_back_to_no_log_never_stderr(
    in_the_way: str, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = home() / in_the_way
    if in_the_way == "log":
        blocker.write_text("in the way")  # the log folder is a file
    else:
        blocker.mkdir(parents=True)  # the log file is a folder
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert configure_logging() is None
        logging.getLogger("fttui.test").error("a line with nowhere to go")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
