"""Issue 11, point 4: a submission whose answer was lost, and that a reconcile finds
later, keeps its lyrics as a normal submit does (the API echoes none back).

The simulator drops the POST's answer after it created the generation, and answers
every GET with a 500 while the client looks for it: the submission stays unconfirmed
until a later reconcile finds it.
"""

from __future__ import annotations

from fttui.api.errors import SubmissionUnconfirmed
from fttui.api.models import GenerationRequest
from fttui.api.reconcile import ReconcileOutcome
from fttui.session import events
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory

from .test_submitting import recorder

LYRICS = "[Verse]\nThe answer got lost on the way home"


def _song(**fields: object) -> GenerationRequest:
    return GenerationRequest.from_fields({"tags": "lost answer ballad", "duration": 30, **fields})


async def test_a_submission_found_after_all_keeps_its_lyrics(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    client = make_client()
    submitting, seen = recorder()
    vsim.set_faults(drop_after_commit="next:1,only:POST", internal_error="rate:1,only:GET")
    await submitting.submit(client, _song(lyrics=LYRICS))
    [failed] = [e for e in seen if isinstance(e, events.SubmitFailed)]
    assert isinstance(failed.error, SubmissionUnconfirmed)
    assert vsim.faults.drop_after_commit.fired == 1

    vsim.set_faults(internal_error="rate:0")
    await submitting.reconcile(client)
    [found] = [e for e in seen if isinstance(e, events.FoundAfterAll)]
    [made] = vsim.state.generations(vsim.demo_key)
    assert found.generation.id == made.id
    assert found.generation.parameters.lyrics == LYRICS
    assert vsim.post_count() == 1  # found, never sent again


async def test_the_reconcile_result_says_which_lyrics_were_sent(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    client = make_client()
    vsim.set_faults(drop_after_commit="next:2,only:POST", internal_error="rate:1,only:GET")
    for request in (_song(lyrics=LYRICS), _song(tags="no words", seed=5)):
        submitting, _ = recorder()
        await submitting.submit(client, request)
    vsim.set_faults(internal_error="rate:0")
    results = await client.reconcile_pending()
    assert [r.outcome for r in results] == [ReconcileOutcome.FOUND] * 2
    assert [r.lyrics for r in results] == [LYRICS, None]
