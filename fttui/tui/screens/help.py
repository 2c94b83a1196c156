"""`?`: every key of the screen underneath, grouped by where it works."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from fttui.tui.commands import describe_bindings


def key_table(rows: list[tuple[str, str, str]]) -> Table:
    """Key, action and where, one row each."""
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold", expand=True)
    table.add_column("Key", no_wrap=True)
    table.add_column("Action", ratio=1)
    table.add_column("Where", style="dim", no_wrap=True)
    for keys, description, where in rows:
        table.add_row(Text(keys, style="bold"), Text(description), Text(where))
    return table


class HelpScreen(ModalScreen[None]):
    """Tables of keys and what they do, taken from the live bindings."""

    # Two tables side by side when there is room, one under the other when not.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 - as Textual's
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("question_mark", "dismiss(None)", "Close", show=False),
        Binding("q", "dismiss(None)", "Close", show=False),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        rows = describe_bindings(self.app, self._under)
        # Split between two places, so that the halves are about as long.
        left = [row for row in rows if row[2] in ("anywhere", "form")]
        right = [row for row in rows if row[2] not in ("anywhere", "form")]
        # The list has the most keys: when they outrun the rest, their first rows end
        # the left half (each row names its place), so the dialog stays short.
        while len(right) > len(left) + 1:
            left.append(right.pop(0))
        with VerticalScroll(id="help-dialog"):
            yield Static(Text("Keys  (esc to close)", style="bold"))
            with Container(id="help-columns"):
                yield Static(key_table(left), classes="help-part")
                yield Static(key_table(right), classes="help-part")
