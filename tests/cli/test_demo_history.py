"""The demo keeps its history across restarts, and shows the cached rows at once."""

from __future__ import annotations

import json

import httpx

from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import start
from tests.cli.test_cli import fttui


def _create(base_url: str, tags: str) -> str:
    answer = httpx.post(
        f"{base_url}/v1/generations",
        headers={"X-API-Key": DEMO_KEY},
        json={"tags": tags, "duration": 10},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["data"]["id"])


def test_simulator_restarted_on_its_state_file_keeps_every_generation(tmp_path) -> None:
    state_file = tmp_path / "simulator.json"
    sim = start(speed=50.0, generations=5, seed=7, state_file=state_file)
    try:
        made = _create(sim.base_url, "my own song")
        before = [g.id for g in sim.state.generations(DEMO_KEY)]
    finally:
        sim.close()
    again = start(speed=50.0, generations=5, seed=7, state_file=state_file)
    try:
        after = [g.id for g in again.state.generations(DEMO_KEY)]
        assert after == before and made in after
        assert again.state.generations(DEMO_KEY)[0].prompt == "my own song"
        second = _create(again.base_url, "another one")
        assert second not in before  # the ids go on, never reused
    finally:
        again.close()


def test_headless_demo_generate_then_list_shows_it() -> None:
    made = fttui("--demo", "generate", "lofi piano rain", "--json", key=None)
    assert made.returncode == 0, made.stderr
    generation_id = json.loads(made.stdout)["id"]
    listed = fttui("--demo", "list", "--json", "--limit", "5", key=None)
    assert listed.returncode == 0, listed.stderr
    assert generation_id in [row["id"] for row in json.loads(listed.stdout)["generations"]]
