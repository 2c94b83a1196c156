"""Messages that cross panes (each pane's own messages are nested in its class)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    # Annotation only: the models bring pydantic, which the first frame does without.
    from fttui.api.models import Generation


class GenerationUpdated(Message):
    """The watcher saw `generation` change (new status, audio ready, failed)."""

    def __init__(self, generation: Generation) -> None:
        super().__init__()
        self.generation = generation


class GenerationGone(Message):
    """The server no longer has `generation_id` (NOT_FOUND): drop it from every view."""

    def __init__(self, generation_id: str, reason: str = "") -> None:
        super().__init__()
        self.generation_id = generation_id
        self.reason = reason


class PlayRequested(Message):
    """The user asked to hear `generation` (from a list other than the main one)."""

    def __init__(self, generation: Generation) -> None:
        super().__init__()
        self.generation = generation
