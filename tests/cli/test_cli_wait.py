"""`fttui generate --wait` follows the generation with the app's own session code.

On a terminal it says how long the generation has run (and, once the cache has taught
the predictor, how long it should still take); with --json, or without a terminal,
nothing but the answer.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Callable

import httpx

from fttui.api.models import Generation, GenerationPage
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim
from fttui.store import GenerationStore

SimFactory = Callable[..., RunningSim]
LIMIT = 120.0  # seconds: a bound on the run, never a delay


def _run_with_terminal_stderr(*args: str) -> tuple[int, str, str]:
    """Run fttui with stderr on a pseudo-terminal (as a person runs it), stdout a pipe."""
    env = dict(os.environ, FINETUNING_API_KEY=DEMO_KEY)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "fttui", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([leader], [], [], LIMIT)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.stdout is not None
    out = process.stdout.read().decode()
    code = process.wait(timeout=LIMIT)
    assert DEMO_KEY not in out + seen.decode(errors="replace")
    return code, out, seen.decode(errors="replace")


def test_generate_wait_on_a_terminal_shows_a_progress_line_with_the_elapsed_time(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(speed=1.0, generation_seconds=(3.0, 0.0))
    code, out, err = _run_with_terminal_stderr(
        "generate", "slow lofi", "--duration", "10", "--wait", "--base-url", sim.base_url
    )
    assert code == 0, err
    assert "\rprocessing 0:0" in err  # rewritten in place, once a second
    assert "completed" in out


def test_generate_wait_with_json_prints_only_the_answer_even_on_a_terminal(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(speed=1.0, generation_seconds=(3.0, 0.0))
    code, out, err = _run_with_terminal_stderr(
        "generate", "slow lofi", "--duration", "10", "--wait", "--json", "--base-url", sim.base_url
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "completed"
    assert "processing" not in err
    assert err.strip() == ""


def test_generate_wait_says_the_time_left_once_the_cache_knows_the_generation_times(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory(speed=1.0, generation_seconds=(3.0, 0.0), generations=8, seed=5)
    # What the app would have cached: the account's finished generations.
    with GenerationStore() as store:
        answer = httpx.get(
            f"{sim.base_url}/v1/generations?limit=50", headers={"X-API-Key": DEMO_KEY}
        )
        page = GenerationPage.model_validate(answer.json()["data"])
        for listed in page.generations:
            full = httpx.get(
                f"{sim.base_url}/v1/generations/{listed.id}", headers={"X-API-Key": DEMO_KEY}
            ).json()["data"]
            store.upsert([Generation.model_validate(full)])
        assert store.generation_times()
    code, _, err = _run_with_terminal_stderr(
        "generate", "slow lofi", "--duration", "10", "--wait", "--base-url", sim.base_url
    )
    assert code == 0, err
    assert re.search(r"processing 0:\d\d · ~\d+:\d\d left", err)
