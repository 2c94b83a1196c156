"""Messages that cross panes (each pane's own messages are nested in its class)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    # Annotation only: the models bring pydantic, which the first frame does without.
    from fttui.api.models import Generation
    from fttui.session.events import Event


class SessionEvent(Message):
    """Something the session told (`fttui.session.events`), queued for the main screen,
    which turns it into widget updates, in the order the session told them."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class PlayRequested(Message):
    """The user asked to hear `generation` (from a list other than the main one)."""

    def __init__(self, generation: Generation) -> None:
        super().__init__()
        self.generation = generation
