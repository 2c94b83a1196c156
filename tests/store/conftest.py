"""Fixtures for the cache: a store in a temporary folder, generations, and a fake API.

The fake API stands in for `FinetuningClient` where a test needs exact control (a
deletion elsewhere, a gap of 300 new generations); the simulator tests in
test_store_library_sim.py check the same behaviour over real HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from fttui.api.errors import NotFound, TransportError
from fttui.api.models import Generation, GenerationPage
from fttui.store import GenerationStore

START = datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc)

MakeGeneration = Callable[..., Generation]


def generation(number: int, **fields: Any) -> Generation:
    """Generation number `number`, one minute after number - 1, in the API's JSON shape."""
    created = START + timedelta(minutes=number)
    data: dict[str, Any] = {
        "id": f"gen-{number:05d}",
        "title": f"Song {number}",
        "prompt": "ambient piano, soft rain",
        "status": "completed",
        "audioUrl": f"https://media.example/{number}.mp3",
        "duration": 60,
        "parameters": {"bpm": 90, "duration": 60, "keyscale": "C minor", "seed": number},
        "createdAt": created.strftime("%Y-%m-%d %H:%M:%S"),
        "completedAt": (created + timedelta(seconds=8)).isoformat().replace("+00:00", "Z"),
    }
    data.update(fields)
    return Generation.model_validate(data)


@pytest.fixture
def make() -> MakeGeneration:
    return generation


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "generations.sqlite3"


@pytest.fixture(params=[True, False], ids=["fts", "like"])
def store(request: pytest.FixtureRequest, db_path: Path) -> Iterator[GenerationStore]:
    """A store searching with FTS5 (where the build has it), then one with LIKE."""
    with GenerationStore(db_path, full_text=request.param) as opened:
        if request.param and not opened.full_text:
            pytest.skip("this sqlite3 has no FTS5")
        yield opened


class FakeApi:
    """The two list/detail calls of the client, over an in-memory history, newest first."""

    def __init__(self, count: int = 0) -> None:
        self.history: list[Generation] = [generation(n) for n in range(count, 0, -1)]
        self.list_calls: list[tuple[int, int, str | None]] = []
        self.get_calls: list[str] = []
        self.offline = False
        self._next = count + 1

    def create(self, how_many: int = 1, **fields: Any) -> list[Generation]:
        """New generations at the top of the history (as if made on the website)."""
        made = []
        for _ in range(how_many):
            made.append(generation(self._next, **fields))
            self._next += 1
        self.history[:0] = reversed(made)
        return made

    def replace(self, fresh: Generation) -> None:
        self.history = [fresh if g.id == fresh.id else g for g in self.history]

    def delete(self, generation_id: str) -> None:
        self.history = [g for g in self.history if g.id != generation_id]

    async def list_generations(
        self, *, limit: int = 20, offset: int = 0, status: str | None = None
    ) -> GenerationPage:
        if self.offline:
            raise TransportError("connection refused")
        self.list_calls.append((offset, limit, status))
        matching = [g for g in self.history if status is None or g.status == status]
        items = matching[offset : offset + limit]
        more = offset + limit < len(matching)
        return GenerationPage.model_validate(
            {
                "generations": [g.model_dump(mode="json", by_alias=True) for g in items],
                "hasMore": more,
                "nextOffset": offset + limit if more else None,
            }
        )

    async def get_generation(self, generation_id: str) -> Generation:
        if self.offline:
            raise TransportError("connection refused")
        self.get_calls.append(generation_id)
        for item in self.history:
            if item.id == generation_id:
                return item
        raise NotFound("no such generation", status=404)


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def fake_api() -> type[FakeApi]:
    """The class, for tests that want a history of a given length: `fake_api(120)`."""
    return FakeApi
