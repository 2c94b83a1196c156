"""Variations sent as a batch: never refused for the queue or the POST budget by fttui.

The simulator and the client share a virtual clock (generations take ~8 s of it), so a
batch of ten on a queue of two runs in a fraction of a second of real time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from fttui.api.models import Generation, GenerationRequest
from fttui.cli.exit_codes import ExitCode
from fttui.clock import VirtualClock
from fttui.config import SettingsError, load_settings
from fttui.session.batch import (
    AtOnce,
    BatchFolder,
    BatchInvalid,
    BatchPlan,
    BatchSender,
    at_once_for,
    most_seen_together,
    most_together,
    note_in_queue,
    plan_batch,
)
from fttui.session.conditions import Conditions
from fttui.session.session import Session
from fttui.session.submitting import Submitting
from fttui.sim.server import RunningSim
from fttui.store import GenerationStore
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


def server_most_together(sim: RunningSim, ids: list[str]) -> int:
    """The most of these generations the simulator held in progress at one moment."""
    edges: list[tuple[float, int]] = []
    for g in sim.state.generations(sim.demo_key):
        if g.id in ids:
            edges += [(g.created_mono, 1), (g.end_mono, -1)]
    most = running = 0
    for _, step in sorted(edges):
        running += step
        most = max(most, running)
    return most


def refusals(answers: PostAnswers) -> list[str]:
    """The QUEUE_FULL and GENERATION_RATE_LIMITED answers the server gave."""
    limits = ("QUEUE_FULL", "GENERATION_RATE_LIMITED")
    return [code for _, code in answers.posts if code in limits]


async def test_a_first_batch_on_a_fresh_account_is_never_refused_by_the_queue_or_budget(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    answers = PostAnswers()
    folder = BatchFolder(tmp_path / "batches")  # nothing learned
    store = GenerationStore(tmp_path / "cache.db")  # no history
    at_once = at_once_for(folder, store, now=clock.now())
    assert at_once.text == "one at a time until fttui knows your queue size"
    sender = BatchSender(make_client(transport=answers), seeds(4), folder=folder, at_once=at_once)
    plan = await sender.run()
    assert [t.state for t in plan.takes] == ["sent"] * 4
    assert refusals(answers) == [] and [s for s, _ in answers.posts] == [202] * 4
    assert server_most_together(vsim, plan.sent_ids) == 1
    assert folder.known_capacity() is None  # nothing probed, nothing learned


async def test_history_with_two_running_together_sends_two_at_a_time_unrefused(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    client = make_client()
    for n in range(2):  # the user once had two running together
        await client.create_generation(form().model_copy(update={"seed": n}))
    await clock.sleep(60.0)
    store = GenerationStore(tmp_path / "cache.db")
    store.upsert((await client.list_generations()).generations)  # as the app caches them
    folder = BatchFolder(tmp_path / "batches")
    at_once = at_once_for(folder, store, now=clock.now())
    assert at_once == AtOnce(2, "seen")
    assert "2 at a time" in at_once.text and "until fttui knows your queue size" in at_once.text
    answers = PostAnswers()
    sender = BatchSender(make_client(transport=answers), seeds(4), folder=folder, at_once=at_once)
    plan = await sender.run()
    assert plan.finished and refusals(answers) == []
    assert server_most_together(vsim, plan.sent_ids) == 2


async def test_the_most_in_queue_seen_in_v1_me_is_kept_as_a_floor(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 5
    client = make_client()
    for n in range(3):  # three running now, sent from elsewhere (the web app, say)
        await client.create_generation(form().model_copy(update={"seed": n}))
    store = GenerationStore(tmp_path / "cache.db")
    assert most_seen_together(store, clock.now()) == 1
    session = Session(key=None, base_url=vsim.base_url, store=store, clock=clock)
    session.account_seen(await client.me())  # queueDepth: 3 in the queue now
    note_in_queue(store, 2)  # fewer later: the most stays
    assert most_seen_together(GenerationStore(tmp_path / "cache.db"), clock.now()) == 3
    await session.close()


def made(gen_id: str, start: str, end: str | None, status: str = "completed") -> Generation:
    return Generation.model_validate(
        {"id": gen_id, "status": status, "createdAt": start, "completedAt": end}
    )


def test_running_together_is_counted_from_history_a_stale_row_not_swelling_it() -> None:
    now = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)
    history = [
        made("a", "2026-01-10T10:00:00Z", "2026-01-10T10:00:10Z"),
        made("b", "2026-01-10T10:00:05Z", "2026-01-10T10:00:20Z"),  # with a
        made("c", "2026-01-10T10:00:20Z", "2026-01-10T10:00:30Z"),  # after b: its slot
        # Cached as processing months ago and never seen again: not running ever since.
        made("d", "2025-10-01T09:00:00Z", None, status="processing"),
        made("e", "2026-01-12T09:00:00Z", "2026-01-12T09:00:08Z"),
    ]
    assert most_together(history, now) == 2
    assert most_together([], now) == 0


def test_a_size_an_earlier_fttui_learned_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "queue-capacity.txt").write_text("3")
    assert BatchFolder(tmp_path).known_capacity("me") == 3


async def test_a_queue_full_met_by_a_single_submit_is_remembered_for_batches(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    client = make_client()
    submitting = Submitting(Conditions(), lambda _: None)
    for n in range(3):  # the user sends a third while two run: the server says QUEUE_FULL
        await submitting.submit(client, form().model_copy(update={"seed": n}))
    assert BatchFolder().known_capacity() == 2  # as the next batch reads it
    await clock.sleep(60.0)
    store = GenerationStore(tmp_path / "cache.db")
    at_once = at_once_for(BatchFolder(), store, now=clock.now())
    assert at_once == AtOnce(2, "queue full") and at_once.text == "2 at a time: your queue size"
    answers = PostAnswers()
    plan = await BatchSender(make_client(transport=answers), seeds(4), at_once=at_once).run()
    assert plan.finished and refusals(answers) == []
    assert server_most_together(vsim, plan.sent_ids) == 2


def test_a_queue_full_met_by_the_cli_is_remembered_for_batches(
    sim_factory: Callable[..., RunningSim],
) -> None:
    from tests.cli.test_cli import fttui

    slow = sim_factory(speed=0.05)  # the first is still running when the second is sent
    slow.state.account(slow.demo_key).queue_depth = 1
    first = fttui("generate", "first", "--duration", "10", "--base-url", slow.base_url)
    assert first.returncode == ExitCode.OK, first.stderr
    second = fttui("generate", "second", "--duration", "10", "--base-url", slow.base_url)
    assert second.returncode == ExitCode.LIMIT and "queue is full" in second.stderr
    assert BatchFolder().known_capacity() == 1  # the same FTTUI_HOME as the app's


async def test_a_queue_capacity_in_the_config_is_used(
    make_client: ClientFactory,
    vsim: RunningSim,
    tmp_path: Path,
    clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    monkeypatch.setenv("FTTUI_QUEUE_CAPACITY", "2")
    configured = load_settings().queue_capacity
    folder = BatchFolder(tmp_path / "batches")
    store = GenerationStore(tmp_path / "cache.db")
    at_once = at_once_for(folder, store, now=clock.now(), configured=configured)
    assert at_once == AtOnce(2, "config") and at_once.text == "2 at a time: your queue size"
    answers = PostAnswers()
    sender = BatchSender(make_client(transport=answers), seeds(4), folder=folder, at_once=at_once)
    plan = await sender.run()
    assert plan.finished and refusals(answers) == []
    assert server_most_together(vsim, plan.sent_ids) == 2


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_queue_capacity_that_is_not_a_count_is_refused_with_its_name(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTUI_QUEUE_CAPACITY", value)
    with pytest.raises(SettingsError, match="queue_capacity"):
        load_settings()


async def test_a_queue_full_met_all_the_same_teaches_the_size_for_every_later_batch(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    answers = PostAnswers()
    folder = BatchFolder(tmp_path / "batches")
    stated = AtOnce(3, "config")  # the user stated more than the queue holds
    sender = BatchSender(
        make_client(transport=answers), seeds(4), folder=folder, at_once=stated, account="me"
    )
    plan = await sender.run()
    assert plan.finished
    assert refusals(answers) == ["QUEUE_FULL"]  # the user's statement caused it, once
    assert sender.at_once == AtOnce(2, "queue full")
    kept = BatchFolder(tmp_path / "batches")  # as a restart reads it
    assert kept.known_capacity("me") == 2 and kept.known_capacity("someone else") is None
    store = GenerationStore(tmp_path / "cache.db")
    later = at_once_for(kept, store, now=clock.now(), account="me")
    assert later == AtOnce(2, "queue full")
    again = PostAnswers()
    await BatchSender(make_client(transport=again), seeds(4), folder=kept, at_once=later).run()
    assert refusals(again) == []


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


async def test_the_next_take_goes_as_soon_as_a_finish_is_seen_not_at_the_next_look(
    make_client: ClientFactory, vsim: RunningSim, tmp_path: Path, clock: VirtualClock
) -> None:
    vsim.state.account(vsim.demo_key).queue_depth = 2
    folder = BatchFolder(tmp_path / "batches")
    seen: list[asyncio.Task[None]] = []

    async def finish_seen(generation_id: str) -> None:
        """What the app's watcher does: it sees the finish ~0.3 s after it."""
        with vsim.state.lock:
            [end] = [
                g.end_mono for g in vsim.state.generations(vsim.demo_key) if g.id == generation_id
            ]
        await clock.sleep(max(0.0, end - clock.monotonic()) + 0.3)
        sender.slot_may_be_free()

    sender = BatchSender(
        make_client(),
        seeds(4),
        folder=folder,
        at_once=AtOnce(1, "seen"),
        on_sent=lambda created: seen.append(asyncio.ensure_future(finish_seen(created.id))),
    )
    plan = await sender.run()
    assert [t.state for t in plan.takes] == ["sent"] * 4
    with vsim.state.lock:
        made = {g.id: g for g in vsim.state.generations(vsim.demo_key)}
    takes = [made[i] for i in plan.sent_ids]
    gaps = [b.created_mono - a.end_mono for a, b in itertools.pairwise(takes)]
    assert all(0 <= gap <= 1.0 for gap in gaps), gaps  # not up to a 4 s look later
    await asyncio.gather(*seen)
