"""The headless commands, run as the real program against the simulator over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY, EXHAUSTED_KEY, NO_API_PLAN_KEY, REVOKED_KEY
from fttui.sim.server import RunningSim

SimFactory = Callable[..., RunningSim]


def fttui(
    *args: str, key: str | None = DEMO_KEY, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("FINETUNING_API_KEY", None)
    if key is not None:
        env["FINETUNING_API_KEY"] = key
    result = subprocess.run(
        [sys.executable, "-m", "fttui", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )
    # Whatever happened, the key is never printed.
    for key_text in (DEMO_KEY, EXHAUSTED_KEY, NO_API_PLAN_KEY, REVOKED_KEY):
        assert key_text not in result.stdout + result.stderr
    return result


def test_me_human_and_json(sim: RunningSim) -> None:
    human = fttui("me", "--base-url", sim.base_url)
    assert human.returncode == 0, human.stderr
    assert "plan:" in human.stdout and "pro" in human.stdout
    data = json.loads(fttui("me", "--json", "--base-url", sim.base_url).stdout)
    assert data["tier"] == "pro"
    assert data["limits"]["queueDepth"] == 5


def test_base_url_from_environment(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTTUI_BASE_URL", sim.base_url)
    assert fttui("me").returncode == 0


def test_generate_wait_download_then_list_show_download(sim: RunningSim, tmp_path: Path) -> None:
    created = fttui(
        "generate", "dusty lofi piano", "--bpm", "85", "--key", "Eb", "--scale", "minor",
        "--duration", "12", "--seed", "42", "--lyrics", "la la", "--wait",
        "--download", str(tmp_path), "--json", "--base-url", sim.base_url,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    final = json.loads(created.stdout)
    assert final["status"] == "completed"
    assert final["parameters"]["keyscale"] == "D# minor"  # the flat was sent as a sharp
    assert final["parameters"]["seed"] == 42
    saved = Path(final["savedTo"])
    assert saved.parent == tmp_path and saved.stat().st_size > 10_000
    assert saved.with_suffix(".txt").read_text().strip() == "la la"
    assert sim.post_count() == 1

    listed = json.loads(fttui("list", "--json", "--base-url", sim.base_url).stdout)
    assert [g["id"] for g in listed["generations"]] == [final["id"]]
    shown = fttui("show", final["id"], "--base-url", sim.base_url)
    assert shown.returncode == 0 and "completed" in shown.stdout and "D# minor" in shown.stdout

    as_file = tmp_path / "mine.mp3"
    downloaded = fttui("download", final["id"], str(as_file), "--base-url", sim.base_url)
    assert downloaded.returncode == 0, downloaded.stderr
    assert downloaded.stdout.strip() == str(as_file)
    head = as_file.read_bytes()[:3]
    assert head == b"ID3" or head[0] == 0xFF  # MP3, tagged or bare
    again = fttui("download", final["id"], str(as_file), "--base-url", sim.base_url)
    assert again.returncode != 0 and "not overwritten" in again.stderr


def test_list_pages_all_and_status(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=45)
    first = json.loads(fttui("list", "--limit", "20", "--json", "--base-url", sim.base_url).stdout)
    assert len(first["generations"]) == 20 and first["hasMore"] and first["nextOffset"] == 20
    everything = json.loads(
        fttui("list", "--all", "--limit", "20", "--json", "--base-url", sim.base_url).stdout
    )
    ids = [g["id"] for g in everything["generations"]]
    assert len(ids) == 45 == len(set(ids))
    assert everything["hasMore"] is False
    failed = json.loads(
        fttui("list", "--status", "failed", "--json", "--base-url", sim.base_url).stdout
    )
    assert all(g["status"] == "failed" for g in failed["generations"])
    human = fttui("list", "--base-url", sim.base_url)
    assert "(more: --offset 20, or --all)" in human.stdout


def test_bad_parameters_are_all_reported_and_nothing_is_sent(sim: RunningSim) -> None:
    result = fttui(
        "generate", "", "--bpm", "300", "--key", "H", "--duration", "5",
        "--base-url", sim.base_url,
    )  # fmt: skip
    assert result.returncode == ExitCode.USAGE
    for name in ("tags", "bpm", "key", "duration"):
        assert f"fttui: {name}:" in result.stderr
    assert sim.post_count() == 0


@pytest.mark.parametrize(
    ("key", "code", "words"),
    [
        (None, ExitCode.AUTH, "no API key"),
        ("ft_live_nothex", ExitCode.AUTH, "not an API key"),
        (REVOKED_KEY, ExitCode.AUTH, "INVALID_API_KEY"),
        (NO_API_PLAN_KEY, ExitCode.AUTH, "Pro or Lifetime"),
    ],
)
def test_key_problems_exit_with_auth_code(
    sim: RunningSim, key: str | None, code: int, words: str
) -> None:
    result = fttui("me", "--base-url", sim.base_url, key=key)
    assert result.returncode == code
    assert words in result.stderr
    assert result.stderr.count("\n") == 1, "one clear line"


def test_no_credits_exit_with_limit_code(sim: RunningSim) -> None:
    result = fttui("generate", "ambient", "--base-url", sim.base_url, key=EXHAUSTED_KEY)
    assert result.returncode == ExitCode.LIMIT
    assert "no generations left" in result.stderr


def test_unknown_generation_is_not_found(sim: RunningSim) -> None:
    result = fttui("show", "../../v1/me", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.NOT_FOUND


def test_plain_http_is_refused_off_loopback() -> None:
    result = fttui("me", "--base-url", "http://example.com")
    assert result.returncode == ExitCode.USAGE
    assert "https" in result.stderr


def test_failed_generation_exits_with_its_own_code(sim: RunningSim) -> None:
    result = fttui("generate", "fail-me please", "--wait", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.GENERATION_FAILED
    assert "generation failed:" in result.stderr


def test_help_and_module_entry_point() -> None:
    result = fttui("--help")
    assert result.returncode == 0 and "generate" in result.stdout
    sim_help = fttui("sim", "--help")
    assert sim_help.returncode == 0 and "--speed" in sim_help.stdout


def test_a_bad_setting_is_one_line_and_a_usage_exit(
    sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTUI_AUDIO_CACHE_MB", "tiny")
    result = fttui("me", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.startswith("fttui: bad setting: audio_cache_mb")


def test_log_level_setting_reaches_the_log_file(
    sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fttui import locations

    monkeypatch.setenv("FTTUI_LOG_LEVEL", "WARNING")
    assert fttui("list", "--base-url", sim.base_url).returncode == 0
    quiet = locations.log_file().read_text() if locations.log_file().exists() else ""
    monkeypatch.setenv("FTTUI_LOG_LEVEL", "DEBUG")
    assert fttui("list", "--base-url", sim.base_url).returncode == 0
    chatty = locations.log_file().read_text()
    assert " DEBUG " not in quiet
    assert " DEBUG " in chatty
    assert DEMO_KEY not in chatty
