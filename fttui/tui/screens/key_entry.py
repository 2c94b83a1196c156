"""Asks for the API key: masked, checked locally, then against the server.

The screen does not know how the key is checked: the app hands it a `check` coroutine
(which calls `/v1/me`), and saves the key once the screen returns it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from fttui.api.key import ApiKey, KeyFormatError
from fttui.tui.text import literal

KeyCheck = Callable[[ApiKey], Awaitable[str | None]]
"""Returns None when the server accepts the key, else the reason it does not."""


class KeyEntryScreen(ModalScreen[ApiKey | None]):
    """A masked input for `ft_live_…`; returns the accepted key, or None to go on without."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Not now")]

    def __init__(self, check: KeyCheck, *, reason: str = "") -> None:
        super().__init__()
        self._check = check
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="key-dialog"):
            yield Label("API key", id="key-title")
            if self._reason:
                yield Static(literal(self._reason, "bold yellow"), id="key-reason")
            yield Static(
                "Paste your key (ft_live_ and 32 more characters), created under "
                "Profile → API on finetuning.ai. It is saved to your config file, "
                "readable by you only.",
                id="key-help",
            )
            yield Input(placeholder="ft_live_…", password=True, id="key-input")
            yield Static("", id="key-error")
            yield Button("Check and save", id="key-save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#key-input", Input).focus()

    @on(Input.Submitted, "#key-input")
    @on(Button.Pressed, "#key-save")
    def _submit(self) -> None:
        try:
            key = ApiKey(self.query_one("#key-input", Input).value)
        except KeyFormatError as exc:
            self._say(str(exc))
            return
        self._say("Checking the key with the server…", style="dim")
        self.query_one("#key-save", Button).disabled = True
        self._verify(key)

    @work(exclusive=True, group="key-check")
    async def _verify(self, key: ApiKey) -> None:
        try:
            problem = await self._check(key)
        finally:
            self.query_one("#key-save", Button).disabled = False
        if problem is None:
            self.dismiss(key)
        else:
            self._say(problem)

    def _say(self, message: str, style: str = "bold red") -> None:
        self.query_one("#key-error", Static).update(literal(message, style) if message else Text())

    def action_cancel(self) -> None:
        """Go on without a key (cached generations stay browsable)."""
        self.dismiss(None)
