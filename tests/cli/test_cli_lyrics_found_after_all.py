"""Issue 11, point 4, for `fttui generate`: a run whose answer was lost leaves its
submission in the journal; the same command run again resolves to that generation
(never sent twice) and saves the lyrics beside its download, as a normal run does.

The lost run is a client like the command's own: the simulator drops its POST's answer
after creating the generation and fails every list while it looks, so it ends
unconfirmed (exit 8). It runs in-process on a virtual clock only to spare the test
the real retry waits; the second run is the real program.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fttui.api.client import FinetuningClient
from fttui.api.errors import SubmissionUnconfirmed
from fttui.api.journal import SubmissionJournal
from fttui.api.key import ApiKey
from fttui.api.limiter import RateLimiter
from fttui.api.models import GenerationRequest
from fttui.cli.exit_codes import ExitCode
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from tests.cli.test_cli import fttui

LYRICS = "[Verse]\nSent once, saved once"


async def test_generate_again_after_a_lost_answer_saves_its_lyrics_beside_the_file(
    sim: RunningSim, tmp_path: Path
) -> None:
    fields = {"tags": "sent once ballad", "lyrics": LYRICS, "duration": 12}
    clock = VirtualClock()
    sim.set_faults(drop_after_commit="next:1,only:POST", internal_error="rate:1,only:GET")
    async with FinetuningClient(
        ApiKey(sim.demo_key), sim.base_url, clock=clock, limiter=RateLimiter(clock)
    ) as lost_run:
        with pytest.raises(SubmissionUnconfirmed):
            await lost_run.create_generation(GenerationRequest.from_fields(fields))
    [made] = sim.state.generations(sim.demo_key)
    sim.set_faults(internal_error="rate:0")

    again = fttui(
        "generate", "sent once ballad", "--lyrics", LYRICS, "--duration", "12", "--wait",
        "--download", str(tmp_path), "--json", "--base-url", sim.base_url,
    )  # fmt: skip
    assert again.returncode == ExitCode.OK, again.stderr
    final = json.loads(again.stdout)
    assert final["id"] == made.id and "created" in again.stderr
    saved = Path(final["savedTo"])
    assert saved.with_suffix(".txt").read_text("utf-8") == LYRICS + "\n"
    assert sim.post_count() == 1  # never sent twice
    assert SubmissionJournal().pending() == []
