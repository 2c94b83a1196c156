"""The parameter form on its own: live validation, counters, refusals, seed controls."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

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


class WaitingFormApp(FormApp):
    """The form, recording its "send when possible" toggles too."""

    def __init__(self) -> None:
        super().__init__()
        self.armed: list[bool] = []

    def on_generation_form_send_when_possible(self, event: GenerationForm.SendWhenPossible) -> None:
        self.armed.append(event.armed)


def _shown(form: GenerationForm, selector: str) -> bool:
    """Whether the field is on screen: neither it nor its row is hidden."""
    field = form.query_one(selector)
    return field.display and (field.parent is form or bool(getattr(field.parent, "display", 1)))


async def test_kind_selector_shows_only_the_fields_of_the_kind() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        for kind, shown, hidden in (
            ("instrumental", ["#duration", "#enhance", "#seed"], ["#lyrics", "#bpm", "#key"]),
            ("sound_effect", ["#duration", "#enhance"], ["#lyrics", "#bpm", "#seed"]),
            ("music", ["#lyrics", "#bpm", "#key", "#seed"], ["#enhance"]),
        ):
            app.query_one("#kind", Select).value = kind
            await pilot.pause()
            assert [s for s in shown if not _shown(form, s)] == [], kind
            assert [s for s in hidden if _shown(form, s)] == [], kind
            # Hidden by a class, so that an error line keeps its own shown/hidden rule.
            assert form.query_one("#lyrics-error").has_class("-other-kind") == (kind != "music")


async def test_instrumental_submit_carries_an_instrumental_request() -> None:
    from fttui.api.instrumental import InstrumentalRequest

    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"kind": "instrumental", "tags": "warm pads", "duration": "20"})
        await pilot.pause()
        assert _error(app, "duration").startswith("duration must be 30–210 seconds")
        form.load({"kind": "instrumental", "tags": "warm pads", "duration": "45", "enhance": False})
        await pilot.pause()
        assert form.action_submit()
        await pilot.pause()
        request = app.requests[0]
        assert isinstance(request, InstrumentalRequest)
        assert (request.prompt, request.duration, request.enhance) == ("warm pads", 45, False)


async def test_sound_effect_takes_half_seconds_and_a_prompt() -> None:
    from fttui.api.sound_effects import SoundEffectRequest

    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"kind": "sound_effect", "tags": "", "duration": "9"})
        await pilot.pause()
        assert not form.action_submit()
        await pilot.pause()
        assert "prompt is required" in _error(app, "tags")
        assert _error(app, "duration").startswith("duration must be 1–8 seconds")
        form.load({"kind": "sound_effect", "tags": "door slam", "duration": "2.5"})
        await pilot.pause()
        assert form.action_submit()
        await pilot.pause()
        request = app.requests[0]
        assert isinstance(request, SoundEffectRequest)
        assert (request.prompt, request.duration) == ("door slam", 2.5)


async def test_kind_round_trips_through_the_draft_fields() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        form.load({"kind": "instrumental", "tags": "x", "enhance": False})
        await pilot.pause()
        fields = form.fields()
        assert (fields["kind"], fields["enhance"]) == ("instrumental", False)
        from fttui.tui.draft import DRAFT_FIELDS

        assert {"kind", "enhance"} <= set(DRAFT_FIELDS)


async def test_key_and_scale_default_to_auto() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        for name in ("key", "scale"):
            select = app.query_one(f"#{name}", Select)
            assert select.is_blank()
            assert "Auto" in str(select.query_one("SelectCurrent Static#label").render())


async def test_countdown_by_submit_and_send_when_possible_toggle() -> None:
    app = WaitingFormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        now = [100.0]
        form.clock = lambda: now[0]
        form.load({"tags": "ambient"})
        form.wait_until(42, "Too many generations this minute.")
        await pilot.pause()
        line = str(app.query_one("#submit-wait", Static).render())
        assert line == "Too many generations this minute. Try again in 42 s."
        assert app.query_one("#submit", Button).disabled
        now[0] = 130.0
        form.tick()
        assert "in 12 s" in str(app.query_one("#submit-wait", Static).render())
        await pilot.click("#send-when-possible")
        await pilot.pause()
        assert app.armed == [True]
        await pilot.click("#send-when-possible")
        await pilot.pause()
        assert app.armed == [True, False]
        now[0] = 143.0
        form.tick()
        await pilot.pause()
        assert not app.query_one("#submit-wait").display
        assert not app.query_one("#submit", Button).disabled


async def test_armed_send_when_possible_sends_once_the_wait_ends() -> None:
    app = WaitingFormApp()
    async with app.run_test(size=(80, 40)) as pilot:
        form = app.query_one(GenerationForm)
        now = [0.0]
        form.clock = lambda: now[0]
        form.load({"tags": "ambient"})
        form.wait_until(10, "The queue is full.")
        await pilot.pause()
        assert not form.action_submit()  # still waiting
        app.query_one("#send-when-possible", Checkbox).value = True
        await pilot.pause()
        assert app.armed == [True] and app.requests == []
        now[0] = 10.0
        form.tick()
        await pilot.pause()
        assert len(app.requests) == 1
        assert not app.query_one("#send-when-possible", Checkbox).value  # once only
