"""The parameter form on its own: live validation, counters, refusals, seed controls."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button, Input, Select, Static, TextArea

from fttui.api.models import GenerationRequest
from fttui.tui.widgets.generation_form import GenerationForm


class FormApp(App[None]):
    """Just the form, recording what it asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[GenerationRequest] = []

    def compose(self) -> ComposeResult:
        yield GenerationForm(id="form")

    async def on_mount(self) -> None:
        # In fttui the app completes the form once its first frame is drawn; here, at once.
        await self.query_one(GenerationForm).complete()

    def on_generation_form_submit_requested(self, event: GenerationForm.SubmitRequested) -> None:
        self.requests.append(event.request)


def _error(app: App[None], name: str) -> str:
    widget = app.query_one(f"#{name}-error", Static)
    return str(widget.render()) if widget.has_class("-shown") else ""


async def test_empty_submit_is_refused_with_the_reason_at_tags() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        assert _error(app, "tags") == ""  # a fresh form is not scolded
        app.query_one(GenerationForm).action_submit()
        await pilot.pause()
        assert "tags are required" in _error(app, "tags")
        assert app.focused is app.query_one("#tags")
        assert app.requests == []


async def test_live_validation_mirrors_the_contract() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        app.query_one("#duration", Input).value = "4"  # v1.2: 5-210 s
        app.query_one("#bpm", Input).value = "250"
        await pilot.pause()
        assert _error(app, "duration").startswith("duration must be 5–210 seconds")
        assert _error(app, "bpm").startswith("bpm must be 60–200")
        app.query_one("#duration", Input).value = "210"
        await pilot.pause()
        assert _error(app, "duration") == ""


async def test_counters_count_tags_and_lyrics() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.click("#tags")
        await pilot.press(*"lofi")
        app.query_one("#lyrics", TextArea).load_text("x" * 2001)
        await pilot.pause()
        assert str(app.query_one("#tags-count", Static).render()) == "4/700"
        assert str(app.query_one("#lyrics-count", Static).render()) == "2001/2000"
        assert app.query_one("#lyrics-count").has_class("-over")
        assert "at most 2000 characters" in _error(app, "lyrics")


async def test_valid_form_posts_one_request_and_refuses_a_repeat() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"tags": "ambient piano", "duration": 30, "key": "F#", "scale": "minor"})
        await pilot.pause()
        assert form.action_submit()
        assert not form.action_submit()  # key repeat while the first is in flight
        await pilot.pause()
        assert len(app.requests) == 1
        request = app.requests[0]
        assert (request.tags, request.duration, request.key, request.scale) == (
            "ambient piano", 30, "F#", "minor",
        )  # fmt: skip
        assert app.query_one("#submit", Button).disabled


async def test_blocked_form_says_why() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"tags": "ambient"})
        form.blocked = "No generations left this month."
        await pilot.pause()
        assert not form.action_submit()
        assert _error(app, "form") == "No generations left this month."
        assert app.requests == []


async def test_server_errors_land_next_to_their_fields() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"tags": "ambient"})
        form.show_server_errors({"bpm": "bpm out of range [server]", "mood": "unknown"}, "bad")
        await pilot.pause()
        assert _error(app, "bpm") == "bpm out of range [server]"
        assert _error(app, "form") == "bad; mood: unknown"


async def test_seed_random_and_lock() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"tags": "x"})
        form.action_random_seed()
        await pilot.pause()
        seed = app.query_one("#seed", Input).value
        assert seed.isdigit()
        form.action_lock_seed()
        form.after_submitted()
        assert app.query_one("#seed", Input).value == seed  # locked: kept
        form.action_lock_seed()
        form.after_submitted()
        assert app.query_one("#seed", Input).value == ""  # unlocked: random again


async def test_selects_round_trip_through_load_and_fields() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"tags": "x", "language": "ja", "timesignature": "3", "key": "nonsense"})
        await pilot.pause()
        fields = form.fields()
        assert fields["language"] == "ja"
        assert fields["timesignature"] == "3"
        assert fields["key"] is None
        assert app.query_one("#scale", Select).is_blank()
