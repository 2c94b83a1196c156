"""Headless error lines: one voice ("fttui: " then a lower-case sentence), no doubled
words, the exit code of the kind of failure."""

from __future__ import annotations

import itertools
import re

import pytest

from fttui.cli.exit_codes import ExitCode
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui

# "fttui: " then a lower-case word, a flag, a number, an id or an acronym (API, URL).
ONE_VOICE = re.compile(r"^fttui: (?:[a-z0-9-]|[A-Z]{2,}\b|\$|`)")


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fttui: ")]


def _assert_one_voice(stderr: str) -> None:
    lines = _lines(stderr)
    assert lines, stderr
    for line in lines:
        assert ONE_VOICE.match(line), line
        words = re.findall(r"[\w-]+", line.lower())
        doubled = [a for a, b in itertools.pairwise(words) if a == b]
        assert doubled == [], line


def test_failed_generation_says_failed_once(sim: RunningSim) -> None:
    result = fttui("generate", "fail-me please", "--wait", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.GENERATION_FAILED
    assert "failed: generation failed" not in result.stderr.lower()
    assert _lines(result.stderr) == [
        "fttui: the generation failed: the model could not render this prompt"
    ]


def test_download_of_a_failed_generation_exits_7_without_yet(sim: RunningSim) -> None:
    made = fttui("generate", "fail-me please", "--wait", "--json", "--base-url", sim.base_url)
    generation_id = re.search(r'"id": "([^"]+)"', made.stdout)
    assert generation_id is not None, made.stdout
    result = fttui("download", generation_id.group(1), "--base-url", sim.base_url)
    assert result.returncode == ExitCode.GENERATION_FAILED
    assert "yet" not in result.stderr
    assert "failed" in result.stderr
    _assert_one_voice(result.stderr)


def test_bpm_300_without_tags_reports_both_problems_once_each(sim: RunningSim) -> None:
    result = fttui("generate", "--bpm", "300", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.USAGE
    lines = _lines(result.stderr)
    assert [line.split(":")[1].strip() for line in lines] == ["tags", "bpm"]
    assert "bpm: bpm" not in result.stderr
    _assert_one_voice(result.stderr)
    assert sim.post_count() == 0


@pytest.mark.parametrize(
    "args",
    [
        ("me",),  # no key
        ("me", "--base-url", "http://example.com"),
        ("list", "--limit", "0"),
        ("generate", "x", "--download", "--demo"),
    ],
)
def test_every_error_line_has_one_voice(args: tuple[str, ...]) -> None:
    result = fttui(*args, key=None)
    assert result.returncode != 0
    _assert_one_voice(result.stderr)
