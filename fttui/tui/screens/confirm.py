"""A yes/no question before something that costs or cannot be undone.

Answered only by keys that mean it (y or enter to go ahead, n or esc not to): a key
that was meant for the screen below, pressed again while the question opens (ctrl+s
held down, say), never answers it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fttui.tui.text import clean


class ConfirmScreen(ModalScreen[bool]):
    """Dismissed with True (go ahead) or False (don't)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 70%;
        max-width: 80;
        height: auto;
        padding: 1 2;
        border: round $warning;
        background: $surface;
    }
    ConfirmScreen #confirm-keys { margin-top: 1; }
    ConfirmScreen #confirm-items { height: auto; max-height: 12; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(
        self, question: str, detail: str = "", *, yes: str = "yes", items: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self._question = question
        self._detail = detail
        self._yes = yes
        self._items = list(items)  # what the answer is about, listed (scrolls when many)

    @classmethod
    def delete(cls, titles: Sequence[str]) -> ConfirmScreen:
        """The question before deleting generations for good, naming each one."""
        if len(titles) == 1:
            question = f"Delete “{titles[0]}” for good?"
            listed: Sequence[str] = ()
        else:
            question = f"Delete these {len(titles)} generations for good?"
            listed = titles
        them = "it" if len(titles) == 1 else "them"
        return cls(
            question,
            f"Deleting is permanent: it cannot be undone, and takes {them} out of every playlist.",
            yes="delete",
            items=listed,
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(clean(self._question), style="bold"), id="confirm-question")
            if self._detail:
                yield Static(Text(clean(self._detail)), id="confirm-detail")
            if self._items:
                with VerticalScroll(id="confirm-items", can_focus=False):
                    for item in self._items:
                        yield Static(Text(clean(item)), classes="confirm-item")
            yield Static(
                Text(f"y or enter: {self._yes} · n or esc: cancel", style="dim"), id="confirm-keys"
            )

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
