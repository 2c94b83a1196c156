"""The finish predictor: the user's own generation times, by length and kind."""

from __future__ import annotations

import itertools
from pathlib import Path

from fttui.api.models import Generation
from fttui.api.timing import DEFAULT_OVERHEAD, Due, FinishPredictor, plan_looks
from fttui.store.database import GenerationStore


def test_no_history_means_no_forecast() -> None:
    assert FinishPredictor().predict(30, "music") is None


def test_the_forecast_is_the_users_typical_time_plus_the_overhead() -> None:
    predictor = FinishPredictor([(30, "music", 48.0 + n * 0.5) for n in range(9)])  # 48-52 s
    forecast = predictor.predict(30, "music")
    assert forecast is not None
    assert forecast.likely == 50.0 + DEFAULT_OVERHEAD
    assert 48.0 < forecast.low < forecast.likely < forecast.high < 53.0 + DEFAULT_OVERHEAD


def test_an_odd_run_does_not_move_the_likely_end() -> None:
    predictor = FinishPredictor([(30, "music", 50.0)] * 8 + [(30, "music", 900.0)])
    forecast = predictor.predict(30, "music")
    assert forecast is not None
    assert forecast.likely == 50.0 + DEFAULT_OVERHEAD


def test_varied_lengths_scale_the_forecast_with_the_length_asked_for() -> None:
    samples = [(30, "music", 30.0), (60, "music", 60.0), (120, "music", 120.0)] * 3
    forecast = FinishPredictor(samples).predict(200, "music")
    assert forecast is not None
    assert forecast.likely == 200.0 + DEFAULT_OVERHEAD


def test_each_kind_has_its_own_times_and_an_unknown_kind_borrows_them_all() -> None:
    predictor = FinishPredictor([(30, "music", 50.0)] * 5 + [(30, "instrumental", 20.0)] * 5)
    music, instrumental = predictor.predict(30, "music"), predictor.predict(30, "instrumental")
    assert music is not None and instrumental is not None
    assert music.likely > instrumental.likely
    assert predictor.predict(30, "clip") is not None


def test_few_samples_widen_the_window() -> None:
    few = FinishPredictor([(30, "music", 50.0)] * 2).predict(30, "music")
    many = FinishPredictor([(30, "music", 50.0)] * 10).predict(30, "music")
    assert few is not None and many is not None
    assert few.high - few.low > many.high - many.low


def test_the_overhead_is_learned_from_finished_runs() -> None:
    predictor = FinishPredictor([(30, "music", 50.0)] * 5)
    for seconds in (1.4, 1.5, 1.6):
        predictor.learn_overhead(seconds)
    forecast = predictor.predict(30, "music")
    assert forecast is not None
    assert forecast.likely == 51.5


def test_the_cache_gives_the_predictor_its_completed_generation_times(tmp_path: Path) -> None:
    def generation(n: int, status: str, seconds: float | None) -> Generation:
        return Generation.model_validate(
            {
                "id": f"gen-{n}",
                "type": "music",
                "status": status,
                "duration": 30,
                "createdAt": f"2026-01-01 10:00:{n:02d}",
                "generationTime": seconds,
            }
        )

    with GenerationStore(tmp_path / "cache.db") as store:
        store.upsert(
            [
                generation(1, "completed", 40.0),
                generation(2, "completed", 50.0),
                generation(3, "processing", None),
                generation(4, "failed", None),
                generation(5, "completed", 60.0),
            ]
        )
        assert store.generation_times() == [
            (30, "music", 40.0),
            (30, "music", 50.0),
            (30, "music", 60.0),
        ]  # oldest first
        assert store.generation_times(limit=1) == [(30, "music", 60.0)]


def test_a_fixed_cost_plus_time_per_second_is_learned_from_varied_lengths() -> None:
    # 10 s, then 0.5 s per second of track, +-0.3 s: the lengths explain the spread.
    samples = [(d, "music", 10 + 0.5 * d + (0.3 if d % 20 else -0.3)) for d in range(10, 160, 10)]
    forecast = FinishPredictor(samples).predict(100, "music")
    assert forecast is not None
    assert abs(forecast.likely - (60.0 + DEFAULT_OVERHEAD)) <= 0.3
    assert forecast.high - forecast.low <= 1.0  # not the 15-85 s the times alone spread over


def test_the_forecast_says_how_many_ends_are_due_by_each_moment() -> None:
    forecast = FinishPredictor([(30, "music", 40.0 + n) for n in range(21)]).predict(30, "music")
    assert forecast is not None
    assert forecast.share_by(forecast.first) == 0.0 and forecast.share_by(forecast.last) == 1.0
    assert abs(forecast.share_by(50.0 + DEFAULT_OVERHEAD) - 0.5) < 0.05
    assert forecast.first < 40.0 + DEFAULT_OVERHEAD and forecast.last > 60.0 + DEFAULT_OVERHEAD


def _even(low: float, high: float) -> Due:
    return Due(lambda t: min(1.0, max(0.0, (t - low) / (high - low))), low, high)


def test_looks_go_where_ends_are_due_and_none_between() -> None:
    plan = plan_looks(0.0, [_even(30, 32), _even(80, 82)], [], budget=12, gap=0.5, not_before=0)
    assert plan and all(29.9 < t <= 32.5 or 79.9 < t <= 82.5 for t in plan)
    assert any(t < 40 for t in plan) and any(t > 70 for t in plan)


def test_a_plan_keeps_to_the_budget_in_any_minute_counting_looks_already_made() -> None:
    sent = [float(t) for t in range(-50, 0, 5)]  # 10 in the last minute
    plan = plan_looks(0.0, [_even(0, 40)] * 10, sent, budget=12, gap=0.5, not_before=0)
    looks = sorted(sent + plan)
    assert all(sum(t <= s < t + 60 for s in looks) <= 12 for t in looks)
    assert min(b - a for a, b in itertools.pairwise(plan)) >= 0.5
