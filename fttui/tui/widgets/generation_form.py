"""The parameter form: every field of POST /v1/generations, validated as you type.

Validation is `GenerationRequest.from_fields`, the same rules the client enforces, so
the form can never accept what the API would refuse for a reason we know of. The form
never sends anything: it posts `SubmitRequested` with a valid request and waits to be
told how it went.

The first frame shows only the tags (so typing can start at once); the other fields
come with `complete`, called once that frame is drawn and the models are loaded.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.validation import Integer, Number
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from fttui.session.fields import FORM_FIELDS
from fttui.tui.cursor import steady_over_ssh
from fttui.tui.text import literal

if TYPE_CHECKING:
    # Annotations only: `fttui.api.models` brings pydantic, which the first frame does
    # without. Its rules and choices are read once the rest of the form is mounted.
    from fttui.api.instrumental import InstrumentalRequest
    from fttui.api.models import GenerationRequest
    from fttui.api.sound_effects import SoundEffectRequest

    AnyRequest = GenerationRequest | InstrumentalRequest | SoundEffectRequest

FIELDS = FORM_FIELDS
SELECTS = ("language", "key", "scale", "timesignature")
# "Default" (the server's choice), never a value: a prompt reading "4/4" looked chosen, and
# Up from it wrapped round to 7/4. Key and scale are "auto" on the server when unset.
_PROMPTS = {**dict.fromkeys(SELECTS, "Default"), "key": "Auto", "scale": "Auto"}

# API v1.2: what to generate, and the fields each kind has (the tags are the prompt of
# an instrumental or a sound effect).
KINDS: tuple[tuple[str, str], ...] = (
    ("Music", "music"),
    ("Instrumental", "instrumental"),
    ("Sound effect", "sound_effect"),
)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "music": FIELDS[:-1],
    "instrumental": ("tags", "duration", "enhance", "seed"),
    "sound_effect": ("tags", "duration", "enhance"),
}


def _choices() -> dict[str, list[tuple[str, str]]]:
    """Each select's (label, value) options, from the contract's enumerations."""
    from fttui.api import models

    return {
        "language": [(f"{models.LANGUAGE_NAMES[c]} ({c})", c) for c in models.LANGUAGES],
        # Flats beside their sharps: the CLI takes either, the API only the sharp.
        "key": [(_with_flat(k, models.FLAT_TO_SHARP), k) for k in models.KEYS],
        "scale": [(s, s) for s in models.SCALES],
        "timesignature": [(f"{beats}/4", beats) for beats in models.TIME_SIGNATURES],
    }


def _with_flat(key: str, flat_to_sharp: Mapping[str, str]) -> str:
    """ "D# / Eb" for D#; "C" for C."""
    flats = [flat for flat, sharp in flat_to_sharp.items() if sharp == key]
    return " / ".join([key, *flats])


class Tick(Checkbox):
    """A checkbox whose off state is blank: Textual's "X" in both states reads as ticked."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "✓" if self.value else " "
        super().watch_value()


class SeedLock(Tick):
    """Keep the seed after each submit."""


class GenerationForm(VerticalScroll, can_focus=False):
    """Tags, lyrics, duration, bpm, language, key, scale, time signature and seed.

    The container itself never takes the focus (only its fields do): focused, it would
    pass every typed letter on to the screen's one-key shortcuts.
    """

    # The compact fields mark the focus with a 5% tint only: too faint to find the cursor.
    DEFAULT_CSS = """
    GenerationForm Input.-textual-compact:focus,
    GenerationForm TextArea.-textual-compact:focus,
    GenerationForm Select.-textual-compact:focus > SelectCurrent,
    GenerationForm Button.-textual-compact:focus,
    GenerationForm Checkbox.-textual-compact:focus {
        background-tint: $accent 30%;
    }
    GenerationForm .-other-kind, GenerationForm .field-error.-shown.-other-kind {
        display: none;
    }
    GenerationForm #submit-wait {
        height: auto;
        color: $text-muted;
    }
    GenerationForm #submit-wait.-waiting {
        color: $text-warning;
    }
    GenerationForm #submit-wait.-problem {
        color: $text-error;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        ("ctrl+g", "random_seed", "Random seed"),
        ("ctrl+l", "lock_seed", "Lock seed"),
        ("ctrl+b", "variations", "Variations…"),
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
        """The user asked to generate, and the form is valid. `request` is the kind's
        request: `GenerationRequest`, `InstrumentalRequest` or `SoundEffectRequest`."""

        def __init__(self, request: AnyRequest, kind: str = "music") -> None:
            super().__init__()
            self.request = request
            self.kind = kind

    class VariationsRequested(Message):
        """The user asked for a batch of variations of this (valid, music) form."""

        def __init__(self, request: GenerationRequest) -> None:
            super().__init__()
            self.request = request

    class SendWhenPossible(Message):
        """The user armed (or disarmed) sending once the wait by the submit button ends."""

        def __init__(self, armed: bool) -> None:
            super().__init__()
            self.armed = armed

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._attempted = False  # "tags are required" waits for a first submit or edit
        self._loading = False
        self._server_errors: dict[str, str] = {}
        self._general_error = ""  # a server message about no field in particular
        # The request last accepted by the server, as the form asked it (fttui's own
        # random seed aside): sending the very same again takes a confirmation.
        self._sending: AnyRequest | None = None
        self._last_accepted: AnyRequest | None = None
        self._options: dict[str, list[tuple[str, str]]] = {}  # each select's, once complete
        self._pending: dict[str, Any] = {}  # loaded before `complete`: filled in by it
        self.clock: Callable[[], float] = time.monotonic
        """Seconds on a steady clock, for the countdown by the submit button."""
        self._wait_deadline: float | None = None  # submitting waits until then
        self._wait_reason = ""
        self._wait_timer: Timer | None = None
        self._note = ""  # the feedback line's news when nothing is sent or waited for
        self._note_is_problem = False

    def compose(self) -> ComposeResult:
        # The first frame: the tags, focusable at once. The rest comes with `complete`.
        with Horizontal(classes="field-head"):
            yield Label("Tags", id="tags-label", classes="field-label")
            yield Static("", id="tags-count", classes="counter")
        yield steady_over_ssh(
            Input(placeholder="Genre, mood, instruments…", id="tags", compact=True)
        )
        yield Static("", id="tags-error", classes="field-error")

    @property
    def is_complete(self) -> bool:
        """Whether every field is mounted (the submit button comes last)."""
        return bool(self._options)

    async def complete(self) -> None:
        """Mount the fields after the tags, then show what was loaded in the meantime.

        Called once the first frame is on the terminal: styling these ~60 widgets (four
        selects among them) would otherwise delay it. The form's frame has its full size
        from the start, and these go under the tags, so nothing on screen moves.
        """
        if self.is_complete:
            return
        from fttui.api.models import BPM_RANGE, DURATION_RANGE

        options = _choices()
        music = "kind-music"
        rows: list[Widget] = [
            Horizontal(
                Label("Kind", classes="field-label"),
                Select(KINDS, value="music", allow_blank=False, id="kind", compact=True),
                classes="field-row",
            ),
            Horizontal(
                Label("Lyrics", classes="field-label"),
                Static("", id="lyrics-count", classes="counter"),
                classes=f"field-head {music}",
            ),
            steady_over_ssh(
                TextArea(
                    id="lyrics",
                    compact=True,
                    soft_wrap=True,
                    placeholder="Optional",
                    classes=music,
                )
            ),
            Static("", id="lyrics-error", classes=f"field-error {music}"),
            Horizontal(
                Label("Duration", classes="field-label"),
                steady_over_ssh(
                    Input(
                        placeholder="60",
                        id="duration",
                        type="integer",
                        valid_empty=True,
                        compact=True,
                    )
                ),
                Label(
                    f"s  {DURATION_RANGE[0]}–{DURATION_RANGE[1]}",
                    id="duration-hint",
                    classes="hint",
                ),
                classes="field-row",
            ),
            Static("", id="duration-error", classes="field-error"),
            Horizontal(
                Label("Enhance", classes="field-label"),
                Tick("Enrich the prompt", value=True, id="enhance", compact=True),
                classes="field-row kind-instrumental kind-sound_effect",
            ),
            Static(
                "", id="enhance-error", classes="field-error kind-instrumental kind-sound_effect"
            ),
            Horizontal(
                Label("BPM", classes="field-label"),
                steady_over_ssh(
                    Input(
                        placeholder="120", id="bpm", type="integer", valid_empty=True, compact=True
                    )
                ),
                Label(f"{BPM_RANGE[0]}–{BPM_RANGE[1]}", classes="hint"),
                classes=f"field-row {music}",
            ),
            Static("", id="bpm-error", classes=f"field-error {music}"),
        ]
        for name in SELECTS:
            label = name.replace("timesignature", "Time sig").capitalize()
            select = Select(options[name], prompt=_PROMPTS[name], id=name, compact=True)
            rows += [
                Horizontal(
                    Label(label, classes="field-label"), select, classes=f"field-row {music}"
                ),
                Static("", id=f"{name}-error", classes=f"field-error {music}"),
            ]
        seeded = f"{music} kind-instrumental"
        rows += [
            Horizontal(
                Label("Seed", classes="field-label"),
                # Empty is a random seed: no error colour once a submit clears it.
                steady_over_ssh(
                    Input(
                        placeholder="Random",
                        id="seed",
                        type="integer",
                        valid_empty=True,
                        compact=True,
                    )
                ),
                classes=f"field-row {seeded}",
            ),
            Horizontal(
                Label("", classes="field-label"),
                Button("Random", id="seed-random", compact=True),
                SeedLock("Lock", id="seed-lock", compact=True),
                classes=f"field-row {seeded}",
            ),
            Static("", id="seed-error", classes=f"field-error {seeded}"),
            Static("", id="form-error", classes="field-error"),
            Button(self._submit_label(), id="submit", variant="primary", compact=True),
            # The one feedback line: sending, a countdown, sending when possible, sent.
            Static("", id="submit-wait"),
            Tick("Send when possible", id="send-when-possible", compact=True),
        ]
        await self.mount_all(rows)
        self._options = options
        self._show_kind("music")
        self._show_wait()
        pending, self._pending = self._pending, {}
        # The tags may have been typed into already: what the user typed wins.
        self.load({**pending, "tags": self.query_one("#tags", Input).value})
        self._update_submit()

    # --- reading and writing the fields ---------------------------------------------

    def fields(self) -> dict[str, Any]:
        """The draft as typed: strings, or None for an empty select."""
        if not self.is_complete:
            # What was loaded, with the tags as typed since: a draft saved now keeps it all.
            return {**self._pending, "tags": self.query_one("#tags", Input).value}
        values: dict[str, Any] = {
            "tags": self.query_one("#tags", Input).value,
            "lyrics": self.query_one("#lyrics", TextArea).text,
            "duration": self.query_one("#duration", Input).value,
            "bpm": self.query_one("#bpm", Input).value,
            "seed": self.query_one("#seed", Input).value,
            "seed_locked": self.query_one("#seed-lock", Checkbox).value,
            "kind": self.kind,
            "enhance": self.query_one("#enhance", Checkbox).value,
        }
        for name in SELECTS:
            value = self.query_one(f"#{name}", Select).value
            values[name] = value if isinstance(value, str) else None
        return values

    def load(self, fields: Mapping[str, Any]) -> None:
        """Fill the form from a draft or a past generation's parameters."""
        if not self.is_complete:
            self._pending = dict(fields)  # for `complete`; the tags can be shown now
            self._loading = True
            try:
                tags = fields.get("tags")
                self.query_one("#tags", Input).value = "" if tags is None else str(tags)
            finally:
                self._loading = False
            return
        self._loading = True
        try:
            kind = fields.get("kind")
            kind = kind if kind in KIND_FIELDS else "music"
            self.query_one("#kind", Select).value = kind
            self._show_kind(kind)
            self.query_one("#enhance", Checkbox).value = fields.get("enhance") is not False
            for name in ("tags", "duration", "bpm", "seed"):
                value = fields.get(name)
                self.query_one(f"#{name}", Input).value = "" if value is None else str(value)
            lyrics = fields.get("lyrics")
            self.query_one("#lyrics", TextArea).load_text("" if lyrics is None else str(lyrics))
            for name, options in self._options.items():
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
        self._last_accepted, self._sending = self._sending, None
        if self.is_complete and not self.query_one("#seed-lock", Checkbox).value:
            self.query_one("#seed", Input).value = ""

    # --- validation -------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """What the form makes: "music", "instrumental" or "sound_effect"."""
        if not self.is_complete:
            pending = self._pending.get("kind")
            return pending if pending in KIND_FIELDS else "music"
        value = self.query_one("#kind", Select).value
        return value if isinstance(value, str) and value in KIND_FIELDS else "music"

    def check(self) -> tuple[AnyRequest | None, dict[str, str]]:
        """The request the form describes, or the reason for each bad field."""
        # Loaded by the app in a thread once the first frame is drawn: already there.
        from fttui.api.instrumental import InstrumentalRequest
        from fttui.api.models import GenerationRequest, RequestInvalid
        from fttui.api.sound_effects import SoundEffectRequest

        kind = self.kind
        values = {k: v for k, v in self.fields().items() if k in KIND_FIELDS[kind]}
        try:
            if kind == "instrumental":
                values["prompt"] = values.pop("tags")
                return InstrumentalRequest.from_fields(values), {}
            if kind == "sound_effect":
                values["prompt"] = values.pop("tags")
                return SoundEffectRequest.from_fields(values), {}
            return GenerationRequest.from_fields(values), {}
        except RequestInvalid as exc:
            errors = dict(exc.field_errors)
            if "prompt" in errors:
                errors["tags"] = errors.pop("prompt")  # the prompt is typed in the tags box
            return None, errors

    def _show_kind(self, kind: str) -> None:
        """Show only the fields `kind` has, with its words and duration range."""
        from fttui.api.instrumental import INSTRUMENTAL_DURATION_RANGE, INSTRUMENTAL_STEP
        from fttui.api.models import DURATION_RANGE
        from fttui.api.sound_effects import SOUND_EFFECT_DURATION_RANGE, SOUND_EFFECT_STEP

        for widget in self.query(".kind-music, .kind-instrumental, .kind-sound_effect"):
            # A class, not `display`: the error lines keep their own shown/hidden rule.
            widget.set_class(not widget.has_class(f"kind-{kind}"), "-other-kind")
        music = kind == "music"
        self.query_one("#tags-label", Label).update("Tags" if music else "Prompt")
        self.query_one("#tags", Input).placeholder = (
            "Genre, mood, instruments…" if music else "Describe the sound…"
        )
        duration = self.query_one("#duration", Input)
        hint = self.query_one("#duration-hint", Label)
        if kind == "sound_effect":
            low, high = SOUND_EFFECT_DURATION_RANGE
            duration.type, duration.validators = "number", [Number()]
            duration.placeholder = "4"
            hint.update(f"s  {low:g}–{high:g}, in {SOUND_EFFECT_STEP:g} s steps")
        elif kind == "instrumental":
            low_i, high_i = INSTRUMENTAL_DURATION_RANGE
            duration.type, duration.validators = "integer", [Integer()]
            duration.placeholder = "60"
            hint.update(f"s  {low_i}–{high_i}, in {INSTRUMENTAL_STEP} s steps")
        else:
            duration.type, duration.validators = "integer", [Integer()]
            duration.placeholder = "60"
            hint.update(f"s  {DURATION_RANGE[0]}–{DURATION_RANGE[1]}")

    def show_server_errors(self, errors: Mapping[str, str], general: str = "") -> None:
        """Put the server's validation messages next to the fields they are about."""
        self._server_errors = {}
        unplaced: list[str] = []
        for name, message in errors.items():
            field = name.lower().replace("_", "").replace("time_signature", "timesignature")
            field = "tags" if field == "prompt" else field  # the prompt is in the tags box
            if field in FIELDS:
                self._server_errors[field] = message
            else:
                unplaced.append(f"{name}: {message}")
        self._general_error = "; ".join(filter(None, [general, *unplaced]))
        self._show_errors(self.check()[1])
        self._focus_first_error()

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        merged = {**errors, **self._server_errors}
        kind_fields = KIND_FIELDS[self.kind]
        merged = {k: v for k, v in merged.items() if k in kind_fields}
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
        for name in KIND_FIELDS[self.kind]:
            if self.query_one(f"#{name}-error", Static).has_class("-shown"):
                self.query_one(f"#{name}").focus()
                return

    def _update_counters(self) -> None:
        from fttui.api.models import LYRICS_MAX, TAGS_MAX

        values = self.fields()
        for name, limit in (("tags", TAGS_MAX), ("lyrics", LYRICS_MAX)):
            length = len(values[name].strip() if name == "tags" else values[name])
            counter = self.query_one(f"#{name}-count", Static)
            counter.update(f"{length}/{limit}")
            counter.set_class(length > limit, "-over")

    def _edited(self) -> None:
        if not self.is_complete:
            return  # counted and checked by `complete`, once the rules are loaded
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
        if control is not None and control.id == "send-when-possible":
            self._show_wait()  # the line says whether it will send by itself
            self.post_message(self.SendWhenPossible(bool(getattr(control, "value", False))))
            return  # not a field of the draft
        if control is not None and control.id == "kind":
            self._show_kind(self.kind)
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
        from fttui.api.models import SEED_MAX

        if not self.is_complete:
            return  # no seed field yet: the key came within the first frames
        self.query_one("#seed", Input).value = str(random.randint(0, min(SEED_MAX, 2**32 - 1)))

    def action_lock_seed(self) -> None:
        """Keep (or stop keeping) the seed after each submit."""
        if not self.is_complete:
            return
        checkbox = self.query_one("#seed-lock", Checkbox)
        checkbox.value = not checkbox.value

    def action_submit(self) -> bool:
        """Validate and ask for a generation; say why not when it cannot be sent."""
        if not self.is_complete:
            return False  # ctrl+s within the first frames: the fields are not there yet
        # Said in the feedback line, never a toast: a held ctrl+s would stack them.
        if self.busy:
            return False  # the line says "Sending…" already
        if self.blocked:
            self._show_errors(self.check()[1])
            self.say(f"Not sent. {self.blocked}", problem=True)
            return False
        if self.waiting:
            self._show_wait()  # the countdown, brought up to date
            return False
        self._attempted = True
        request, errors = self.check()
        self._server_errors.clear()
        self._general_error = ""
        self._show_errors(errors)
        if request is None:
            self._focus_first_error()
            fields = "the field" if len(errors) == 1 else f"the {len(errors)} fields"
            self.say(f"Not sent: fix {fields} marked in red.", problem=True)
            return False
        if request == self._last_accepted:
            # A repeated or held ctrl+s, however slow the machine: the same request
            # again is a second credit, so it is asked for, not assumed.
            self._ask_to_send_again(request)
            return False
        self._send(request)
        return True

    def action_variations(self) -> None:
        """Ask for N takes of this form, differing in the seed or one parameter."""
        from fttui.api.models import GenerationRequest

        if not self.is_complete:
            return
        self._attempted = True
        request, errors = self.check()
        self._show_errors(errors)
        if request is None:
            self._focus_first_error()
            self.notify("Fix the form first: variations start from a valid form.")
            return
        if not isinstance(request, GenerationRequest):
            self.notify("Variations are made of music only.", severity="warning")
            return
        self.post_message(self.VariationsRequested(request))

    def _send(self, request: AnyRequest) -> None:
        self._note = ""  # what the line said of the last one is over
        self.busy = True  # set before posting: a repeated key press is refused above
        self._sending = request
        self.post_message(self.SubmitRequested(request, self.kind))

    def _ask_to_send_again(self, request: AnyRequest) -> None:
        from fttui.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and not self.busy and not self.blocked and not self.waiting:
                self._send(request)

        self.app.push_screen(
            ConfirmScreen(
                "Send the same generation again?",
                "You just sent exactly this. Another one costs one more credit"
                " (with a new random seed unless the seed is locked).",
                yes="send another",
            ),
            answered,
        )

    def watch_busy(self, busy: bool) -> None:
        self._update_submit()
        self._show_wait()

    def watch_blocked(self, reason: str) -> None:
        self._update_submit()

    def _submit_label(self) -> str:
        return "Sending…" if self.busy else "Generate  ctrl+s"

    def _update_submit(self) -> None:
        if not self.is_complete:
            return  # `complete` calls this once the button is there
        button = self.query_one("#submit", Button)
        button.disabled = self.busy or bool(self.blocked) or self.waiting
        button.label = self._submit_label()
        self._set_error("#form-error", self.blocked or self._general_error)

    # --- waiting (GENERATION_RATE_LIMITED, QUEUE_FULL) -----------------------------

    @property
    def waiting(self) -> bool:
        """Whether submitting waits for a countdown to end."""
        return self._wait_deadline is not None

    def wait_until(self, seconds: float, reason: str) -> None:
        """Hold submitting for `seconds`, counting down by the submit button with
        `reason` (one sentence) and offering "send when possible". 0 ends the wait."""
        if seconds <= 0:
            self._end_wait()
            return
        self._wait_deadline = self.clock() + seconds
        self._wait_reason = reason
        if self._wait_timer is None:
            self._wait_timer = self.set_interval(1.0, self.tick)
        self._show_wait()
        self._update_submit()

    @property
    def wait_reason(self) -> str:
        """Why submitting waits ("" when it does not)."""
        return self._wait_reason if self.waiting else ""

    def send_when_possible(self, armed: bool = True) -> None:
        """Arm (or disarm) sending by itself once the wait ends; only while waiting."""
        if self.waiting and self.is_complete:
            self.query_one("#send-when-possible", Checkbox).value = armed

    @property
    def armed(self) -> bool:
        """Whether the form will send by itself when the wait ends."""
        if not self.is_complete:
            return False
        return self.waiting and self.query_one("#send-when-possible", Checkbox).value

    def tick(self) -> None:
        """Bring the countdown up to date; end the wait once it is over."""
        if self._wait_deadline is None:
            return
        if self._wait_deadline - self.clock() <= 0:
            self._end_wait()
        else:
            self._show_wait()

    def _end_wait(self) -> None:
        self._wait_deadline = None
        if self._wait_timer is not None:
            self._wait_timer.stop()
            self._wait_timer = None
        self._show_wait()
        self._update_submit()
        if not self.is_complete:
            return
        armed = self.query_one("#send-when-possible", Checkbox)
        if armed.value:
            # Armed: the wait is over, so the form sends (through SubmitRequested, as a
            # press of the button would), once.
            with armed.prevent(Checkbox.Changed):
                armed.value = False
            self.action_submit()

    def _wait_text(self) -> str:
        if self._wait_deadline is None:
            return ""
        left = max(1, math.ceil(self._wait_deadline - self.clock()))
        text = f"{self._wait_reason} Try again in {left} s.".strip()
        return f"{text} It sends by itself then." if self.armed else text

    def say(self, text: str, *, problem: bool = False) -> None:
        """Put `text` (one sentence) in the feedback line by the submit button, in place
        of what it said; a countdown or a send under way is said over it meanwhile.
        `problem`: it says why nothing was sent (in the error colour)."""
        self._note = text
        self._note_is_problem = problem
        self._show_wait()
        if text and not problem and self.is_complete:
            # Under a long form (80x24), the line is below the fold: bring it into sight
            # (a problem's field takes the focus, and the view, instead).
            self.query_one("#submit-wait").scroll_visible(animate=False)

    @property
    def feedback(self) -> str:
        """What the feedback line by the submit button says now ("" when hidden)."""
        if self.waiting:
            return self._wait_text()
        if self.busy:
            return "Sending to the server…"
        return self._note

    def _show_wait(self) -> None:
        if not self.is_complete:
            return
        text = self.feedback
        line = self.query_one("#submit-wait", Static)
        line.update(literal(text))
        line.set_class(self.waiting, "-waiting")
        line.set_class(text == self._note and self._note_is_problem, "-problem")
        line.set_class(bool(text), "-shown")
        line.display = bool(text)
        self.query_one("#send-when-possible").display = self.waiting
