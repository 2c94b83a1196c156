"""The simulator as programs see it: the vendor's example, the command line, scale."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from fttui.sim.accounts import DEMO_KEY
from fttui.sim.cli import build_parser
from fttui.sim.faults import FaultRule

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(__file__).parent / "data" / "vendor_example.py"


def test_vendor_python_example(sim_factory: Any) -> None:
    pytest.importorskip("requests")
    running = sim_factory(speed=10_000.0)
    env = {**os.environ, "FINETUNING_API_KEY": DEMO_KEY, "FTTUI_SIM_BASE_URL": running.base_url}
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Generation started: ")
    audio = re.fullmatch(r"Audio: (http://\S+)", lines[-1])
    assert audio is not None, result.stdout
    assert audio.group(1).startswith(running.media_url)
    head = httpx.head(audio.group(1))
    assert head.status_code == 200 and int(head.headers["content-length"]) > 90 * 16000


def test_ten_thousand_generations_start_quickly(sim_factory: Any) -> None:
    started = time.perf_counter()
    running = sim_factory(generations=10_000)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"start took {elapsed:.2f} s"
    with httpx.Client(base_url=running.base_url, headers={"X-API-Key": DEMO_KEY}) as http:
        page = http.get("/v1/generations?limit=100&offset=9950&status=completed").json()["data"]
        assert page["hasMore"] is False
        assert running.generation_count() == 10_000
        tick = time.perf_counter()
        http.get("/v1/generations?status=failed")
        assert time.perf_counter() - tick < 0.5
    assert running.media_app.cache.renders == 0


def test_command_line_serves_and_prints_url_and_key() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "fttui.sim", "--port", "0", "--speed", "50", "--generations", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        text = "".join(lines)
        api = re.search(r"API:\s+(http://127\.0\.0\.1:\d+)", text)
        assert api is not None, text
        assert DEMO_KEY in text
        response = httpx.get(api.group(1) + "/v1/generations", headers={"X-API-Key": DEMO_KEY})
        assert len(response.json()["data"]["generations"]) == 3
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_command_line_options() -> None:
    args = build_parser().parse_args(
        [
            "--speed",
            "5",
            "--fault",
            "drop_after_commit=next:1",
            "--fault",
            "html-502=0.1",
            "--worker-slots",
            "2",
            "--fail-rate",
            "0.2",
            "--latency",
            "0.1",
        ]
    )
    assert args.speed == 5.0 and args.worker_slots == 2
    assert args.fault == [
        ("drop_after_commit", FaultRule(next=1)),
        ("html_502", FaultRule(rate=0.1)),
    ]
    assert args.host == "127.0.0.1"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--fault", "bogus=1"])


def test_help_lists_every_option_and_the_docs_table_matches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from fttui.cli import main as fttui_main

    with pytest.raises(SystemExit) as exited:
        fttui_main(["sim", "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    parser = build_parser()
    options = {
        flag
        for action in parser._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag != "--help"
    }
    assert "--playlists" in options
    assert all(flag in shown for flag in options)
    docs = (ROOT / "docs" / "simulator.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(--[a-z-]+)", docs, re.MULTILINE))
    assert documented == options


def test_playlists_option() -> None:
    assert build_parser().parse_args([]).playlists is None
    assert build_parser().parse_args(["--playlists", "5"]).playlists == 5
