"""The footer is rebuilt only when the keys it shows change, and then shows the new ones."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from fttui.tui.widgets.footer import SteadyFooter

from .helpers import wait_for


class CountingFooter(SteadyFooter):
    def __init__(self) -> None:
        super().__init__()
        self.builds = 0

    def compose(self) -> Any:
        self.builds += 1
        return super().compose()


class Keyed(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "noop", "Only here")]

    def action_noop(self) -> None:
        pass


class TwoFieldsAndAList(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f2", "noop", "Everywhere")]

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield Keyed("keyed", id="keyed")
        yield CountingFooter()

    def action_noop(self) -> None:
        pass


def _labels(app: App[None]) -> str:
    return " ".join(str(key.description) for key in app.query("FooterKey").results())


async def test_the_footer_is_rebuilt_only_when_its_keys_change() -> None:
    app = TwoFieldsAndAList()
    async with app.run_test(size=(100, 10)) as pilot:
        footer = app.query_one(CountingFooter)
        await wait_for(pilot, lambda: "Everywhere" in _labels(app), "the keys")
        await pilot.pause()
        built = footer.builds
        # Between two fields with the same keys: Textual asks twice for each move.
        for target in ("#two", "#one", "#two"):
            app.query_one(target).focus()
            await pilot.pause()
            await pilot.pause()
        assert footer.builds == built
        # To a widget with a key of its own: rebuilt once, and the key is shown.
        app.query_one("#keyed").focus()
        await wait_for(pilot, lambda: "Only here" in _labels(app), "the widget's key")
        await pilot.pause()
        assert footer.builds == built + 1
        app.query_one("#one").focus()
        await wait_for(pilot, lambda: "Only here" not in _labels(app), "the key gone")
        assert "Everywhere" in _labels(app)


def test_every_screen_uses_the_steady_footer() -> None:
    from pathlib import Path

    import fttui.tui

    root = Path(fttui.tui.__file__).parent
    plain = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "footer.py" and "Footer()" in path.read_text().replace("SteadyFooter()", "")
    ]
    assert plain == []
