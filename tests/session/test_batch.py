"""Variations sent as a batch: never refused for the queue or the POST budget by fttui.

The simulator and the client share a virtual clock (generations take ~8 s of it), so a
batch of ten on a queue of two runs in a fraction of a second of real time.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from fttui.api.models import GenerationRequest
from fttui.clock import VirtualClock
from fttui.session.batch import BatchFolder, BatchInvalid, BatchPlan, BatchSender, plan_batch
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory

NOW = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)


class PostAnswers(httpx.AsyncBaseTransport):
    """The real transport, keeping the status and error code of every POST answer."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.posts: list[tuple[int, str | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            await response.aread()
            code = None
            if response.status_code >= 400:
                code = response.json().get("error", {}).get("code")
            self.posts.append((response.status_code, code))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def journal_entries(folder: Path) -> list[Path]:
    return list(folder.glob("*.json"))


def form() -> GenerationRequest:
    return GenerationRequest.from_fields({"tags": "lofi piano", "duration": 30, "bpm": 90})


def seeds(n: int) -> BatchPlan:
    return plan_batch(form(), "seed", n, now=NOW, rng=random.Random(3))


async def test_the_first_queue_full_teaches_the_capacity_once_and_is_kept(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    answers = PostAnswers()
    folder = BatchFolder(tmp_path / "batches")
    sender = BatchSender(make_client(transport=answers), seeds(4), folder=folder)
    plan = await sender.run()
    assert plan.finished
    assert [status for status, _ in answers.posts].count(429) == 1  # the lesson, once
    assert BatchFolder(tmp_path / "batches").known_capacity() == 2  # as a restart reads it


async def test_a_batch_of_ten_on_a_queue_of_two_is_sent_without_any_refusal(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path, tmp_path: Path
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    answers = PostAnswers()
    folder = BatchFolder(tmp_path / "batches")
    folder.remember_capacity(2)  # learned from an earlier QUEUE_FULL (test above)
    sender = BatchSender(make_client(transport=answers), seeds(10), folder=folder)
    plan = await sender.run()
    assert [t.state for t in plan.takes] == ["sent"] * 10
    assert [status for status, _ in answers.posts] == [202] * 10  # no QUEUE_FULL, no 429
    assert sender.report.refusals == 0 and sender.report.finished is not None
    made = {g.id: g for g in vsim.state.generations(vsim.demo_key)}
    assert sorted(made) == sorted(plan.sent_ids)
    assert {made[t.generation_id].seed for t in plan.takes if t.generation_id} == {
        t.request.seed for t in plan.takes
    }
    assert not journal_entries(journal_dir)  # each send journaled, then settled
    assert folder.load(plan.id) == plan


async def test_a_batch_waits_out_a_spent_post_budget_without_being_refused(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 50
    answers = PostAnswers()
    client = make_client(transport=answers)
    for n in range(8):  # the user spent most of this minute's budget already
        await client.create_generation(form().model_copy(update={"seed": n}))
    sender = BatchSender(client, seeds(5))
    plan = await sender.run()
    assert plan.finished and len(plan.sent_ids) == 5
    assert all(status == 202 for status, _ in answers.posts)
    assert len(answers.posts) == 13
    assert sender.report.refusals == 0
    assert clock.monotonic() >= 60.0  # the last three waited for the window to move


async def test_a_restart_shows_what_was_sent_and_sends_only_the_rest(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    folder = BatchFolder(tmp_path / "batches")
    client = make_client()

    def quit_after_three(plan: BatchPlan) -> None:
        if len(plan.sent_ids) == 3:
            first.stop()

    first = BatchSender(client, seeds(6), folder=folder, on_change=quit_after_three)
    await first.run()
    [left] = BatchFolder(tmp_path / "batches").unfinished()  # as a restart reads it
    assert left.half_sent
    assert left.summary() == "Batch of 6 by seed: 3 sent, 3 not sent yet."
    plan = await BatchSender(client, left, folder=folder).run()
    assert plan.finished and len(set(plan.sent_ids)) == 6
    assert vsim.generation_count() == 6
    assert folder.unfinished() == []


def test_a_take_left_sending_by_a_crash_reads_back_as_unconfirmed(tmp_path: Path) -> None:
    plan = seeds(2)
    data = plan.to_json()
    data["takes"][0]["state"] = "sending"
    (tmp_path / f"{plan.id}.json").write_text(json.dumps(data))
    loaded = BatchFolder(tmp_path).load(plan.id)
    assert loaded is not None and loaded.takes[0].state == "unconfirmed"
    assert loaded.unsent == [1]  # never sent twice


def test_sweeps_spread_values_evenly_and_keys_walk_up() -> None:
    bpm = plan_batch(form(), "bpm", 5, now=NOW, start=80, stop=120)
    assert [t.request.bpm for t in bpm.takes] == [80, 90, 100, 110, 120]
    assert [t.value for t in bpm.takes] == ["80", "90", "100", "110", "120"]
    keys = plan_batch(form(), "key", 3, now=NOW, start="A#")
    assert [t.request.key for t in keys.takes] == ["A#", "B", "C"]
    dur = plan_batch(form(), "duration", 2, now=NOW, start=20, stop=60)
    assert [t.request.duration for t in dur.takes] == [20, 60]
    assert len({t.request.seed for t in seeds(10).takes}) == 10


@pytest.mark.parametrize(
    ("varying", "count", "start", "stop"),
    [("seed", 1, None, None), ("seed", 11, None, None), ("bpm", 5, 30, 90), ("bpm", 5, 90, 91)],
)
def test_a_batch_out_of_bounds_is_refused_with_a_reason(
    varying: str, count: int, start: int | None, stop: int | None
) -> None:
    with pytest.raises(BatchInvalid):
        plan_batch(form(), varying, count, now=NOW, start=start, stop=stop)  # type: ignore[arg-type]
