"""The models' side of API v1.2: the form's new ranges, webhooks, and the shapes the
live API answers with (numbers where v1 had text, nulls where v1 had values)."""

from __future__ import annotations

from typing import Any

import pytest

from fttui.api.bulk import BULK_MAX, AddResult, DeleteResult, chunks
from fttui.api.instrumental import InstrumentalRequest
from fttui.api.models import (
    Account,
    CreatedGeneration,
    Generation,
    GenerationRequest,
    ListQuery,
    RequestInvalid,
)
from fttui.api.playlists import Playlist


def webhook_error(url: str) -> str | None:
    try:
        GenerationRequest.from_fields({"tags": "x", "webhook": url})
    except RequestInvalid as exc:
        return exc.field_errors["webhook"]
    return None


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/fttui",
        "https://203.0.113.9.nip.io/x",
        "http://127.0.0.1:9000/hook",  # loopback: plain http as for the API itself
        "https://localhost/hook",
        "https://example.com/" + "a" * (2048 - len("https://example.com/")),
    ],
)
def test_webhooks_that_are_taken(url: str) -> None:
    assert webhook_error(url) is None
    assert GenerationRequest.from_fields({"tags": "x", "webhook": url}).to_json()["webhook"] == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.com/x", "https"),
        ("https://10.0.0.5/x", "public host"),
        ("https://192.168.1.2/x", "public host"),
        ("https://printer.local/x", "public host"),
        ("https://intranet/x", "public host"),
        ("ftp://example.com/x", "valid https URL"),
        ("not a url", "valid https URL"),
        ("https://example.com/" + "a" * 2048, "at most 2048"),
    ],
)
def test_webhooks_that_are_refused(url: str, why: str) -> None:
    error = webhook_error(url)
    assert error is not None
    assert why in error


def test_key_and_scale_stay_unset_for_the_servers_auto() -> None:
    body = GenerationRequest.from_fields({"tags": "x", "key": "", "scale": None}).to_json()
    assert body == {"tags": "x"}


def test_the_v12_ranges_of_the_form() -> None:
    GenerationRequest.from_fields({"tags": "t" * 700, "duration": 5})
    GenerationRequest.from_fields({"tags": "t", "duration": 210})
    with pytest.raises(RequestInvalid) as caught:
        GenerationRequest.from_fields({"tags": "t" * 701, "duration": 211})
    assert set(caught.value.field_errors) == {"tags", "duration"}


def test_the_list_takes_a_type_filter() -> None:
    assert ListQuery.build(type="instrumental").to_params()["type"] == "instrumental"
    assert "type" not in ListQuery.build().to_params()
    with pytest.raises(RequestInvalid):
        ListQuery.build(type="sfx")


GET_ANSWER: dict[str, Any] = {
    "id": "3f2c1e9a-0000-4000-8000-000000000001",
    "type": "instrumental",
    "status": "completed",
    "duration": 90.3,
    "fileSize": None,
    "errorMessage": None,
    "generationTime": None,
    "webhook": None,
    "parameters": {"bpm": 92, "duration": 90, "timesignature": 4, "keyscale": "C minor"},
}


def test_a_completed_generation_with_null_size_fractional_duration_and_a_number_beat() -> None:
    generation = Generation.model_validate(GET_ANSWER)
    assert generation.type == "instrumental"
    assert generation.is_final
    assert generation.file_size is None
    assert generation.duration == 90.3
    assert generation.length_seconds == 90.3
    assert generation.parameters.timesignature == "4"
    assert generation.webhook is None


@pytest.mark.parametrize("beats", [4, 4.0, "4"])
def test_a_time_signature_as_number_or_text(beats: Any) -> None:
    parsed = Generation.model_validate({"id": "g", "parameters": {"timesignature": beats}})
    assert parsed.parameters.timesignature == "4"


def test_a_created_instrumental_keeps_its_type_and_webhook() -> None:
    created = CreatedGeneration.model_validate(
        {"id": "g", "status": "pending", "type": "instrumental", "webhook": "https://h.example/x"}
    )
    assert created.type == "instrumental"
    assert created.as_generation().type == "instrumental"
    assert created.as_generation().webhook == "https://h.example/x"
    assert CreatedGeneration.model_validate({"id": "g"}).as_generation().type == "music"


def test_queue_depth_is_a_count_not_a_capacity() -> None:
    account = Account.model_validate({"id": "u", "limits": {"queueDepth": 7}})
    assert account.limits.queue_depth == 7  # 7 in the queue now; no maximum is implied


def test_bulk_ids_are_split_at_100_without_repeats() -> None:
    ids = [f"id{n}" for n in range(250)] + ["id0"]
    parts = chunks(ids)
    assert [len(p) for p in parts] == [BULK_MAX, BULK_MAX, 50]
    assert [i for p in parts for i in p] == ids[:250]
    with pytest.raises(RequestInvalid):
        chunks([])


def test_bulk_results_merge_and_read_both_id_names() -> None:
    first = AddResult.model_validate(
        {"added": ["a"], "errors": [{"trackId": "b", "error": "Track not found"}]}
    )
    second = AddResult.model_validate({"added": ["c"]})
    merged = AddResult.merge([first, second])
    assert merged.added == ["a", "c"]
    assert merged.failed == {"b": "Track not found"}
    odd_errors = [{"id": "x", "error": "no"}, 7]
    deleted = DeleteResult.model_validate({"deleted": [], "errors": odd_errors})
    assert deleted.failed == {"x": "no"}


def test_a_playlist_skips_an_unreadable_track() -> None:
    playlist = Playlist.model_validate(
        {"id": "p", "name": "P", "isOwner": True, "tracks": [{"id": "t"}, {"title": "no id"}]}
    )
    assert [t.id for t in playlist.tracks] == ["t"]


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"duration": 29}, "duration"),
        ({"duration": 211}, "duration"),
        ({"enhance": "no"}, "enhance"),
        ({"seed": 1.5}, "seed"),
        ({"webhook": "http://example.com/x"}, "webhook"),
        ({"tags": "words"}, "tags"),
    ],
)
def test_an_instrumentals_rules(fields: dict[str, Any], bad: str) -> None:
    with pytest.raises(RequestInvalid) as caught:
        InstrumentalRequest.from_fields({"prompt": "cello", **fields})
    assert list(caught.value.field_errors) == [bad]


def test_an_instrumental_needs_a_prompt() -> None:
    with pytest.raises(RequestInvalid) as caught:
        InstrumentalRequest.from_fields({"prompt": "  ", "duration": 60})
    assert caught.value.field_errors == {"prompt": "describe the sound (a prompt is required)"}
    request = InstrumentalRequest.from_fields({"prompt": "cello", "duration": "45", "seed": "7"})
    assert request.to_json() == {"prompt": "cello", "duration": 45, "enhance": True, "seed": 7}
