"""The footer, rebuilt only when what it shows changes.

Textual's `Footer` rebuilds all its keys on every bindings signal of its screen: the focus
moving, the screen resuming, a reactive declared with `bindings=True`. Setting the focus
alone sends two. At start-up that is three rebuilds before the first frame (each one
removes and styles every key anew), and later one or two each time the focus moves
between fields whose keys are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[object, ...], ...]


class SteadyFooter(Footer):
    """A `Footer` that rebuilds at most once a refresh, and only when a key it shows
    (or its label, whether it is enabled, its tooltip) is not what it shows already."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown | None = None
        self._rebuild_asked = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        # As Textual's, except that the rebuilds asked for before the next refresh are one.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._rebuild_asked:
            self._rebuild_asked = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._rebuild_asked = False
        if self.is_attached and self._what_it_would_show() != self._shown:
            await self.recompose()

    def compose(self) -> ComposeResult:
        self._shown = self._what_it_would_show()
        yield from super().compose()

    def _what_it_would_show(self) -> Shown | None:
        if not self._bindings_ready:
            return None  # Textual's footer shows nothing yet either
        active = self.screen.active_bindings.items()
        return tuple(
            (key, b.action, b.description, enabled, tooltip, b.show, b.group)
            for key, (_node, b, enabled, tooltip) in active
        )
