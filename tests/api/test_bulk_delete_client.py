"""Bulk delete (API v1.2) against the simulator over HTTP: split at 100 ids, one request
each as the rate limiter counts, per-item results merged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fttui.api.client import RetryPolicy
from fttui.api.models import RequestInvalid
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory, CountingTransport

ONE_TRY = RetryPolicy(attempts=1)


@pytest.fixture
def vsim(sim_factory: Callable[..., RunningSim], clock: VirtualClock) -> RunningSim:
    """The demo account with 250 older generations."""
    return sim_factory(clock=clock, speed=1.0, generations=250, playlists=0)


def ids_of(sim: RunningSim) -> list[str]:
    return [g.id for g in sim.state.generations(sim.demo_key)]


async def test_delete_splits_at_100_counts_each_request_once_and_merges(
    make_client: ClientFactory, vsim: RunningSim, counting: CountingTransport
) -> None:
    client = make_client(transport=counting)
    ids = ids_of(vsim)[:230]
    unknown = ["no-such-generation"]
    used_before = client.rate.used_last_minute
    result = await client.delete_generations([*ids, *unknown])
    posts = [r for r in counting.requests if r == ("POST", "/v1/generations/bulk-delete")]
    assert len(posts) == 3  # 231 ids: 100 + 100 + 31
    assert client.rate.used_last_minute - used_before == 3  # a bulk request counts once
    assert result.deleted == ids
    assert result.succeeded == ids
    assert list(result.failed) == unknown
    assert vsim.generation_count() == 20


async def test_delete_of_nothing_is_refused_locally(
    make_client: ClientFactory, counting: CountingTransport
) -> None:
    with pytest.raises(RequestInvalid):
        await make_client(transport=counting).delete_generations([])
    assert counting.requests == []


async def test_delete_of_only_unknown_ids_is_an_answer_with_errors(
    make_client: ClientFactory,
) -> None:
    result = await make_client().delete_generations(["a", "b", "a"])
    assert result.deleted == []
    assert sorted(result.failed) == ["a", "b"]  # each id sent once


async def test_a_chunk_whose_answer_is_lost_becomes_per_item_errors(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    vsim.set_faults(malformed_json="next:1,only:POST")
    ids = ids_of(vsim)[:150]
    result = await make_client(retry=ONE_TRY).delete_generations(ids)
    # The first answer was unreadable (its deletions happened, but the client cannot
    # know): those ids are reported as errors, the second chunk as deleted.
    assert result.deleted == ids[100:]
    assert list(result.failed) == ids[:100]
