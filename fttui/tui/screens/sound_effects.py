"""Sound effects (API v1.2): the account's, newest first, to play and save.

They are not generations (their own endpoint, 100 a day, no credit), so they are not in
the main list. The screen never calls the client: it is handed what to show
(`show_effects`, `add_older`, `say_problem`) and posts what the user asked for (`Play`,
`Save`, and `Older` as the cursor nears the last row of those shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from fttui.tui.text import clean, minutes_seconds, shorten, status_text
from fttui.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from fttui.api.sound_effects import SoundEffect

PROMPT_WIDTH = 50
OLDER_AHEAD = 10
"""Ask for the next older page when the cursor comes this near the last row shown."""
HOW_TO_MAKE = "Make one from the form: Kind, Sound effect (ctrl+s sends it)."


class SoundEffectsScreen(Screen[None]):
    """The account's sound effects, newest first, older pages loading as the cursor goes
    down; enter plays the selected one (the finished ones after it follow), d saves it
    to the music folder, esc goes back."""

    DEFAULT_CSS = """
    SoundEffectsScreen > Vertical { height: 1fr; }
    SoundEffectsScreen #effects-title { padding: 0 1; text-style: bold; }
    SoundEffectsScreen DataTable { height: 1fr; }
    SoundEffectsScreen #effects-note { padding: 0 1; height: auto; }
    SoundEffectsScreen #effects-note.-error { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "play", "Play", show=True, priority=True),
        Binding("d", "save", "Save"),
    ]

    class Play(Message):
        """Play `effects` (finished, in the screen's order) from `start`."""

        def __init__(self, effects: Sequence[SoundEffect], start: int) -> None:
            super().__init__()
            self.effects = list(effects)
            self.start = start

    class Save(Message):
        """Save `effect`'s audio in the music folder."""

        def __init__(self, effect: SoundEffect) -> None:
            super().__init__()
            self.effect = effect

    class Older(Message):
        """Fetch the page of sound effects that begins at `offset` (for `add_older`)."""

        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    def __init__(self) -> None:
        super().__init__()
        self._effects: list[SoundEffect] = []
        self._more = False  # the account has older ones than those shown
        self._asked_older = False  # an `Older` is out, not yet answered
        self._next_offset = 0  # where the next page begins: the rows the server gave

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Sound effects", id="effects-title")
            table: DataTable[Text] = DataTable(id="effects", cursor_type="row", zebra_stripes=True)
            table.add_columns("Prompt", "Status", "Len", "Created")
            yield table
            yield Static("Loading your sound effects…", id="effects-note")
        yield SteadyFooter()

    # --- what the screen is handed ----------------------------------------------------

    @property
    def effects(self) -> list[SoundEffect]:
        return list(self._effects)

    def show_effects(self, effects: Sequence[SoundEffect], *, more: bool = False) -> None:
        """Show `effects` (newest first); `more`: the account has older ones than these."""
        self._effects = []
        self._next_offset = 0
        self.query_one("#effects", DataTable).clear()
        self._append(effects, more)
        self.query_one("#effects", DataTable).focus()
        self._ask_older_if_near_the_end()

    def add_older(self, effects: Sequence[SoundEffect], *, more: bool) -> None:
        """Add the next older page below those shown (one already shown is skipped: the
        offsets move as new ones are made)."""
        self._append(effects, more)
        self._ask_older_if_near_the_end()

    def _append(self, effects: Sequence[SoundEffect], more: bool) -> None:
        self._asked_older = False
        self._next_offset += len(effects)
        self._more = more and bool(effects)  # an empty page that says "more" ends it
        table = self.query_one("#effects", DataTable)
        shown = {e.id for e in self._effects}
        for effect in effects:
            if effect.id in shown:
                continue
            shown.add(effect.id)
            self._effects.append(effect)
            created = effect.created_at.strftime("%Y-%m-%d %H:%M") if effect.created_at else "—"
            table.add_row(
                Text(shorten(clean(effect.prompt or "(no prompt)"), PROMPT_WIDTH)),
                status_text(effect.status),
                Text(minutes_seconds(effect.duration)),
                Text(created),
                key=effect.id,
            )
        self._say_count()

    def _say_count(self) -> None:
        n = len(self._effects)
        if not n:
            self._say(f"No sound effects yet. {HOW_TO_MAKE}")
            return
        noun = "sound effect" if n == 1 else "sound effects"
        if self._asked_older:
            self._say(f"{n} {noun}; loading older ones…")
        elif self._more:
            self._say(f"{n} {noun} so far; older ones load as you go down. enter plays, d saves.")
        else:
            self._say(f"{n} {noun}. enter plays, d saves.")

    def _ask_older_if_near_the_end(self) -> None:
        table = self.query_one("#effects", DataTable)
        near_end = table.cursor_row >= len(self._effects) - OLDER_AHEAD
        if self._more and not self._asked_older and self._effects and near_end:
            self._asked_older = True
            self._say_count()
            self.post_message(self.Older(self._next_offset))

    def say_problem(self, text: str) -> None:
        """Say what went wrong, where the user is looking (moving the cursor asks for
        older ones again)."""
        self._asked_older = False
        self._say(text, error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        note = self.query_one("#effects-note", Static)
        note.set_class(error, "-error")
        note.update(Text(text))

    # --- keys -------------------------------------------------------------------------

    def _selected_with_audio(self) -> SoundEffect | None:
        """The selected sound effect when it has its audio; else None (and why, said)."""
        table = self.query_one("#effects", DataTable)
        if not self._effects or table.cursor_row >= len(self._effects):
            return None
        effect = self._effects[table.cursor_row]
        if not effect.audio_url:
            self.say_problem("This sound effect has no audio yet: it is still being made.")
            return None
        return effect

    def action_play(self) -> None:
        """Play the selected sound effect, the finished ones after it following."""
        effect = self._selected_with_audio()
        if effect is not None:
            # As the main list does: this one, then the finished ones below it.
            finished = [e for e in self._effects if e.audio_url]
            self.post_message(self.Play(finished[finished.index(effect) :], 0))

    def action_save(self) -> None:
        """Save the selected sound effect's audio."""
        effect = self._selected_with_audio()
        if effect is not None:
            self.post_message(self.Save(effect))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._ask_older_if_near_the_end()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_play()

    def action_back(self) -> None:
        self.dismiss()
