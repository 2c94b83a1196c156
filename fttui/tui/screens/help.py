"""`?`: every binding of the screen underneath, grouped by where it works."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from fttui.tui.commands import describe_bindings


class HelpScreen(ModalScreen[None]):
    """A table of keys and what they do, taken from the live bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("question_mark", "dismiss(None)", "Close", show=False),
        Binding("q", "dismiss(None)", "Close", show=False),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
        table.add_column("Key", no_wrap=True)
        table.add_column("Action")
        table.add_column("Where", style="dim")
        for keys, description, where in describe_bindings(self.app, self._under):
            table.add_row(Text(keys, style="bold"), Text(description), Text(where))
        with VerticalScroll(id="help-dialog"):
            yield Static(Text("Keys  (esc to close)", style="bold"))
            yield Static(table)
