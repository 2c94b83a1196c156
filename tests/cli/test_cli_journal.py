"""`fttui generate` settles the journal before it POSTs: never charged twice across runs.

Run as the real program against the simulator; duplicates are counted on the
simulator's own records.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone

from fttui import locations
from fttui.api.journal import SubmissionJournal
from fttui.cli.exit_codes import ExitCode
from fttui.sim.accounts import DEMO_KEY
from fttui.sim.server import RunningSim
from tests.api.journal_helpers import leave_entry
from tests.cli.test_cli import fttui

SimFactory = Callable[..., RunningSim]


AS_FROM_A_SHELL = """
import runpy, signal, sys
# ctrl+c as an interactive shell delivers it: a test runner's process may ignore or block
# SIGINT (seen in a full parallel run), and a child inherits both across exec.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["fttui", *sys.argv[1:]]
runpy.run_module("fttui", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_during_the_post_keeps_it_and_the_same_command_resolves_to_it(
    sim_factory: SimFactory,
) -> None:
    sim = sim_factory()
    sim.set_faults(commit_latency=60)  # created at once, answered a minute later
    command = ["generate", "interrupted groove", "--json", "--base-url", sim.base_url]
    child = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_SHELL, *command],
        env={**os.environ, "FINETUNING_API_KEY": DEMO_KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while sim.generation_count() == 0:  # the POST arrived; its answer is held
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the POST never arrived"
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, (out, err)
    assert "kept in the journal" in err
    assert "same command again" in err
    assert len(SubmissionJournal().pending()) == 1

    sim.set_faults(commit_latency=0)
    again = fttui(*command)
    assert again.returncode == ExitCode.OK, again.stderr
    [generation] = sim.state.generations(DEMO_KEY)
    assert json.loads(again.stdout)["id"] == generation.id
    assert "created" in again.stderr
    assert sim.post_count() == 1
    assert sim.generation_count() == 1
    assert SubmissionJournal().pending() == []


def test_the_same_request_still_unconfirmed_is_not_sent_again(sim: RunningSim) -> None:
    # A run that crashed a moment ago: its POST may still be on its way to the server.
    journal = locations.journal_dir()
    asked = {"tags": "unsure groove", "duration": 30}
    entry_id = leave_entry(
        journal, {**asked, "seed": 1234}, datetime.now(timezone.utc), asked=asked
    )
    result = fttui("generate", "unsure groove", "--duration", "30", "--base-url", sim.base_url)
    assert result.returncode == ExitCode.UNCONFIRMED
    assert entry_id in result.stderr
    assert "not sent again" in result.stderr
    assert sim.post_count() == 0

    # Another request is not held back by it.
    other = fttui("generate", "another groove", "--base-url", sim.base_url)
    assert other.returncode == ExitCode.OK, other.stderr
    assert sim.post_count() == 1
    assert [e.id for e in SubmissionJournal().pending()] == [entry_id]


def test_a_given_seed_is_part_of_the_same_request(sim: RunningSim) -> None:
    asked = {"tags": "seeded groove", "seed": 7}
    leave_entry(locations.journal_dir(), dict(asked), datetime.now(timezone.utc), asked=asked)
    other_seed = fttui("generate", "seeded groove", "--seed", "8", "--base-url", sim.base_url)
    assert other_seed.returncode == ExitCode.OK, other_seed.stderr
    same_seed = fttui("generate", "seeded groove", "--seed", "7", "--base-url", sim.base_url)
    assert same_seed.returncode == ExitCode.UNCONFIRMED
    assert sim.post_count() == 1
