"""Variations: the dialog that turns one form into a batch, and the view that compares it.

The dialog plans the batch (`fttui.session.batch.plan_batch`) and hands it back; the
main screen sends it. The compare view lists the batch's takes with the value that
differs, plays them one after another, and keeps the chosen take while the rest are
deleted in one step (after a confirmation). Neither screen talks to the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from fttui.session.batch import (
    MAX_TAKES,
    MIN_TAKES,
    VARYING,
    AtOnce,
    BatchInvalid,
    BatchPlan,
    Varying,
    plan_batch,
)
from fttui.tui.text import clean

if TYPE_CHECKING:
    from fttui.api.models import Generation, GenerationRequest

NAMES: dict[Varying, str] = {
    "seed": "Seed (same form, new takes)",
    "bpm": "BPM sweep",
    "key": "Key sweep",
    "duration": "Duration sweep",
}


class VariationsDialog(ModalScreen["BatchPlan | None"]):
    """How many takes, and what differs between them. Dismissed with the plan, or None."""

    DEFAULT_CSS = """
    VariationsDialog { align: center middle; }
    VariationsDialog > Vertical {
        width: 70%; max-width: 80; height: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    VariationsDialog Input, VariationsDialog Select { margin-bottom: 1; }
    VariationsDialog #variations-error { color: $error; }
    VariationsDialog #variations-keys { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send the batch", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        request: GenerationRequest,
        *,
        now: datetime | None = None,
        at_once: AtOnce | None = None,
    ) -> None:
        super().__init__()
        self._request = request
        self._now = now
        self._at_once = at_once
        self.plan: BatchPlan | None = None
        """The batch as the fields describe it now (None while they cannot)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Variations of this form", style="bold"))
            yield Label("What differs")
            options = [(NAMES[v], v) for v in VARYING]
            yield Select(options, value="seed", allow_blank=False, id="varying", compact=True)
            yield Label(f"How many ({MIN_TAKES}–{MAX_TAKES})")
            yield Input("4", id="count", compact=True, type="integer")
            yield Label("From", id="from-label")
            yield Input("", id="from", compact=True)
            yield Label("To", id="to-label")
            yield Input("", id="to", compact=True)
            yield Static("", id="variations-preview")
            if self._at_once is not None:  # how the queue paces the batch, and why
                yield Static(Text(f"Sends {self._at_once.text}."), id="variations-at-once")
            yield Static("", id="variations-error")
            yield Static(
                Text("ctrl+s: send the batch · esc: cancel", style="dim"), id="variations-keys"
            )

    def on_mount(self) -> None:
        self._varying_changed()
        self.query_one("#count", Input).focus()

    @property
    def varying(self) -> Varying:
        value = self.query_one("#varying", Select).value
        return next((v for v in VARYING if v == value), "seed")

    @on(Select.Changed, "#varying")
    def _varying_changed(self) -> None:
        varying = self.varying
        start, stop = {
            "bpm": (str(self._request.bpm or 80), str((self._request.bpm or 80) + 40)),
            "duration": (str(self._request.duration or 30), "90"),
            "key": (self._request.key or "C", ""),
        }.get(varying, ("", ""))
        self.query_one("#from", Input).value = start
        self.query_one("#to", Input).value = stop
        for name in ("from", "from-label"):
            self.query_one(f"#{name}").display = varying != "seed"
        for name in ("to", "to-label"):
            self.query_one(f"#{name}").display = varying in ("bpm", "duration")
        self._replan()

    @on(Input.Changed)
    def _field_changed(self) -> None:
        self._replan()

    def _replan(self) -> None:
        """Plan from the fields; show the values, or why they cannot be."""
        preview = self.query_one("#variations-preview", Static)
        error = self.query_one("#variations-error", Static)
        try:
            count = int(self.query_one("#count", Input).value or "0")
            start = self.query_one("#from", Input).value.strip() or None
            stop = self.query_one("#to", Input).value.strip() or None
            if self.varying in ("bpm", "duration"):
                start_n = int(start) if start else None
                stop_n = int(stop) if stop else None
                self.plan = self._plan(count, start_n, stop_n)
            else:
                self.plan = self._plan(count, start, None)
        except (BatchInvalid, ValueError) as exc:
            self.plan = None
            preview.update("")
            message = str(exc) if isinstance(exc, BatchInvalid) else "Type whole numbers."
            error.update(Text(clean(message)))
            return
        error.update("")
        values = ", ".join(t.value for t in self.plan.takes)
        preview.update(Text(f"{len(self.plan.takes)} takes, {self.plan.varying}: {values}"))

    def _plan(self, count: int, start: str | int | None, stop: str | int | None) -> BatchPlan:
        now = self._now or datetime.now(timezone.utc)
        return plan_batch(self._request, self.varying, count, now=now, start=start, stop=stop)

    def action_send(self) -> None:
        """Hand the batch to the main screen, which sends it as the limits allow."""
        if self.plan is None:
            self.notify("Fix the batch first: see the message under the fields.")
            return
        self.dismiss(self.plan)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CompareView(ModalScreen["list[str] | None"]):
    """A batch's takes side by side: play them in turn, keep one, delete the rest.

    Dismissed with the ids to delete (after the user confirmed), or None."""

    DEFAULT_CSS = """
    CompareView { align: center middle; }
    CompareView > Vertical {
        width: 80%; max-width: 100; height: auto; max-height: 90%; padding: 1 2;
        border: round $accent; background: $surface;
    }
    CompareView OptionList { height: auto; max-height: 14; }
    CompareView #compare-keys { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "play_all", "Play all in turn"),
        Binding("k", "keep", "Keep this, delete the rest"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, plan: BatchPlan, generations: Mapping[str, Generation | None]) -> None:
        super().__init__()
        self.plan = plan
        self._generations = dict(generations)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Compare by {self.plan.varying}", style="bold"))
            yield Static(Text(self.plan.summary()), id="compare-summary")
            yield OptionList(*self._options(), id="takes")
            yield Static(
                Text(
                    "enter: play this · p: play all in turn · k: keep this, delete the rest"
                    " · esc: close",
                    style="dim",
                ),
                id="compare-keys",
            )

    def _options(self) -> list[Option]:
        options: list[Option] = []
        for take in self.plan.takes:
            gen = self._generations.get(take.generation_id or "")
            status = gen.status if gen is not None else take.state
            title = gen.display_title if gen is not None else ""
            line = Text(f"{self.plan.varying} {take.value}", style="bold")
            line.append(f"  {status}")
            if title:
                line.append(f"  {clean(title)}", style="dim")
            options.append(Option(line, id=take.generation_id, disabled=not take.generation_id))
        return options

    @property
    def chosen(self) -> str | None:
        """The id of the highlighted take (None when it was never sent)."""
        takes = self.query_one("#takes", OptionList)
        if takes.highlighted is None:
            return None
        return takes.get_option_at_index(takes.highlighted).id

    def playable(self) -> list[Generation]:
        """The batch's finished takes, in the batch's order."""
        found = [self._generations.get(i) for i in self.plan.sent_ids]
        return [g for g in found if g is not None and g.audio_url]

    def _play(self, start_id: str | None) -> None:
        from fttui.audio.from_api import track_for

        tracks = [t for t in map(track_for, self.playable()) if t is not None]
        if not tracks:
            self.notify("None of this batch has finished yet.", severity="warning")
            return
        ids = [t.id for t in tracks]
        start = ids.index(start_id) if start_id in ids else 0
        playback = getattr(self.app, "playback", None)
        if playback is not None:
            playback.play_tracks(tracks, start)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._play(event.option.id)

    def action_play_all(self) -> None:
        """Play the finished takes one after another, from the first."""
        self._play(None)

    def action_keep(self) -> None:
        """Keep the highlighted take; ask, then delete the others of the batch."""
        from fttui.tui.screens.confirm import ConfirmScreen

        keep = self.chosen
        if keep is None:
            self.notify("Highlight the take to keep first.", severity="warning")
            return
        doomed = [i for i in self.plan.sent_ids if i != keep]
        if not doomed:
            self.notify("This is the only take of the batch left.")
            return
        values = {t.generation_id: t.value for t in self.plan.takes}
        titles = [f"{self.plan.varying} {values[i]}" for i in doomed]

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(doomed)

        self.app.push_screen(ConfirmScreen.delete(titles), answered)

    def action_close(self) -> None:
        self.dismiss(None)
