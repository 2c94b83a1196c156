"""The selected generation on a screen of its own, for terminals too narrow for a side pane."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

from fttui.tui.widgets.generation_detail import BACK_HINT, GenerationDetail

if TYPE_CHECKING:
    # Annotation only (pydantic is loaded after the first frame).
    from fttui.api.models import Generation


class DetailScreen(ModalScreen[None]):
    """Every field of one generation; escape goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("q", "dismiss(None)", "Back", show=False),
        # The detail cuts the audio link to one line: this copies it whole.
        Binding("c", "app.copy_link", "Copy link", show=False),
    ]

    def __init__(self, generation: Generation) -> None:
        super().__init__()
        self._generation = generation

    def compose(self) -> ComposeResult:
        detail = GenerationDetail(id="detail-full")
        detail.border_title = f"Generation{BACK_HINT}"  # the screen has no footer
        yield detail

    def on_mount(self) -> None:
        self.query_one(GenerationDetail).show(self._generation)

    def show(self, generation: Generation) -> None:
        """Refresh with a newer copy (the watcher or a fetch brought one)."""
        if generation.id == self._generation.id:
            self._generation = generation
            self.query_one(GenerationDetail).show(generation)
