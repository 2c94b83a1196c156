"""Settling a lost answer: how far back to look, what counts as the same submission,
and which journal entries are someone else's to settle.

Every check is on the simulator's own records, over HTTP, on a virtual clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from fttui.api.errors import InternalError, SubmissionUnconfirmed
from fttui.api.journal import SubmissionJournal
from fttui.api.models import GenerationRequest
from fttui.api.reconcile import SETTLE_AFTER, ReconcileOutcome
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from fttui.sim.validation import parse_submission
from tests.api.conftest import ClientFactory, CountingTransport
from tests.api.journal_helpers import leave_entry, leave_raw
from tests.api.test_submit import LoseAnswers, track

ROOT = Path(__file__).resolve().parents[2]
LATER = (SETTLE_AFTER + timedelta(minutes=1)).total_seconds()


def create_on_server(sim: RunningSim, count: int, tags: str = "someone else's track") -> None:
    """Generations made by others (another device, a script) straight into the server."""
    with sim.state.lock:
        account = sim.state.account(sim.demo_key)
        for n in range(count):
            body = json.dumps({"tags": f"{tags} {n}"}).encode()
            sim.state.create(account, parse_submission(body))


def timed_out(request: httpx.Request) -> Exception:
    return httpx.ReadTimeout("timed out", request=request)


async def lost_then_created(make_client: ClientFactory) -> tuple[Any, LoseAnswers]:
    """A POST whose answer is lost and which the server processes only afterwards."""
    transport = LoseAnswers(timed_out, deliver=False)
    client = make_client(transport=transport)
    with pytest.raises(SubmissionUnconfirmed):
        await client.create_generation(track())
    return client, transport


# --- point 4: look back far enough, and never guess "not created" -------------------------


async def test_reconcile_pages_back_past_many_newer_generations_to_find_it(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, journal_dir: Path
) -> None:
    client, transport = await lost_then_created(make_client)
    await CountingTransport().handle_async_request(transport.held[0])
    [ours] = vsim.state.generations(vsim.demo_key)
    clock.advance(1)
    create_on_server(vsim, 200)  # more than the 150 the client used to read
    clock.advance(LATER)
    [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.FOUND
    assert result.generation is not None and result.generation.id == ours.id
    assert SubmissionJournal(journal_dir).pending() == []
    assert vsim.post_count() == 1


async def test_reconcile_that_cannot_reach_back_stays_unconfirmed_never_not_created(
    make_client: ClientFactory,
    vsim: RunningSim,
    clock: VirtualClock,
    journal_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("fttui.api.client.RECONCILE_PAGE_CAP", 2)
    client, _ = await lost_then_created(make_client)  # never processed: not on the server
    clock.advance(1)
    create_on_server(vsim, 250)  # more than two pages of 100
    clock.advance(LATER)
    [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.UNCONFIRMED
    assert len(SubmissionJournal(journal_dir).pending()) == 1


# --- point 5: the same submission is the same in every field the server echoes ----------

FIXED_SEED = {
    "tags": "seed locked groove",
    "seed": 42,
    "bpm": 100,
    "duration": 30,
    "key": "C",
    "scale": "minor",
    "timesignature": "4",
    "language": "en",
}


@pytest.mark.parametrize(
    "change",
    [
        {"bpm": 120},
        {"duration": 45},
        {"key": "D"},
        {"scale": "major"},
        {"timesignature": "3"},
        {"language": "de"},
    ],
    ids=lambda change: next(iter(change)),
)
async def test_a_failed_post_with_a_fixed_seed_is_not_taken_for_an_earlier_generation(
    make_client: ClientFactory, vsim: RunningSim, change: dict[str, Any]
) -> None:
    earlier = await make_client().create_generation(GenerationRequest.from_fields(FIXED_SEED))
    vsim.set_faults(internal_error="next:1,only:POST")
    with pytest.raises(InternalError):  # checked: not created, so the 500 stands
        await make_client().create_generation(
            GenerationRequest.from_fields({**FIXED_SEED, **change})
        )
    assert [g.id for g in vsim.state.generations(vsim.demo_key)] == [earlier.id]


async def test_a_dropped_answer_with_every_field_set_finds_its_own_generation(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    await make_client().create_generation(GenerationRequest.from_fields(FIXED_SEED))
    clock.advance(10)
    vsim.set_faults(drop_after_commit="next:1,only:POST")
    every_field = {
        **FIXED_SEED,
        "bpm": 128,
        "key": "Db",  # sent as C#, echoed as "C# minor"
        "timesignature": "3/4",  # sent as "3"
        "language": "ja",
        "lyrics": "la la la",
    }
    created = await make_client().create_generation(GenerationRequest.from_fields(every_field))
    newest = vsim.state.generations(vsim.demo_key)[0]
    assert vsim.faults.drop_after_commit.fired == 1
    assert created.id == newest.id
    assert vsim.post_count() == 2


# --- point 6: an entry another live process is still sending is left to it ---------------

SENDER = """
import sys
from datetime import datetime
from pathlib import Path
from fttui.api.journal import SubmissionJournal

journal = SubmissionJournal(Path(sys.argv[1]))
sent_at = datetime.fromisoformat(sys.argv[2])
entry = journal.record({"tags": "in flight elsewhere", "seed": 5}, sent_at)
print(entry.id, flush=True)
sys.stdin.read()  # "sending" until the test lets go
"""


async def test_an_entry_another_live_process_is_sending_is_left_to_it(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, journal_dir: Path
) -> None:
    sender = subprocess.Popen(  # noqa: ASYNC220 - it waits on its stdin, not on us
        [sys.executable, "-c", SENDER, str(journal_dir), clock.now().isoformat()],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sender.stdout is not None
        entry_id = sender.stdout.readline().strip()  # one line, written at once
        assert entry_id
        clock.advance(LATER)
        assert await make_client().reconcile_pending() == []  # not claimed, not settled
        assert SubmissionJournal(journal_dir).get(entry_id) is not None
    finally:
        assert sender.stdin is not None
        sender.stdin.close()
        sender.wait()
    # Its sender is gone: now the entry is ours to settle.
    [result] = await make_client().reconcile_pending()
    assert result.journal_id == entry_id
    assert result.outcome is ReconcileOutcome.NOT_CREATED


async def test_a_live_pid_alone_does_not_keep_an_entry_from_being_settled(
    make_client: ClientFactory, clock: VirtualClock, journal_dir: Path
) -> None:
    # The pid of a crashed fttui may since belong to another program: only the sender's
    # lock, which dies with it, says that it is still sending.
    leave_entry(journal_dir, {"tags": "pid reused", "seed": 9}, clock.now(), pid=os.getppid())
    clock.advance(LATER)
    [result] = await make_client().reconcile_pending()
    assert result.outcome is ReconcileOutcome.NOT_CREATED


# --- point 22 and 18: the journal's times cannot block for ever --------------------------


async def test_an_entry_dated_in_the_future_settles_within_a_bounded_time(
    make_client: ClientFactory, clock: VirtualClock, journal_dir: Path
) -> None:
    leave_entry(journal_dir, {"tags": "clock ran fast", "seed": 3}, clock.now() + timedelta(days=2))
    client = make_client()
    [first] = await client.reconcile_pending()
    assert first.outcome is ReconcileOutcome.UNCONFIRMED
    clock.advance(LATER)
    [result] = await client.reconcile_pending()
    assert result.outcome is ReconcileOutcome.NOT_CREATED
    assert SubmissionJournal(journal_dir).pending() == []


@pytest.mark.parametrize("sent_at", [1e300, -1e300, "garbage", "0001-01-01T00:00:00", None])
async def test_a_bad_journal_timestamp_never_blocks_the_other_entries(
    make_client: ClientFactory, clock: VirtualClock, journal_dir: Path, sent_at: Any
) -> None:
    leave_raw(journal_dir, {"version": 1, "id": "bad", "sentAt": sent_at, "body": {}}, "bad")
    good = leave_entry(journal_dir, {"tags": "fine", "seed": 1}, clock.now())
    clock.advance(LATER)
    results = await make_client().reconcile_pending()
    assert [(r.journal_id, r.outcome) for r in results] == [(good, ReconcileOutcome.NOT_CREATED)]


@pytest.mark.parametrize(
    ("echoed", "same"),
    [
        ({"timesignature": 3, "keyscale": "C# minor", "bpm": 128.0}, True),  # v1.2 GET
        ({"timesignature": "3", "keyscale": "Db Minor"}, True),  # POST answer, a flat
        ({"timesignature": 3.0, "key": "C#", "scale": "minor"}, True),
        ({"keyscale": "auto"}, True),  # the server's own word: cannot tell
        ({"timesignature": 4}, False),
        ({"keyscale": "C# major"}, False),
        ({"keyscale": "D minor"}, False),
        ({"lyrics": "other words"}, False),
        ({"lyrics": "la la la\n"}, True),
    ],
)
def test_echoed_parameters_match_in_any_of_their_spellings(
    echoed: dict[str, Any], same: bool
) -> None:
    from fttui.api.models import GenerationParameters
    from fttui.api.reconcile import echoes

    sent = GenerationRequest.from_fields(
        {
            "tags": "t",
            "bpm": 128,
            "key": "Db",
            "scale": "minor",
            "timesignature": "3/4",
            "lyrics": "la la la",
        }
    ).to_json()
    assert echoes(sent, GenerationParameters.model_validate(echoed)) is same
