"""The parameter form: every field of POST /v1/generations, validated as you type.

Validation is `GenerationRequest.from_fields`, the same rules the client enforces, so
the form can never accept what the API would refuse for a reason we know of. The form
never sends anything: it posts `SubmitRequested` with a valid request and waits to be
told how it went.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from fttui.api.models import (
    BPM_RANGE,
    DURATION_RANGE,
    KEYS,
    LANGUAGE_NAMES,
    LANGUAGES,
    LYRICS_MAX,
    SCALES,
    SEED_MAX,
    TAGS_MAX,
    TIME_SIGNATURES,
    GenerationRequest,
    RequestInvalid,
)
from fttui.tui.text import literal

REPEAT_GUARD = 1.0
"""Seconds after an answer during which submit is refused (key repeat, double taps)."""
FIELDS = ("tags", "lyrics", "duration", "bpm", "language", "key", "scale", "timesignature", "seed")
_SELECTS: dict[str, list[tuple[str, str]]] = {
    "language": [(f"{LANGUAGE_NAMES[c]} ({c})", c) for c in LANGUAGES],
    "key": [(k, k) for k in KEYS],
    "scale": [(s, s) for s in SCALES],
    "timesignature": [(f"{beats}/4", beats) for beats in TIME_SIGNATURES],
}
_PROMPTS = {"language": "language", "key": "key", "scale": "scale", "timesignature": "4/4"}


class SeedLock(Checkbox):
    """A checkbox whose off state is blank: Textual's "X" in both states reads as ticked."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()


class GenerationForm(VerticalScroll, can_focus=False):
    """Tags, lyrics, duration, bpm, language, key, scale, time signature and seed.

    The container itself never takes the focus (only its fields do): focused, it would
    pass every typed letter on to the screen's one-key shortcuts.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        ("ctrl+g", "random_seed", "Random seed"),
        ("ctrl+l", "lock_seed", "Lock seed"),
    ]

    busy: reactive[bool] = reactive(False)
    """A submission is in flight: submitting again is refused."""
    blocked: reactive[str] = reactive("")
    """Why submitting is impossible right now (e.g. no credits left); empty when it is."""

    class Changed(Message):
        """The user edited a field; `fields` is the whole draft."""

        def __init__(self, fields: dict[str, Any]) -> None:
            super().__init__()
            self.fields = fields

    class SubmitRequested(Message):
        """The user asked to generate, and the form is valid."""

        def __init__(self, request: GenerationRequest) -> None:
            super().__init__()
            self.request = request

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._attempted = False  # "tags are required" waits for a first submit or edit
        self._loading = False
        self._server_errors: dict[str, str] = {}
        self._general_error = ""  # a server message about no field in particular
        self._answered_at = float("-inf")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-head"):
            yield Label("Tags", classes="field-label")
            yield Static("", id="tags-count", classes="counter")
        yield Input(placeholder="genre, mood, instruments…", id="tags", compact=True)
        yield Static("", id="tags-error", classes="field-error")
        with Horizontal(classes="field-head"):
            yield Label("Lyrics", classes="field-label")
            yield Static("", id="lyrics-count", classes="counter")
        yield TextArea(id="lyrics", compact=True, soft_wrap=True, placeholder="optional")
        yield Static("", id="lyrics-error", classes="field-error")
        with Horizontal(classes="field-row"):
            yield Label("Duration", classes="field-label")
            yield Input(placeholder="60", id="duration", type="integer", compact=True)
            yield Label(f"s  {DURATION_RANGE[0]}–{DURATION_RANGE[1]}", classes="hint")
        yield Static("", id="duration-error", classes="field-error")
        with Horizontal(classes="field-row"):
            yield Label("BPM", classes="field-label")
            yield Input(placeholder="120", id="bpm", type="integer", compact=True)
            yield Label(f"{BPM_RANGE[0]}–{BPM_RANGE[1]}", classes="hint")
        yield Static("", id="bpm-error", classes="field-error")
        for name, options in _SELECTS.items():
            with Horizontal(classes="field-row"):
                yield Label(
                    name.replace("timesignature", "Time sig").capitalize(), classes="field-label"
                )
                yield Select(options, prompt=_PROMPTS[name], id=name, compact=True)
            yield Static("", id=f"{name}-error", classes="field-error")
        with Horizontal(classes="field-row"):
            yield Label("Seed", classes="field-label")
            yield Input(placeholder="random", id="seed", type="integer", compact=True)
        with Horizontal(classes="field-row"):
            yield Label("", classes="field-label")
            yield Button("Random", id="seed-random", compact=True)
            yield SeedLock("Lock", id="seed-lock", compact=True)
        yield Static("", id="seed-error", classes="field-error")
        yield Static("", id="form-error", classes="field-error")
        yield Button("Generate  ctrl+s", id="submit", variant="primary", compact=True)

    def on_mount(self) -> None:
        self._update_counters()

    # --- reading and writing the fields ---------------------------------------------

    def fields(self) -> dict[str, Any]:
        """The draft as typed: strings, or None for an empty select."""
        values: dict[str, Any] = {
            "tags": self.query_one("#tags", Input).value,
            "lyrics": self.query_one("#lyrics", TextArea).text,
            "duration": self.query_one("#duration", Input).value,
            "bpm": self.query_one("#bpm", Input).value,
            "seed": self.query_one("#seed", Input).value,
            "seed_locked": self.query_one("#seed-lock", Checkbox).value,
        }
        for name in _SELECTS:
            value = self.query_one(f"#{name}", Select).value
            values[name] = value if isinstance(value, str) else None
        return values

    def load(self, fields: Mapping[str, Any]) -> None:
        """Fill the form from a draft or a past generation's parameters."""
        self._loading = True
        try:
            for name in ("tags", "duration", "bpm", "seed"):
                value = fields.get(name)
                self.query_one(f"#{name}", Input).value = "" if value is None else str(value)
            lyrics = fields.get("lyrics")
            self.query_one("#lyrics", TextArea).load_text("" if lyrics is None else str(lyrics))
            for name, options in _SELECTS.items():
                select: Select[str] = self.query_one(f"#{name}", Select)
                value = fields.get(name)
                if value in {v for _, v in options}:
                    select.value = str(value)
                else:
                    select.clear()
            if "seed_locked" in fields:
                self.query_one("#seed-lock", Checkbox).value = bool(fields["seed_locked"])
        finally:
            self._loading = False
        self._server_errors.clear()
        self._edited()

    def focus_first_field(self) -> None:
        """Put the keyboard on the tags."""
        self.query_one("#tags").focus()

    def after_submitted(self) -> None:
        """A submission was accepted: an unlocked seed goes back to random."""
        self._attempted = False
        if not self.query_one("#seed-lock", Checkbox).value:
            self.query_one("#seed", Input).value = ""

    # --- validation -------------------------------------------------------------------

    def check(self) -> tuple[GenerationRequest | None, dict[str, str]]:
        """The request the form describes, or the reason for each bad field."""
        values = {name: value for name, value in self.fields().items() if name in FIELDS}
        try:
            return GenerationRequest.from_fields(values), {}
        except RequestInvalid as exc:
            return None, exc.field_errors

    def show_server_errors(self, errors: Mapping[str, str], general: str = "") -> None:
        """Put the server's validation messages next to the fields they are about."""
        self._server_errors = {}
        unplaced: list[str] = []
        for name, message in errors.items():
            field = name.lower().replace("_", "").replace("time_signature", "timesignature")
            if field in FIELDS:
                self._server_errors[field] = message
            else:
                unplaced.append(f"{name}: {message}")
        self._general_error = "; ".join(filter(None, [general, *unplaced]))
        self._show_errors(self.check()[1])
        self._focus_first_error()

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        merged = {**errors, **self._server_errors}
        for name in FIELDS:
            message = merged.get(name, "")
            if name == "tags" and not self._attempted and not self.fields()["tags"]:
                message = ""  # an empty new form is not an error yet
            self._set_error(f"#{name}-error", message)
        self._set_error("#form-error", self.blocked or self._general_error)

    def _set_error(self, selector: str, message: str) -> None:
        widget = self.query_one(selector, Static)
        widget.update(literal(message))
        widget.set_class(bool(message), "-shown")

    def _focus_first_error(self) -> None:
        for name in FIELDS:
            if self.query_one(f"#{name}-error", Static).has_class("-shown"):
                self.query_one(f"#{name}").focus()
                return

    def _update_counters(self) -> None:
        values = self.fields()
        for name, limit in (("tags", TAGS_MAX), ("lyrics", LYRICS_MAX)):
            length = len(values[name].strip() if name == "tags" else values[name])
            counter = self.query_one(f"#{name}-count", Static)
            counter.update(f"{length}/{limit}")
            counter.set_class(length > limit, "-over")

    def _edited(self) -> None:
        self._update_counters()
        self._show_errors(self.check()[1])

    # --- events ---------------------------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self, event: Message) -> None:
        event.stop()
        if self._loading:
            return
        control = getattr(event, "control", None)
        if control is not None and control.id in self._server_errors:
            del self._server_errors[control.id]  # the user is fixing what the server refused
        if control is not None and control.id == "tags":
            self._attempted = True
        self._edited()
        self.post_message(self.Changed(self.fields()))

    @on(Input.Submitted)
    def _enter_pressed(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#seed-random")
    def _random_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_random_seed()

    def action_random_seed(self) -> None:
        """Roll a new seed into the seed field."""
        self.query_one("#seed", Input).value = str(random.randint(0, min(SEED_MAX, 2**32 - 1)))

    def action_lock_seed(self) -> None:
        """Keep (or stop keeping) the seed after each submit."""
        checkbox = self.query_one("#seed-lock", Checkbox)
        checkbox.value = not checkbox.value

    def action_submit(self) -> bool:
        """Validate and ask for a generation; say why not when it cannot be sent."""
        if self.busy:
            self.notify("Already sending a generation; wait for its answer.", severity="warning")
            return False
        if time.monotonic() - self._answered_at < REPEAT_GUARD:
            # A held key repeats: the answer to the last submit may arrive between two
            # repeats, and the next one would pay for a second generation.
            self.notify("Submitted just now; press again to make another.", severity="warning")
            return False
        if self.blocked:
            self._show_errors(self.check()[1])
            self.notify(self.blocked, title="Cannot submit", severity="warning")
            return False
        self._attempted = True
        request, errors = self.check()
        self._server_errors.clear()
        self._general_error = ""
        self._show_errors(errors)
        if request is None:
            self._focus_first_error()
            reasons = "; ".join(f"{name}: {text}" for name, text in errors.items())
            self.notify(literal(reasons).plain, title="Not sent", severity="error")
            return False
        self.busy = True  # set before posting: a repeated key press is refused above
        self.post_message(self.SubmitRequested(request))
        return True

    def watch_busy(self, was_busy: bool, busy: bool) -> None:
        if was_busy and not busy:
            self._answered_at = time.monotonic()
        button = self.query_one("#submit", Button)
        button.disabled = busy or bool(self.blocked)
        button.label = "Sending…" if busy else "Generate  ctrl+s"

    def watch_blocked(self, reason: str) -> None:
        self.query_one("#submit", Button).disabled = self.busy or bool(reason)
        self._set_error("#form-error", reason or self._general_error)
