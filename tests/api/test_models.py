"""Request validation mirrors the contract; responses tolerate what the live API sends."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from fttui.api.models import (
    Account,
    CreatedGeneration,
    Generation,
    GenerationPage,
    GenerationRequest,
    ListQuery,
    RequestInvalid,
    parse_timestamp,
)


def fields_error(**fields: Any) -> dict[str, str]:
    with pytest.raises(RequestInvalid) as caught:
        GenerationRequest.from_fields(fields)
    return caught.value.field_errors


def test_minimal_request_sends_only_tags() -> None:
    assert GenerationRequest.from_fields({"tags": " lofi chill "}).to_json() == {
        "tags": "lofi chill"
    }


def test_form_text_is_accepted_and_sent_as_integers() -> None:
    request = GenerationRequest.from_fields(
        {"tags": "x", "duration": "90", "bpm": 85.0, "seed": "1234567", "timesignature": 3}
    )
    assert request.to_json() == {
        "tags": "x", "duration": 90, "bpm": 85, "seed": 1234567, "timesignature": "3",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("Db", "C#"), ("eb", "D#"), ("Gb", "F#"), ("AB", "G#"), ("bb", "A#"), ("f#", "F#"),
     ("C♯", "C#"), ("B♭", "A#"), ("c", "C")],
)  # fmt: skip
def test_flats_map_to_sharps(typed: str, sent: str) -> None:
    assert GenerationRequest.from_fields({"tags": "x", "key": typed}).key == sent


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("duration", [5, 210, "60"], [4, 211, 4.6, 210.4, "long", True, float("nan")]),
        ("bpm", [60, 200], [59, 201, "fast"]),
        ("language", ["en", "JA", "ru", "English"], ["xx", "english!", "e"]),
        ("key", ["C", "A#", "B"], ["H", "Cb", "C minor"]),
        ("scale", ["major", "Minor"], ["dorian", "maj"]),
        ("timesignature", ["2", "7", 4, "3/4"], ["1", "8", "6/8", "4.5"]),
        ("seed", [0, 2**53 - 1, "42"], [-1, 2**53, 1.5, "seed"]),
    ],
)
def test_each_rule_of_the_contract(field: str, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        GenerationRequest.from_fields({"tags": "x", field: value})
    for value in bad:
        assert field in fields_error(tags="x", **{field: value}), (field, value)


def test_lengths_are_the_contracts() -> None:
    GenerationRequest.from_fields({"tags": "t" * 700, "lyrics": "l" * 2000})
    errors = fields_error(tags="t" * 701, lyrics="l" * 2001)
    assert errors == {
        "tags": "at most 700 characters (701 now)",
        "lyrics": "at most 2000 characters (2001 now)",
    }


def test_every_bad_field_is_reported_at_once_in_plain_words() -> None:
    errors = fields_error(
        tags="  ", duration=4, bpm=300, language="xx", key="H", scale="dorian",
        timesignature="9", seed=-3, webhook="http://x", enhance=True,
    )  # fmt: skip
    assert set(errors) == {
        "tags", "duration", "bpm", "language", "key", "scale", "timesignature", "seed", "webhook",
        "enhance",
    }  # fmt: skip
    assert errors["tags"] == "describe the music (tags are required)"
    assert errors["duration"] == "duration must be 5–210 seconds (4 given)"
    assert errors["bpm"] == "bpm must be 60–200 (300 given)"
    assert errors["webhook"] == "webhook must be an https URL"
    assert errors["enhance"] == "not a parameter of the API"
    for message in errors.values():
        assert "Value error" not in message
        assert "pydantic" not in message
    assert fields_error()["tags"] == "describe the music (tags are required)"


def test_blank_optional_fields_are_left_out() -> None:
    request = GenerationRequest.from_fields(
        {"tags": "x", "lyrics": " ", "duration": "", "bpm": None, "key": " ", "seed": ""}
    )
    assert request.to_json() == {"tags": "x"}


def test_list_query_rules() -> None:
    assert ListQuery.build(limit=100, offset=0, status="failed").to_params() == {
        "limit": "100", "offset": "0", "status": "failed",
    }  # fmt: skip
    with pytest.raises(RequestInvalid) as caught:
        ListQuery.build(limit=101, offset=-1, status="done")
    assert set(caught.value.field_errors) == {"limit", "offset", "status"}
    with pytest.raises(RequestInvalid):
        ListQuery.build(limit=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-15 10:30:00", datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc)),
        ("2025-01-15T10:30:08.123456Z", datetime(2025, 1, 15, 10, 30, 8, 123456, timezone.utc)),
        ("2025-01-15T10:30:08.1Z", datetime(2025, 1, 15, 10, 30, 8, 100000, timezone.utc)),
        ("2025-01-15T10:30:08.123456789Z", datetime(2025, 1, 15, 10, 30, 8, 123456, timezone.utc)),
        ("2025-01-15T12:30:00+02:00", datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc)),
        ("2025-01-15T10:30:00Z", datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_timestamps_in_every_form_the_api_uses(text: str, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_in_progress_generation_with_nulls_and_unknown_fields() -> None:
    generation = Generation.model_validate(
        {
            "id": "4f1c2b1e-0000-4000-8000-000000000000", "type": "music", "webhook": None,
            "title": None, "prompt": "lofi", "status": "processing", "audioUrl": None,
            "duration": 120, "isPublic": False, "playCount": 0, "likeCount": 0,
            "parameters": {"bpm": 85, "timesignature": "4", "keyscale": "Db minor", "x": 1},
            "createdAt": "2025-01-15 10:30:00", "completedAt": None, "fileSize": None,
            "generationTime": None,
        }
    )  # fmt: skip
    assert generation.in_progress
    assert not generation.is_final
    assert generation.parameters.key_and_scale == ("C#", "minor")
    assert generation.display_title == "lofi"


def test_unknown_status_and_odd_values_are_never_fatal() -> None:
    generation = Generation.model_validate(
        {"id": 12345, "status": "queued_for_gpu", "duration": "n/a", "isPublic": "yes",
         "parameters": None, "createdAt": "garbage", "playCount": "7"}
    )  # fmt: skip
    assert generation.id == "12345"
    assert generation.status == "queued_for_gpu"
    assert not generation.in_progress
    assert not generation.is_final
    assert generation.duration is None
    assert generation.is_public is None
    assert generation.created_at is None
    assert generation.play_count == 7


def test_a_page_skips_unreadable_items_and_tolerates_nulls() -> None:
    page = GenerationPage.model_validate(
        {"generations": [{"id": "a", "status": "completed"}, {"title": "no id"}, "junk"],
         "hasMore": None, "nextOffset": None, "total": 3}
    )  # fmt: skip
    assert [g.id for g in page.generations] == ["a"]
    assert page.has_more is False
    assert page.next_offset is None


def test_account_and_created_shapes() -> None:
    account = Account.model_validate(
        {"id": "usr_abc123", "email": "you@example.com", "name": "You", "tier": "pro",
         "limits": {"monthlyGenerations": 2000, "generationsUsed": 47, "monthlyRemaining": 1953,
                    "packCredits": 0, "totalRemaining": 1953, "queueDepth": 5}}
    )  # fmt: skip
    assert account.limits.queue_depth == 5
    assert account.limits.total_remaining == 1953
    created = CreatedGeneration.model_validate(
        {"id": "gen_xyz789", "status": "processing", "prompt": "lofi",
         "parameters": {"bpm": 85, "duration": 120, "timesignature": "4", "language": "en",
                        "keyscale": "C minor", "seed": 1234567},
         "creditsRemaining": 1952, "createdAt": "2025-01-15T10:30:00Z"}
    )  # fmt: skip
    assert created.credits_remaining == 1952
    assert created.as_generation().parameters.seed == 1234567
    assert CreatedGeneration.from_generation(created.as_generation()).parameters.bpm == 85


@pytest.mark.parametrize(
    "value",
    [
        1e300, -1e300, float("nan"), float("inf"), float("-inf"), 10**400, -(2**70), 2**63,
        3e14, "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00", "2025-13-45 99:00:00",
        "+10000-01-01T00:00:00Z", "\x00", [2025], {"at": 1},
    ],
    ids=lambda value: repr(value)[:24],
)  # fmt: skip
def test_a_timestamp_no_date_can_hold_becomes_none(value: Any) -> None:
    assert parse_timestamp(value) is None
    generation = Generation.model_validate(
        {"id": "a", "status": "completed", "createdAt": value, "completedAt": value}
    )
    assert generation.created_at is None and generation.completed_at is None


def test_numeric_timestamps_in_seconds_or_milliseconds_still_parse() -> None:
    moment = datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc)
    assert parse_timestamp(1736937000) == moment
    assert parse_timestamp(1736937000000) == moment
    assert parse_timestamp(1736937000.5) == moment.replace(microsecond=500000)


def test_one_item_with_a_huge_timestamp_does_not_hide_the_rest_of_the_page() -> None:
    page = GenerationPage.model_validate_json(
        '{"generations": ['
        '{"id": "good-1", "status": "completed", "createdAt": "2025-01-15 10:30:00"},'
        '{"id": "bad", "status": "completed", "createdAt": 1e300, "completedAt": 1e300},'
        '{"id": "good-2", "status": "failed", "createdAt": "2025-01-15 10:29:00"}],'
        '"hasMore": false, "nextOffset": null}'
    )
    assert [g.id for g in page.generations] == ["good-1", "bad", "good-2"]
    assert page.generations[1].created_at is None
    assert page.generations[0].created_at == datetime(2025, 1, 15, 10, 30, tzinfo=timezone.utc)


def test_a_number_past_any_float_is_no_number_not_an_error() -> None:
    generation = Generation.model_validate(
        {"id": "a", "duration": 10**400, "playCount": 10**400, "generationTime": -(10**400)}
    )
    assert generation.duration is None and generation.play_count is None
    assert generation.generation_time is None
