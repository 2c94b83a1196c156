"""Bulk requests (API v1.2): at most 100 ids a request, each item succeeding or failing
on its own. The client splits a longer list into requests of 100 and merges their
per-item results into one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BeforeValidator, Field, PrivateAttr, model_validator

from fttui.api.models import Id, LenientText, RequestInvalid, _Response

BULK_MAX = 100


def chunks(ids: Iterable[str], *, name: str = "ids", size: int = BULK_MAX) -> list[list[str]]:
    """`ids` without repeats, in order, in lists of at most `size`; `RequestInvalid`
    when there is none."""
    unique = list(dict.fromkeys(str(i) for i in ids))
    if not unique or any(not i.strip() for i in unique):
        raise RequestInvalid({name: "choose at least one item (and no empty id)"})
    return [unique[start : start + size] for start in range(0, len(unique), size)]


def _id_list(value: Any) -> list[str]:
    return [str(v) for v in value if v is not None] if isinstance(value, list) else []


IdList = Annotated[list[str], BeforeValidator(_id_list)]


class ItemError(_Response):
    """One item a bulk request could not do, and why."""

    id: Id
    error: LenientText = None

    @model_validator(mode="before")
    @classmethod
    def _track_id(cls, data: Any) -> Any:
        # Playlists name the item `trackId`, the bulk delete `id`.
        if isinstance(data, dict) and "id" not in data and "trackId" in data:
            return {**data, "id": data["trackId"]}
        return data


_R = TypeVar("_R", bound="BulkResult")


class BulkResult(_Response):
    """Base of the bulk answers: the ids done (named per endpoint) and `errors`."""

    DONE: ClassVar[str] = ""
    errors: list[ItemError] = Field(default_factory=list)
    # Not the server's: set by the client when a try's answer was lost and the request
    # sent again, so what the repeat calls already done may be the first try's work.
    _answer_lost: bool = PrivateAttr(default=False)

    @property
    def answer_lost(self) -> bool:
        return self._answer_lost

    @property
    def lost_answer_note(self) -> str | None:
        """What to say beside the items' reasons when an answer was lost; None else."""
        if not (self._answer_lost and self.errors):
            return None
        return (
            "The connection dropped and the request was sent again: an item it says "
            "could not be done (already there, not found) may have been done by the first try."
        )

    @model_validator(mode="before")
    @classmethod
    def _skip_unreadable_errors(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        errors = data.get("errors")
        kept = [
            e
            for e in (errors if isinstance(errors, list) else [])
            if isinstance(e, ItemError) or (isinstance(e, dict) and ("id" in e or "trackId" in e))
        ]
        return {**data, "errors": kept}

    @property
    def succeeded(self) -> list[str]:
        """The ids the server did."""
        done: list[str] = getattr(self, self.DONE)
        return done

    @property
    def failed(self) -> dict[str, str]:
        """id -> why, for each item not done."""
        return {e.id: e.error or "failed" for e in self.errors}

    @classmethod
    def merge(
        cls: type[_R],
        parts: Sequence[BulkResult],
        errors: Sequence[ItemError] = (),
        *,
        answer_lost: bool = False,
    ) -> _R:
        """One result of several requests' results (and items refused whole);
        `answer_lost` when a try's answer was lost and the request sent again."""
        done = [i for part in parts for i in part.succeeded]
        every_error = [e for part in parts for e in part.errors] + list(errors)
        merged = cls.model_validate({cls.DONE: done, "errors": every_error})
        merged._answer_lost = answer_lost  # set once, as it is made
        return merged


class DeleteResult(BulkResult):
    """POST /v1/generations/bulk-delete."""

    DONE: ClassVar[str] = "deleted"
    deleted: IdList = Field(default_factory=list)


class AddResult(BulkResult):
    """POST /v1/playlists/{id}/tracks."""

    DONE: ClassVar[str] = "added"
    added: IdList = Field(default_factory=list)


class RemoveResult(BulkResult):
    """POST /v1/playlists/{id}/tracks/bulk-remove."""

    DONE: ClassVar[str] = "removed"
    removed: IdList = Field(default_factory=list)


class MoveResult(BulkResult):
    """POST /v1/playlists/{id}/tracks/move."""

    DONE: ClassVar[str] = "moved"
    moved: IdList = Field(default_factory=list)
