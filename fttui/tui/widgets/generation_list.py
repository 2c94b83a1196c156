"""The generations list: newest first, paged, searchable, filterable, live.

The list never holds the whole history. It shows what it was handed (a page of the
local cache), and when the cursor or the scroll position nears the last loaded row it
posts `NeedMore`; whoever owns the cache answers with `append`. Search and filter
changes post `QueryChanged` on every keystroke and the owner answers with `show`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.events import DescendantFocus, Key, Resize
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets.data_table import ColumnKey, RowKey

from fttui.tui.cursor import steady_over_ssh
from fttui.tui.text import (
    STATUS_GLYPHS,
    clean,
    count,
    minutes_seconds,
    relative_time,
    shorten,
    status_text,
)

if TYPE_CHECKING:
    # Annotations only: the list's frame is in the first frame, pydantic comes after it.
    from fttui.api.models import Generation, StatusFilter
    from fttui.session.following import Progress

    ProgressOf = Callable[[Generation], Progress | None]


class ListedParameters(Protocol):
    """The parameters a row shows."""

    @property
    def bpm(self) -> int | None: ...
    @property
    def tags(self) -> str | None: ...
    @property
    def key_and_scale(self) -> tuple[str | None, str | None]: ...


class ListedGeneration(Protocol):
    """What a row shows: a `Generation`, or the cache's plain row drawn at start, before
    the models are loaded (see `show_last_seen`)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def prompt(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def in_progress(self) -> bool: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def length_seconds(self) -> float | None: ...
    @property
    def play_count(self) -> int | None: ...
    @property
    def parameters(self) -> ListedParameters: ...


# (key, label, width, least list width); width 0 is the title, which takes what is
# left. A column goes when the list is narrower than its least width: the title needs
# the room more than the play count does.
_COLUMNS: tuple[tuple[str, str, int, int], ...] = (
    ("title", "Title", 0, 0),
    ("status", "Status", 15, 0),  # "processing 4:59" (past 5 minutes it says "stalled")
    ("duration", "Len", 5, 0),
    ("bpm", "BPM", 3, 0),
    ("keyscale", "Key", 8, 72),
    ("created", "Created", 10, 0),
    ("plays", "Plays", 5, 96),
)
PREFETCH_ROWS = 15
"""Ask for more when the cursor or the viewport is this close to the last row."""
AGE_REFRESH_S = 60.0
"""How often "created … ago" is brought up to date (it says minutes at the finest)."""
PROGRESS_REFRESH_S = 1.0
"""How often a row in progress says how long it has run (only while one is shown)."""
STALLED_GLYPH = ("!", "bold red")


MARK = "● "
"""In front of a marked row's title: what delete and add-to-playlist act on."""
FROM_PROMPT_STYLE = "italic"
"""A generation without a title shows its prompt, in this style (a prompt, not a title)."""


def title_text(generation: ListedGeneration, width: int | None = None) -> Text:
    """The one title shown everywhere: the title, else the prompt set in italics."""
    if generation.title:
        text, style = clean(generation.title), ""
    else:
        text = clean(generation.prompt or generation.parameters.tags or generation.id)
        style = FROM_PROMPT_STYLE
    return Text(text if width is None else shorten(text, width), style=style)


def as_status(value: object) -> StatusFilter | None:
    """A status filter from a select's value (None: all statuses)."""
    for status in ("pending", "processing", "completed", "failed"):
        if value == status:
            return status
    return None


class _Table(DataTable[Text]):
    """The rows, with vim keys, telling its list when the viewport nears the end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new + self.scrollable_content_region.height >= self.row_count - PREFETCH_ROWS:
            self.post_message(GenerationList.NearEnd())

    def set_cell(self, row_key: str, column_key: str, value: Text) -> None:
        """Change one cell and redraw that cell only (`update_cell` redraws the table)."""
        row, column = RowKey(row_key), ColumnKey(column_key)
        self._data[row][column] = value
        self._update_count += 1  # the table's render caches are keyed on it
        self.refresh_coordinate(Coordinate(self.get_row_index(row), self.get_column_index(column)))


class _SearchBox(Input):
    """The search box: Esc clears it, a second Esc leaves it for the rows."""

    def on_key(self, event: Key) -> None:
        # A key handler, not a binding: the screen's own esc is in the key table already.
        if event.key != "escape":
            return
        event.stop()
        event.prevent_default()
        listing = next(a for a in self.ancestors if isinstance(a, GenerationList))
        if self.value:
            listing.restore_cursor()
            self.value = ""
        else:
            listing.focus_table()


class GenerationList(Vertical):
    """Search box, status filter and the table of generations."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_filter", "Filter"),
        Binding("x", "toggle_mark", "Mark or unmark", show=False),
        Binding("delete,D", "delete", "Delete marked or selected", show=False),
        Binding("a", "add_to_playlist", "Add marked or selected to a playlist", show=False),
    ]

    class QueryChanged(Message):
        """The search text or the status filter changed: show the first page anew."""

        def __init__(self, query: str, status: StatusFilter | None) -> None:
            super().__init__()
            self.query = query
            self.status = status

    class NeedMore(Message):
        """Load the rows after the `offset` already shown."""

        def __init__(self, offset: int, query: str, status: StatusFilter | None) -> None:
            super().__init__()
            self.offset = offset
            self.query = query
            self.status = status

    class Highlighted(Message):
        """The cursor moved to `generation` (None when the list is empty)."""

        def __init__(self, generation: Generation | None) -> None:
            super().__init__()
            self.generation = generation

    class Opened(Message):
        """Enter was pressed on `generation`."""

        def __init__(self, generation: Generation) -> None:
            super().__init__()
            self.generation = generation

    class NearEnd(Message):
        """Internal: the table's viewport reached the last loaded rows."""

    class DeleteRequested(Message):
        """The delete key: delete `ids` (the marked rows, else the selected one)."""

        def __init__(self, ids: tuple[str, ...]) -> None:
            super().__init__()
            self.ids = ids

    class AddToPlaylistRequested(Message):
        """The add key: put `ids` (the marked rows, else the selected one) in a playlist."""

        def __init__(self, ids: tuple[str, ...]) -> None:
            super().__init__()
            self.ids = ids

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Generation] = []
        self._index: dict[str, int] = {}
        self._marks: set[str] = set()
        self._history = ""  # the whole-history backfill's progress, while it runs
        self.batch_labels: dict[str, str] = {}
        """Generation id → the value that differs in its batch ("bpm 90"): the takes of a
        batch read as one group."""
        self._before_search: str | None = None  # the row the cursor was on
        self._restore: str | None = None  # put the cursor back there at the next `show`
        self._total = 0
        self._exhausted = True
        self._waiting = False
        self._now = datetime.now(timezone.utc)
        self._clock: Callable[[], datetime] | None = None
        self.age_timer: Timer | None = None
        self._progress: ProgressOf | None = None
        self._ticking: set[str] = set()  # ids of the rows in progress, which tick
        self.progress_timer: Timer | None = None
        self._layout: tuple[int, int] = (0, 0)  # (title width, list width)
        self._last_seen: list[ListedGeneration] = []  # drawn only, until the first `show`

    def compose(self) -> ComposeResult:
        # The search box is in the first frame: `/` pressed as soon as the cached rows
        # show must find it, or what follows would be typed into the form. The filter
        # comes with `complete`, after that frame (a `Select` is among the costliest
        # widgets to style), in a row that is there already, so nothing moves.
        with Horizontal(id="list-tools"):
            yield steady_over_ssh(
                _SearchBox(placeholder="/ search title, prompt, tags", id="search", compact=True)
            )
        yield _Table(cursor_type="row", show_row_labels=False, zebra_stripes=True, id="table")
        yield Static("", id="list-summary")

    async def complete(self) -> None:
        """Mount the status filter (once the first frame is drawn)."""
        if self.is_complete:
            return
        # Here, not at the top: pydantic is loaded after the first frame (the app does it
        # in a thread before calling this).
        from fttui.api.models import STATUSES

        await self.query_one("#list-tools").mount(
            Select([(s, s) for s in STATUSES], prompt="all", id="status-filter", compact=True),
        )

    @property
    def is_complete(self) -> bool:
        """Whether the status filter is mounted (the search box is from the start)."""
        return bool(self.query("#status-filter"))

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(_Table)

    @property
    def query_text(self) -> str:
        found = self.query("#search").results(Input)
        return next((field.value.strip() for field in found), "")

    @property
    def status_filter(self) -> StatusFilter | None:
        found = self.query("#status-filter").results(Select)
        return next((as_status(select.value) for select in found), None)

    @property
    def rows(self) -> list[Generation]:
        """The generations loaded into the table, in order."""
        return list(self._rows)

    @property
    def marked(self) -> tuple[str, ...]:
        """The ids of the marked rows, in list order."""
        return tuple(g.id for g in self._rows if g.id in self._marks)

    @property
    def chosen(self) -> tuple[str, ...]:
        """What a delete or add acts on: the marked rows, else the selected one."""
        if self._marks:
            return self.marked
        return (self.selected.id,) if self.selected is not None else ()

    @property
    def selected(self) -> Generation | None:
        row = self.table.cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- data handed down ------------------------------------------------------------

    def on_mount(self) -> None:
        self.age_timer = self.set_interval(AGE_REFRESH_S, self.refresh_ages)

    def set_now(self, now: datetime) -> None:
        """A fixed time that "created … ago" is measured from (for stable pictures)."""
        self._clock = None
        self._now = now

    def set_clock(self, now: Callable[[], datetime]) -> None:
        """Where "created … ago" reads the time: rows shown later, and every minute."""
        self._clock = now
        self._now = now()

    def set_progress(self, progress: ProgressOf) -> None:
        """Where a row in progress learns how far along it is (elapsed, time left)."""
        self._progress = progress
        self.refresh_progress()

    def progress(self, generation: Generation) -> Progress | None:
        """How far along `generation` is, or None when it is not in progress."""
        if not generation.in_progress:
            return None
        if self._progress is not None:
            return self._progress(generation)
        from fttui.session.following import progress_of, utc_now

        return progress_of(generation, (self._clock or utc_now)())

    def _last_seen_progress(self, row: ListedGeneration) -> Progress | None:
        """A last-seen row's progress, as the session will say it when it takes over."""
        if not row.in_progress:
            return None
        from fttui.session.following import progress_of, utc_now

        return progress_of(row, (self._clock or utc_now)())

    def _status_cell(self, generation: ListedGeneration, progress: Progress | None) -> Text:
        if progress is None:
            return status_text(generation.status)
        if progress.stalled:
            glyph, style = STALLED_GLYPH
            return Text(f"{glyph} {progress.short}", style=style)
        # The running time takes the glyph's place: "processing 0:42" fits the column.
        _, style = STATUS_GLYPHS.get(progress.status, ("", "yellow"))
        return Text(progress.short, style=style)

    def refresh_progress(self) -> None:
        """Bring the rows in progress up to date ("processing 0:43"): their status cells
        only, and only those whose text changed; the timer runs only while there are any."""
        table = self.query_one(_Table)
        for generation_id in list(self._ticking):
            index = self._index.get(generation_id)
            if index is None:
                self._ticking.discard(generation_id)
                continue
            generation = self._rows[index]
            cell = self._status_cell(generation, self.progress(generation))
            if table.get_cell(generation_id, "status") != cell:
                table.set_cell(generation_id, "status", cell)
        self._keep_ticking()

    def _keep_ticking(self) -> None:
        if self._ticking and self.progress_timer is None and self.is_attached:
            self.progress_timer = self.set_interval(PROGRESS_REFRESH_S, self.refresh_progress)
        elif not self._ticking and self.progress_timer is not None:
            self.progress_timer.stop()
            self.progress_timer = None

    def refresh_ages(self) -> None:
        """Bring "created … ago" up to date, redrawing only the cells whose text changed."""
        if self._clock is None:
            return
        before, self._now = self._now, self._clock()
        if "created" not in self._column_keys():
            return
        for generation in self._rows:
            text = relative_time(generation.created_at, self._now)
            if text != relative_time(generation.created_at, before):
                self.query_one(_Table).set_cell(generation.id, "created", Text(text))

    def show_last_seen(
        self, rows: Sequence[ListedGeneration], *, total: int, exhausted: bool
    ) -> None:
        """Draw the cache's first page as last seen, before the session can hand its models
        down: rows to look at (none is selected, opened or played) until `show` replaces
        them with the same rows, so nothing moves then. Ignored once `show` listed rows."""
        if self._rows or not rows:
            return
        if self._clock is not None:
            self._now = self._clock()
        self.table.clear()
        self._last_seen = list(rows)
        self._add_last_seen()
        self._total, self._exhausted, self._waiting = total, exhausted, False
        self._summarise()

    @property
    def showing_last_seen(self) -> bool:
        """Whether the rows are the cache's, drawn at start before the models were loaded."""
        return bool(self._last_seen)

    def _add_last_seen(self) -> None:
        for row in self._last_seen:
            self.table.add_row(*self._row_cells(row, self._last_seen_progress(row)), key=row.id)

    def show(self, rows: Sequence[Generation], *, total: int, exhausted: bool) -> None:
        """Replace the rows (a new query, or a refresh); keep the cursor on the same id."""
        keep = self.selected.id if self.selected else None
        if self._last_seen:  # the cursor was moved on the rows drawn at start
            cursor = self.table.cursor_row
            if 0 <= cursor < len(self._last_seen):
                keep = self._last_seen[cursor].id
            self._last_seen = []
        if self._restore is not None:
            keep, self._restore = self._restore, None
        if self._clock is not None:
            self._now = self._clock()
        self._rows = []
        self._index = {}
        self._ticking = set()
        self.table.clear()
        self._add(rows)
        self._marks &= self._index.keys()  # a mark never acts on a row out of sight
        self._total, self._exhausted, self._waiting = total, exhausted, False
        if keep is not None and keep in self._index:
            self.table.move_cursor(row=self._index[keep], animate=False)
        self._summarise()
        self.post_message(self.Highlighted(self.selected))

    def append(self, rows: Sequence[Generation], *, total: int, exhausted: bool) -> None:
        """Add the next page under the rows already shown."""
        self._add([g for g in rows if g.id not in self._index])
        self._total, self._exhausted, self._waiting = total, exhausted, False
        self._summarise()

    def update(self, generation: Generation) -> None:
        """A generation changed (the watcher saw it move on): redraw its row only."""
        index = self._index.get(generation.id)
        if index is None:
            return
        self._rows[index] = generation
        if generation.in_progress:
            self._ticking.add(generation.id)
        else:
            self._ticking.discard(generation.id)
        for key, value in zip(self._column_keys(), self._cells(generation), strict=False):
            self.table.update_cell(generation.id, key, value)
        self._keep_ticking()
        if index == self.table.cursor_row:
            self.post_message(self.Highlighted(generation))

    def drop(self, generation_id: str) -> None:
        """Drop a generation that no longer exists."""
        self.remove_rows([generation_id])

    def remove_rows(self, ids: Sequence[str]) -> None:
        """Drop the rows of generations that no longer exist (deleted here or elsewhere)."""
        gone = {i for i in ids if i in self._index}
        if not gone:
            return
        for generation_id in gone:
            self.table.remove_row(generation_id)
        self._rows = [g for g in self._rows if g.id not in gone]
        self._ticking -= gone
        self._keep_ticking()
        self._index = {g.id: i for i, g in enumerate(self._rows)}
        self._marks -= gone
        self._total = max(0, self._total - len(gone))
        self._summarise()
        self.post_message(self.Highlighted(self.selected))

    def toggle_mark(self, generation_id: str) -> None:
        """Mark the row, or unmark it if it is marked."""
        if generation_id not in self._index:
            return
        self._marks ^= {generation_id}
        self._redraw_title(generation_id)
        self._summarise()

    def clear_marks(self) -> None:
        """Unmark every row."""
        marked, self._marks = self.marked, set()
        for generation_id in marked:
            self._redraw_title(generation_id)
        self._summarise()

    def _redraw_title(self, generation_id: str) -> None:
        generation = self._rows[self._index[generation_id]]
        self.query_one(_Table).set_cell(generation_id, "title", self._title(generation))

    def move_to(self, generation_id: str) -> bool:
        """Put the cursor on `generation_id`; False when it is not among the loaded rows."""
        index = self._index.get(generation_id)
        if index is None:
            return False
        self.table.move_cursor(row=index, animate=False)
        return True

    def set_loading(self, loading: bool) -> None:
        """Say that older generations are on their way from the server."""
        self._waiting = loading
        self._summarise()

    # --- building rows --------------------------------------------------------------------

    def _column_keys(self) -> list[str]:
        return [key for key, _, _, least in _COLUMNS if self._layout[1] >= least]

    def _cells(self, generation: Generation) -> list[Text]:
        return self._row_cells(generation, self.progress(generation))

    def _row_cells(self, generation: ListedGeneration, progress: Progress | None) -> list[Text]:
        params = generation.parameters
        key, scale = params.key_and_scale
        cells = {
            "title": self._title(generation),
            "status": self._status_cell(generation, progress),
            "duration": Text(minutes_seconds(generation.length_seconds), justify="right"),
            "bpm": Text("–" if params.bpm is None else str(params.bpm), justify="right"),
            "keyscale": Text(clean(" ".join(p for p in (key, scale and scale[:3]) if p)) or "–"),
            "created": Text(relative_time(generation.created_at, self._now)),
            "plays": Text(count(generation.play_count), justify="right"),
        }
        return [cells[key] for key in self._column_keys()]

    def _title(self, generation: ListedGeneration) -> Text:
        label = self.batch_labels.get(generation.id)
        tag = Text(f"◇ {clean(label)} ", style="dim") if label else Text()
        width = self._layout[0] - len(tag)
        if generation.id not in self._marks:
            title = title_text(generation, width)
            return tag.append_text(title) if label else title  # keeps the title's own style
        return (
            Text(MARK, style="bold")
            .append_text(tag)
            .append_text(title_text(generation, width - len(MARK)))
        )

    def _add(self, rows: Sequence[Generation]) -> None:
        for generation in rows:
            self._index[generation.id] = len(self._rows)
            self._rows.append(generation)
            if generation.in_progress:
                self._ticking.add(generation.id)
            self.table.add_row(*self._cells(generation), key=generation.id)
        self._keep_ticking()

    def _build_columns(self) -> None:
        table = self.table
        keep = table.cursor_row
        table.clear(columns=True)
        for key in self._column_keys():
            label, width = next((lbl, w) for k, lbl, w, _ in _COLUMNS if k == key)
            table.add_column(label, key=key, width=width or self._layout[0])
        rows, self._rows, self._index = self._rows, [], {}
        self._add(rows)
        self._add_last_seen()
        shown = len(rows) + len(self._last_seen)
        if shown:
            table.move_cursor(row=min(keep, shown - 1), animate=False)

    def _summarise(self) -> None:
        shown = len(self._rows) or len(self._last_seen)
        noun = "generation" if max(shown, self._total) == 1 else "generations"
        if self._total > shown:
            text = f"{shown:,} of {self._total:,} {noun}"
        else:
            text = f"{shown:,} {noun}"
        if not shown and not self._waiting:
            text = (
                "Nothing matches"
                if self.query_text or self.status_filter
                else "No generations yet: press n to describe one"
            )
        if self._waiting:
            text += ", loading more…"
        elif not self._exhausted and shown:
            text += ", scroll for more"
        if self._marks:
            text += f" · {len(self._marks):,} marked (D deletes, a adds to a playlist)"
        if self._history:
            text += f" · {self._history}"
        self.query_one("#list-summary", Static).update(text)

    def show_history(self, text: str) -> None:
        """The whole-history backfill's progress in the count line ("" hides it)."""
        if text != self._history:
            self._history = text
            self._summarise()

    def _ask_for_more(self) -> None:
        # Not on the rows drawn at start: the session's own page follows them at once.
        if not self._exhausted and not self._waiting and not self._last_seen:
            self._waiting = True
            self._summarise()
            self.post_message(self.NeedMore(len(self._rows), self.query_text, self.status_filter))

    # --- events -------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        width = event.size.width
        fixed = sum(w + 2 for _, _, w, least in _COLUMNS if w and width >= least)
        # 2 for the title's own padding, 2 for a vertical scrollbar, 2 for the border.
        layout = (max(12, width - fixed - 6), width)
        if layout != self._layout:
            self._layout = layout
            self._build_columns()

    @on(_Table.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self.selected))
        if event.cursor_row >= len(self._rows) - PREFETCH_ROWS:
            self._ask_for_more()

    @on(_Table.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.selected is not None:
            self.post_message(self.Opened(self.selected))

    @on(NearEnd)
    def _near_end(self, event: NearEnd) -> None:
        event.stop()
        if self._rows:
            self._ask_for_more()

    @on(Input.Changed, "#search")
    @on(Select.Changed, "#status-filter")
    def _query_changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.QueryChanged(self.query_text, self.status_filter))

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_search(self) -> None:
        """Focus the search box."""
        for field in self.query("#search").results(Input):
            field.focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if event.widget.id == "search" and self.selected is not None:
            self._before_search = self.selected.id

    def restore_cursor(self) -> None:
        """Put the cursor back where it was before the search (at the next `show`)."""
        self._restore = self._before_search

    def action_cycle_filter(self) -> None:
        """Show all, then each status in turn."""
        select: Select[str] | None = next(self.query("#status-filter").results(Select), None)
        if select is None:
            return  # not mounted yet (the first frame's few milliseconds)
        from fttui.api.models import STATUSES

        order: list[StatusFilter | None] = [None, *map(as_status, STATUSES)]
        following = order[(order.index(self.status_filter) + 1) % len(order)]
        if following is None:
            select.clear()
        else:
            select.value = following

    def action_toggle_mark(self) -> None:
        """Mark the selected row, or unmark it; the cursor moves on (mark a run quickly)."""
        if self.selected is not None:
            self.toggle_mark(self.selected.id)
            self.table.action_cursor_down()

    def action_delete(self) -> None:
        """Ask for the marked rows (else the selected one) to be deleted."""
        if self.chosen:
            self.post_message(self.DeleteRequested(self.chosen))

    def action_add_to_playlist(self) -> None:
        """Ask for the marked rows (else the selected one) to go into a playlist."""
        if self.chosen:
            self.post_message(self.AddToPlaylistRequested(self.chosen))

    def focus_table(self) -> None:
        """Put the keyboard on the rows."""
        self.table.focus()
