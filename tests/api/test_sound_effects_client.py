"""Sound effects (API v1.2) against the simulator over HTTP, and the journal's guarantees
for the two new creating POSTs (/v1/instrumental, /v1/sound-effects): written before
sending, never re-sent blindly, found again by a reconcile."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from fttui.api import errors
from fttui.api.instrumental import InstrumentalRequest
from fttui.api.journal import INSTRUMENTAL, SOUND_EFFECTS, SubmissionJournal
from fttui.api.models import RequestInvalid
from fttui.api.reconcile import SETTLE_AFTER, ReconcileOutcome
from fttui.api.sound_effects import SoundEffectRequest
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport
from tests.api.journal_helpers import leave_entry

CLICK = SoundEffectRequest.from_fields({"prompt": "a door creaks open", "duration": 2.5})


def journal_files(directory: Path) -> list[dict[str, object]]:
    return [json.loads(f.read_text("utf-8")) for f in directory.glob("*.json")]


def sound_effects_on_server(sim: RunningSim) -> int:
    with sim.state.lock:
        return len(sim.state.sound_effects.newest_first(sim.state.account(sim.demo_key)))


async def test_create_get_and_list_sound_effects(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    made = await client.create_sound_effect(CLICK)
    assert made.prompt == "a door creaks open"
    assert made.requested_duration == 2.5
    assert made.daily_remaining == 99
    assert made.in_progress
    await clock.sleep(30)
    done = await client.get_sound_effect(made.id)
    assert done.status == "completed"
    assert done.duration == 2.5
    assert done.audio_url
    assert done.completed_at is not None
    page = await client.list_sound_effects(status="completed")
    assert [e.id for e in page.sound_effects] == [made.id]
    assert page.has_more is False
    assert (await client.list_sound_effects(status="processing")).sound_effects == []


async def test_a_sound_effect_always_sends_enhance() -> None:
    assert CLICK.to_json() == {"prompt": "a door creaks open", "duration": 2.5, "enhance": True}
    whole = SoundEffectRequest.from_fields({"prompt": "boom", "duration": "3"})
    assert whole.to_json()["duration"] == 3


@pytest.mark.parametrize("duration", [0.5, 8.5, "long", True])
def test_a_sound_effects_duration_is_1_to_8_seconds(duration: object) -> None:
    with pytest.raises(RequestInvalid) as caught:
        SoundEffectRequest.from_fields({"prompt": "boom", "duration": duration})
    assert "duration" in caught.value.field_errors


def test_a_sound_effect_needs_a_prompt() -> None:
    with pytest.raises(RequestInvalid) as caught:
        SoundEffectRequest.from_fields({"duration": 2})
    assert caught.value.field_errors == {"prompt": "describe the sound (a prompt is required)"}


async def test_sound_effects_do_not_spend_the_post_budget(
    make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    for _ in range(12):
        await client.create_sound_effect(CLICK)
    assert clock.monotonic() == 0.0
    assert client.rate.posts_last_minute == 0


async def test_daily_limit_reached(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path
) -> None:
    vsim.set_sound_effects_used_today(100)
    client = make_client()
    with pytest.raises(errors.DailyLimitReached) as caught:
        await client.create_sound_effect(CLICK)
    assert caught.value.status == 402
    assert isinstance(caught.value, errors.LimitError)
    assert sound_effects_on_server(vsim) == 0
    assert SubmissionJournal(journal_dir).pending() == []


# --- the journal covers the new creating POSTs --------------------------------------------


async def test_a_sound_effect_is_journaled_before_it_is_sent(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path
) -> None:
    seen: list[dict[str, object]] = []
    vsim.set_faults(internal_error="next:1,only:POST")

    class Peek(CountingTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                seen.extend(journal_files(journal_dir))
            return await super().handle_async_request(request)

    with pytest.raises(errors.InternalError):
        await make_client(transport=Peek()).create_sound_effect(CLICK)
    assert seen
    assert seen[0]["endpoint"] == SOUND_EFFECTS
    assert seen[0]["body"] == CLICK.to_json()


async def test_a_lost_sound_effect_answer_is_found_not_resent(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path
) -> None:
    vsim.set_faults(drop_after_commit="next:1,only:POST")
    client = make_client()
    made = await client.create_sound_effect(CLICK)
    assert vsim.faults.drop_after_commit.fired == 1
    assert sound_effects_on_server(vsim) == 1  # created once, never sent again
    assert made.prompt == CLICK.prompt
    assert SubmissionJournal(journal_dir).pending() == []


async def test_a_lost_instrumental_answer_is_found_not_resent(
    make_client: ClientFactory, vsim: RunningSim, journal_dir: Path
) -> None:
    vsim.set_faults(drop_after_commit="next:1,only:POST")
    client = make_client()
    request = InstrumentalRequest.from_fields({"prompt": "solo piano", "duration": 50})
    created = await client.create_instrumental(request)
    assert vsim.faults.drop_after_commit.fired == 1
    assert vsim.generation_count() == 1
    newest = vsim.state.generations(vsim.demo_key)[0]
    assert created.id == newest.id
    assert created.type == "instrumental"
    assert SubmissionJournal(journal_dir).pending() == []


async def test_a_crash_mid_post_is_reconciled_for_instrumentals_and_sound_effects(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, journal_dir: Path
) -> None:
    client = make_client()
    sent_at = clock.now()
    # What a crashed fttui left: both POSTs were sent, both were created.
    instrumental = {"prompt": "harp at dawn", "duration": 45, "enhance": True, "seed": 4242}
    effect = {"prompt": "glass breaks", "duration": 1.5, "enhance": True}
    leave_entry(journal_dir, instrumental, sent_at, endpoint=INSTRUMENTAL)
    leave_entry(journal_dir, effect, sent_at, endpoint=SOUND_EFFECTS)
    # Sent by hand, as the crashed process did; a music generation with the same words
    # and seed first, which must not be taken for the instrumental.
    headers = {"X-API-Key": vsim.demo_key}
    async with httpx.AsyncClient(base_url=vsim.base_url, headers=headers) as http:
        music = await http.post("/v1/generations", json={"tags": "harp at dawn", "seed": 4242})
        assert music.status_code == 202
        made = await http.post("/v1/instrumental", json=instrumental)
        assert made.status_code == 202
        sfx = await http.post("/v1/sound-effects", json=effect)
        assert sfx.status_code == 202
    results = {r.endpoint: r for r in await client.reconcile_pending()}
    assert results[INSTRUMENTAL].outcome is ReconcileOutcome.FOUND
    assert results[INSTRUMENTAL].generation is not None
    assert results[INSTRUMENTAL].generation.id == made.json()["data"]["id"]
    assert results[SOUND_EFFECTS].outcome is ReconcileOutcome.FOUND
    assert results[SOUND_EFFECTS].sound_effect is not None
    assert results[SOUND_EFFECTS].sound_effect.id == sfx.json()["data"]["id"]
    assert results[SOUND_EFFECTS].request is None  # not a song's request
    assert SubmissionJournal(journal_dir).pending() == []


async def test_instrumental_and_sound_effect_never_created_settle_as_not_created(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock, journal_dir: Path
) -> None:
    sent_at = clock.now()
    leave_entry(journal_dir, {"prompt": "never sent", "seed": 1}, sent_at, endpoint=INSTRUMENTAL)
    leave_entry(journal_dir, {"prompt": "never sent"}, sent_at, endpoint=SOUND_EFFECTS)
    client = make_client()
    early = await client.reconcile_pending()
    assert {r.outcome for r in early} == {ReconcileOutcome.UNCONFIRMED}  # too recent
    await clock.sleep(SETTLE_AFTER.total_seconds() + 60)
    late = await client.reconcile_pending()
    assert [r.outcome for r in late] == [ReconcileOutcome.NOT_CREATED] * 2
    assert {r.endpoint for r in late} == {INSTRUMENTAL, SOUND_EFFECTS}
    assert vsim.generation_count() == 0
    assert sound_effects_on_server(vsim) == 0
