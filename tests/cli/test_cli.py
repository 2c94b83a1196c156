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
    *args: str, key: str | None = DEMO_KEY, stdin: str | None = None, timeout: float = 120
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
        timeout=timeout,
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
    assert data["limits"]["queueDepth"] == 0  # in the queue now (a count, not the capacity)


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
        "generate", "", "--bpm", "300", "--key", "H", "--duration", "4",
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


# --- global options go before or after the command -------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--demo", "me"],
        ["me", "--demo"],
        ["--base-url", "http://127.0.0.1:9", "--demo", "list"],
        ["--theme", "nord", "--player", "null", "--json", "show", "abc"],
        ["show", "abc", "--theme", "nord", "--player", "null", "--json"],
        ["--theme", "nord", "generate", "x", "--player", "null"],
    ],
)
def test_global_options_count_before_or_after_the_command(argv: list[str]) -> None:
    from fttui.cli import build_parser

    args = build_parser().parse_args(argv)
    if "--demo" in argv:
        assert args.demo is True
    if "--base-url" in argv:
        assert args.base_url == "http://127.0.0.1:9"
    if "--theme" in argv:
        assert args.theme == "nord"
    if "--player" in argv:
        assert args.player == "null"
    if "--json" in argv:
        assert args.json is True


def test_global_options_have_their_defaults_when_not_given() -> None:
    from fttui.cli import build_parser

    for argv in (["me"], []):
        args = build_parser().parse_args(argv)
        assert args.demo is False and args.base_url is None
        assert args.theme is None and args.player is None and args.json is False


def test_a_global_option_after_the_command_wins_over_the_one_before() -> None:
    from fttui.cli import build_parser

    args = build_parser().parse_args(
        ["--base-url", "https://a.test", "me", "--base-url", "https://b.test"]
    )
    assert args.base_url == "https://b.test"


def test_base_url_before_the_command_reaches_that_server_not_the_default(
    sim: RunningSim,
) -> None:
    # With a real key in the environment, a dropped --base-url would charge the real API.
    result = fttui("--base-url", sim.base_url, "generate", "quiet harp", "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert sim.post_count() == 1
    assert sim.state.find(sim.state.account(DEMO_KEY), created["id"]) is not None


def test_demo_before_the_command_runs_against_the_demo(sim: RunningSim) -> None:
    result = fttui("--demo", "me", key=None)
    assert result.returncode == 0, result.stderr
    assert "pro" in result.stdout
    after = fttui("me", "--demo", "--json", key=None)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["tier"] == "pro"


def test_help_says_global_options_go_before_or_after_the_command() -> None:
    for argv in (["--help"], ["me", "--help"], ["list", "--help"], ["generate", "--help"]):
        result = fttui(*argv)
        assert result.returncode == 0, result.stderr
        text = " ".join(result.stdout.split())
        assert "before or after the command" in text, argv
        assert "--base-url" in text and "--demo" in text and "--theme" in text


def test_version_and_sim_still_work() -> None:
    version = fttui("--version")
    assert version.returncode == 0 and version.stdout.startswith("fttui ")
    sim_help = fttui("sim", "--help")
    assert sim_help.returncode == 0 and "--fault" in sim_help.stdout
    before_sim = fttui("--demo", "sim", "--port", "0")
    assert before_sim.returncode == ExitCode.USAGE
    assert "put nothing before `sim`" in before_sim.stderr
    unknown = fttui("me", "--bogus")
    assert unknown.returncode == ExitCode.USAGE
    assert "unrecognized arguments: --bogus" in unknown.stderr


# --- generate --wait when the POST answers a final status ------------------------------


def test_generate_wait_ends_when_the_post_answers_completed(
    sim: RunningSim, tmp_path: Path
) -> None:
    sim.set_faults(post_final="next:1")
    result = fttui(
        "generate", "instant chimes", "--wait", "--download", str(tmp_path), "--json",
        "--base-url", sim.base_url, timeout=60,
    )  # fmt: skip
    assert result.returncode == ExitCode.OK, result.stderr
    final = json.loads(result.stdout)
    assert final["status"] == "completed"
    assert final["audioUrl"]  # the details were fetched, not just the POST's answer
    assert Path(final["savedTo"]).stat().st_size > 10_000
    assert sim.post_count() == 1


def test_generate_wait_ends_when_the_post_answers_failed(sim: RunningSim) -> None:
    sim.set_faults(post_final="next:1")
    result = fttui("generate", "fail-me at once", "--wait", "--base-url", sim.base_url, timeout=60)
    assert result.returncode == ExitCode.GENERATION_FAILED, result.stderr
    assert "fttui: the generation failed: the model could not render" in result.stderr


# --- list and show: odd servers ----------------------------------------------------------


def test_list_and_show_print_an_item_with_an_impossible_date(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=5)
    sim.set_faults(huge_timestamp="next:1")  # the newest item: createdAt 1e300
    listed = fttui("list", "--json", "--base-url", sim.base_url)
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)["generations"]
    assert len(items) == 5
    assert items[0]["createdAt"] is None and all(g["createdAt"] for g in items[1:])
    sim.set_faults(huge_timestamp="next:1")
    human = fttui("list", "--base-url", sim.base_url)
    assert human.returncode == 0, human.stderr
    assert len(human.stdout.strip().splitlines()) == 1 + 5  # the header and every row
    sim.set_faults(huge_timestamp="next:1")
    shown = fttui("show", items[1]["id"], "--base-url", sim.base_url)
    assert shown.returncode == 0, shown.stderr
    assert items[1]["id"] in shown.stdout
    assert "created          -" in shown.stdout


def test_list_all_stops_when_the_next_offset_does_not_grow(sim_factory: SimFactory) -> None:
    sim = sim_factory(generations=45)
    sim.set_faults(stuck_next_offset="rate:1")
    result = fttui(
        "list", "--all", "--limit", "20", "--json", "--base-url", sim.base_url, timeout=60
    )
    assert result.returncode == ExitCode.TRANSPORT
    assert "did not move on" in result.stderr
    ids = [g["id"] for g in json.loads(result.stdout)["generations"]]
    assert len(ids) == 20 == len(set(ids))


def test_list_prints_no_more_than_the_limit_when_the_server_ignores_it(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(generations=45)
    sim.set_faults(ignore_limit="rate:1")
    page = json.loads(fttui("list", "--limit", "5", "--json", "--base-url", sim.base_url).stdout)
    assert len(page["generations"]) == 5
    assert page["hasMore"] is True and page["nextOffset"] == 5
    human = fttui("list", "--limit", "5", "--offset", "10", "--base-url", sim.base_url)
    assert len(human.stdout.strip().splitlines()) == 1 + 5 + 1
    assert "(more: --offset 15, or --all)" in human.stdout
    everything = fttui("list", "--all", "--limit", "20", "--json", "--base-url", sim.base_url)
    assert everything.returncode == 0, everything.stderr
    ids = [g["id"] for g in json.loads(everything.stdout)["generations"]]
    assert len(ids) == 45 == len(set(ids))


def test_list_all_stops_at_its_page_cap(
    sim_factory: SimFactory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fttui.cli import commands, main

    sim = sim_factory(generations=45)
    monkeypatch.setattr(commands, "LIST_MAX_PAGES", 2)
    monkeypatch.setenv("FINETUNING_API_KEY", DEMO_KEY)
    code = main(["list", "--all", "--limit", "10", "--json", "--base-url", sim.base_url])
    out, err = capsys.readouterr()
    assert code == ExitCode.ERROR
    assert "stopped after 2 pages" in err and "--offset 20" in err
    assert len(json.loads(out)["generations"]) == 20
