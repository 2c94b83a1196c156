"""The yes/no question on its own: a delete names what goes, however many."""

from __future__ import annotations

from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Static

from fttui.tui.screens.confirm import ConfirmScreen


class ConfirmApp(App[None]):
    def __init__(self, screen: ConfirmScreen) -> None:
        super().__init__()
        self.question = screen
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.question, self.answers.append)


async def test_delete_confirmation_names_every_title_and_says_permanent() -> None:
    titles = [f"Track {n}" for n in range(40)]
    screen = ConfirmScreen.delete(titles)
    app = ConfirmApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        question = str(screen.query_one("#confirm-question", Static).render())
        assert "40" in question
        assert "permanent" in screen.query_one("#confirm-detail", Static).render().plain
        listed = screen.query_one("#confirm-items", VerticalScroll)
        names = [str(item.render()) for item in listed.query(Static)]
        assert names == titles
        assert listed.max_scroll_y > 0  # too many for the screen: they scroll
        await pilot.press("n")
        assert app.answers == [False]


async def test_delete_confirmation_of_one_says_its_title_and_yes_goes() -> None:
    screen = ConfirmScreen.delete(["Rain on tin"])
    app = ConfirmApp(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        question = str(screen.query_one("#confirm-question", Static).render())
        assert "Rain on tin" in question
        await pilot.press("y")
        assert app.answers == [True]
