"""Asks for a preset's name before the form is kept as one."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PresetNameScreen(ModalScreen[str | None]):
    """Dismissed with the name typed (enter), or None (esc)."""

    DEFAULT_CSS = """
    PresetNameScreen { align: center middle; }
    PresetNameScreen > Vertical {
        width: 60%;
        max-width: 70;
        height: auto;
        padding: 1 2;
        border: round $accent;
        background: $surface;
    }
    PresetNameScreen #preset-error { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save the form as a preset named:")
            yield Input(placeholder="e.g. Rainy lofi", id="preset-name")
            yield Static("", id="preset-error")
            yield Static("enter: save · esc: cancel", classes="dim")

    @on(Input.Submitted, "#preset-name")
    def _named(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#preset-error", Static).update("A preset needs a name.")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
