"""The session follows generations with what the cache taught it (no Textual)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fttui.api.models import Account, Generation
from fttui.clock import VirtualClock
from fttui.session import events
from fttui.session.following import STALLED_ADVICE, progress_of
from fttui.session.session import Session
from fttui.store import GenerationStore

START = VirtualClock().now()


def _finished(n: int, seconds: float) -> Generation:
    return Generation.model_validate(
        {
            "id": f"gen-{n}",
            "status": "completed",
            "duration": 30,
            "type": "music",
            "generationTime": seconds,
            "createdAt": (START - timedelta(hours=n)).isoformat(),
        }
    )


def _session(store: GenerationStore, emit: events.Listener = events.ignore) -> Session:
    return Session(
        key=None, base_url="http://127.0.0.1", store=store, clock=VirtualClock(), emit=emit
    )


def test_the_watcher_learns_from_the_cache_at_start(tmp_path: Path) -> None:
    with GenerationStore(tmp_path / "cache.sqlite3", full_text=False) as store:
        store.upsert([_finished(n, 48.0) for n in range(1, 7)])
        session = _session(store)
        assert session.watcher.predictor is session.predictor
        assert len(session.predictor) == 6
        forecast = session.predictor.predict(30, "music")
        assert forecast is not None and 48.0 < forecast.likely < 50.0


def test_the_last_known_account_comes_back_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    account = Account.model_validate(
        {"id": "u1", "email": "a@example.com", "name": "Ada", "tier": "pro", "limits": {}}
    )
    with GenerationStore(path, full_text=False) as store:
        first = _session(store)
        assert first.account is None
        first.account_seen(account)
    with GenerationStore(path, full_text=False) as store:
        assert _session(store).account == account  # shown at once, marked stale


def test_a_vanished_generation_leaves_the_cache_before_the_front_end_hears_of_it(
    tmp_path: Path,
) -> None:
    heard: list[tuple[str, Generation | None]] = []

    def listen(event: events.Event) -> None:
        if isinstance(event, events.GenerationGone):
            heard.append((event.generation_id, session.cached(event.generation_id)))

    with GenerationStore(tmp_path / "cache.sqlite3", full_text=False) as store:
        store.upsert([_finished(1, 40.0)])
        session = _session(store, listen)
        session.watcher.on_gone("gen-1")  # type: ignore[misc]
        assert heard == [("gen-1", None)]


def test_an_update_is_cached_then_told_finished_only_when_it_was_in_progress(
    tmp_path: Path,
) -> None:
    heard: list[events.GenerationChanged] = []

    def listen(event: events.Event) -> None:
        if isinstance(event, events.GenerationChanged):
            heard.append(event)

    running = Generation.model_validate(
        {"id": "gen-9", "status": "processing", "createdAt": START.isoformat()}
    )
    done = running.model_copy(update={"status": "completed"})
    with GenerationStore(tmp_path / "cache.sqlite3", full_text=False) as store:
        session = _session(store, listen)
        session.updated(done)  # first seen final (an old track's detail): no news
        session.forget("gen-9")
        session.updated(running)
        session.updated(done)  # in progress, then final: worth announcing
        assert [(e.generation.status, e.finished) for e in heard] == [
            ("completed", False),
            ("processing", False),
            ("completed", True),
        ]
        assert store.get("gen-9") is not None


def test_progress_says_elapsed_time_left_and_stalled_with_the_vendor_advice() -> None:
    running = Generation.model_validate(
        {"id": "g", "status": "processing", "createdAt": START.isoformat()}
    )
    early = progress_of(running, START + timedelta(seconds=42), expected=62.5)
    assert early is not None
    assert early.short == "processing 0:42"
    assert early.long == "processing 0:42 · ~0:21 left"
    late = progress_of(running, START + timedelta(seconds=70), expected=62.5)
    assert late is not None and late.long == "processing 1:10"  # past the forecast: no guess
    stuck = progress_of(running, START + timedelta(minutes=5, seconds=3))
    assert stuck is not None and stuck.stalled and stuck.short == "stalled 5:03"
    assert "may have failed silently" in STALLED_ADVICE
    done = running.model_copy(update={"status": "completed"})
    assert progress_of(done, START) is None


def test_a_cached_page_says_when_the_cache_ran_out_and_when_the_server_has_no_more(
    tmp_path: Path,
) -> None:
    with GenerationStore(tmp_path / "cache.sqlite3", full_text=False) as store:
        store.upsert([_finished(n, 40.0) for n in range(1, 8)])
        session = _session(store)
        first = session.cached_page(limit=5)
        assert [g.id for g in first.rows] == [f"gen-{n}" for n in range(1, 6)]
        assert first.total == 7 and not first.exhausted
        rest = session.cached_page(5, limit=5)
        assert len(rest.rows) == 2
        # Never synced: the server may hold older ones, so the end is not the end.
        assert not rest.exhausted
        beyond = session.cached_page(7, limit=5)
        assert beyond.rows == [] and not beyond.exhausted  # fetch older: `load_more`
        searched = session.cached_page(query="nothing matches this")
        assert searched.rows == [] and searched.total == 0
