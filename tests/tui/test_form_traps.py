"""Traps in the form for a newcomer: placeholders, select choices, error colours, focus."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.color import Color
from textual.command import CommandPalette
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, OptionList, Select, TextArea

from fttui.api.models import GenerationRequest
from fttui.tui.widgets.generation_form import GenerationForm

from .helpers import make_app, started, wait_for


class FormApp(App[None]):
    """Just the form, recording what it asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[GenerationRequest] = []

    def compose(self) -> ComposeResult:
        yield GenerationForm(id="form")

    async def on_mount(self) -> None:
        await self.query_one(GenerationForm).complete()

    def on_generation_form_submit_requested(self, event: GenerationForm.SubmitRequested) -> None:
        self.requests.append(event.request)


async def test_time_signature_prompt_is_not_one_of_its_choices() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        select = app.query_one("#timesignature", Select)
        choices = [str(label) for label, value in select._options if value != Select.BLANK]
        prompt = select.prompt
        assert prompt not in choices
        assert "/" not in prompt  # a prompt that looks like a choice is read as the choice


async def test_placeholders_and_prompts_are_capitalised() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        texts = [field.placeholder for field in app.query(Input)]
        texts.append(app.query_one("#lyrics", TextArea).placeholder)
        texts += [select.prompt for select in app.query(Select)]
        lower = [text for text in texts if text and not text[0].isupper() and text[0].isalpha()]
        assert lower == []


async def test_key_list_shows_flats_beside_sharps() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        select = app.query_one("#key", Select)
        labels = {value: str(label) for label, value in select._options if value != Select.BLANK}
        assert labels["D#"] == "D# / Eb"
        assert labels["A#"] == "A# / Bb"
        assert labels["C"] == "C"


async def test_seed_field_has_no_error_colour_after_a_good_submit() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        seed = app.query_one("#seed", Input)
        app.query_one("#tags", Input).value = "lofi piano"
        seed.focus()
        await pilot.press("4", "2")
        assert form.action_submit()
        await pilot.pause()
        form.busy = False
        form.after_submitted()
        await pilot.pause()
        assert seed.value == ""
        assert not seed.has_class("-invalid")
        for name in ("duration", "bpm"):
            field = app.query_one(f"#{name}", Input)
            field.focus()
            await pilot.press("1", "backspace")
            await pilot.pause()
            assert not field.has_class("-invalid"), f"an empty {name} is fine: the default"


def _look(widget: Widget) -> tuple[Color, object]:
    """The field's background as drawn, and anything else that could mark the focus."""
    styles = widget.styles
    return widget.background_colors[1], (styles.border, styles.outline, styles.text_style)


def _plainly_different(before: tuple[Color, object], after: tuple[Color, object]) -> bool:
    """A changed border or text style, or a background a glance tells apart (a 5% tint
    of Textual's compact fields is not)."""
    (old, old_rest), (new, new_rest) = before, after
    distance = sum(abs(a - b) for a, b in zip(old.rgb, new.rgb, strict=True))
    return old_rest != new_rest or distance >= 60


async def test_focus_is_plainly_visible_in_every_field() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        fields: list[Widget] = [
            *app.query(Input),
            app.query_one("#lyrics", TextArea),
            *app.query(Select).results(),
            *app.query(Button),
            *app.query(Checkbox),
        ]
        unseen = []
        for field in fields:
            target = field.query_one("SelectCurrent") if isinstance(field, Select) else field
            app.screen.set_focus(None)
            await pilot.pause()
            before = _look(target)
            field.focus()
            await pilot.pause()
            if not _plainly_different(before, _look(target)):
                unseen.append(field.id or type(field).__name__)
        assert unseen == []


async def test_theme_picker_opens_on_the_current_theme(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        app.theme = "nord"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the picker")
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.highlighted is not None, "a highlighted theme")
        highlighted = options.get_option_at_index(options.highlighted or 0)
        assert "nord" in str(highlighted.prompt)
