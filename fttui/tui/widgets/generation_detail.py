"""Every field of one generation, including a failed one's error message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from fttui.tui.text import clean, count, literal, minutes_seconds, status_text

if TYPE_CHECKING:
    # Annotation only: the pane is in the first frame, pydantic comes after it.
    from fttui.api.models import Generation
    from fttui.session.following import Progress

PROGRESS_REFRESH_S = 1.0
"""How often the progress line of a generation in progress is brought up to date."""


def failure_reason(error_message: str | None) -> str:
    """Why a generation failed, lower-case, without the server's "Generation failed:"
    in front: shown under a heading or after a title that already says it failed."""
    reason = (error_message or "").strip()
    if reason.lower().startswith("generation failed"):
        reason = reason[len("generation failed") :].lstrip(" :-—")
    reason = reason or "no reason given"
    return reason[0].lower() + reason[1:] if not reason[1:2].isupper() else reason


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "–"


def _size(size: int | None) -> str:
    if size is None:
        return "–"
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} B"


def title_line(generation: Generation) -> Text:
    """The list's title: the title, else the prompt in italics, said to be the prompt."""
    if generation.title:
        return literal(generation.title)
    prompt = generation.prompt or generation.parameters.tags or generation.id
    return literal(prompt, "italic").append(" (no title: the prompt)", style="dim")


def audio_link(url: str | None) -> RenderableType:
    """The audio URL on one line, cut with an ellipsis, and the key that copies it whole:
    a URL folded over lines cannot be selected in one piece, nor clicked."""
    if not url:
        return "–"
    link = literal(url)
    link.no_wrap, link.overflow = True, "ellipsis"
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(no_wrap=True)
    row.add_row(link, Text("c copy", style="dim"))
    return row


BACK_HINT = " · esc back"
"""After the detail's title while it has the keyboard (or fills the screen)."""
LABEL_WIDTH = 10


def _grid(pairs: int) -> Table:
    """Label and value columns, `pairs` times side by side; labels of one width, so
    one grid's values line up with the next one's."""
    table = Table.grid(padding=(0, 1), expand=True)
    for _ in range(pairs):
        table.add_column(style="bold", no_wrap=True, width=LABEL_WIDTH)
        table.add_column(ratio=1, overflow="fold")
    return table


def describe(generation: Generation) -> RenderableType:
    """The generation's fields, every value shown literally.

    The long ones (title, prompt, error, links) take a line each; the short ones go two
    to a line, so that the whole of it fits the side pane without scrolling. A
    generation in progress has its status on a line of its own (see `GenerationDetail`),
    which ticks with the time it has run.
    """
    params = generation.parameters
    key, scale = params.key_and_scale
    long: list[tuple[str, Text | str]] = [
        ("Title", title_line(generation)),
        ("Prompt", literal(generation.prompt or params.tags or "–", single_line=False)),
    ]
    if generation.error_message or generation.status.lower() == "failed":
        reason = failure_reason(generation.error_message)
        error = literal(reason[0].upper() + reason[1:], "bold red")
        long.insert(1, ("Error", error))
    status: list[tuple[str, Text | str]] = [("Status", status_text(generation.status))]
    short: list[tuple[str, Text | str]] = [
        *([] if generation.in_progress else status),
        ("Seed", "–" if params.seed is None else str(params.seed)),
        ("Duration", minutes_seconds(generation.length_seconds)),
        ("BPM", "–" if params.bpm is None else str(params.bpm)),
        ("Key", literal(" ".join(p for p in (key, scale) if p) or "–")),
        ("Time sig", literal(f"{params.timesignature}/4" if params.timesignature else "–")),
        ("Language", literal(params.language or "–")),
        ("Public", {True: "yes", False: "no", None: "–"}[generation.is_public]),
        ("Created", _when(generation.created_at)),
        ("Completed", _when(generation.completed_at)),
        (
            "Gen. time",
            "–" if generation.generation_time is None else f"{generation.generation_time:.1f} s",
        ),
        ("File size", _size(generation.file_size)),
        ("Plays", count(generation.play_count)),
        ("Likes", count(generation.like_count)),
        ("Downloads", count(generation.download_count)),
    ]
    links: list[tuple[str, RenderableType]] = [
        ("Audio", audio_link(generation.audio_url)),
        ("Id", literal(generation.id)),
    ]
    head, tail, middle = _grid(1), _grid(1), _grid(2)
    for label, value in long:
        head.add_row(label, value)
    for index in range(0, len(short), 2):
        middle.add_row(*(cell for pair in short[index : index + 2] for cell in pair))
    for label, link in links:
        tail.add_row(label, link)
    parts: list[RenderableType] = [head, middle, tail]
    if params.lyrics:
        parts += [Text("\nLyrics", style="bold"), literal(params.lyrics, single_line=False)]
    return Group(*parts)


class GenerationDetail(VerticalScroll):
    """The selected generation in full; empty when nothing is selected."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static(Text("Select a generation to see its details.", style="dim"))
        # Its own line, so that the elapsed time redraws one line a second, not the pane.
        self._progress_line = Static("", id="detail-progress")
        self._progress_line.styles.dock = "top"  # above the fields, and in sight when scrolled
        self._progress_line.display = False
        self._progress: Callable[[Generation], Progress | None] | None = None
        self.progress_timer: Timer | None = None
        self.generation: Generation | None = None
        self._loading = False  # the cached rows show, their details are still to come

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body
        yield self._progress_line

    def set_progress(self, progress: Callable[[Generation], Progress | None]) -> None:
        """Where a generation in progress learns how far along it is."""
        self._progress = progress
        self.refresh_progress()

    def progress_text(self) -> Text | None:
        """The progress line for the generation shown, or None when it is not running."""
        generation = self.generation
        if generation is None or not generation.in_progress:
            return None
        if self._progress is not None:
            progress = self._progress(generation)
        else:
            from fttui.session.following import progress_of, utc_now

            progress = progress_of(generation, utc_now())
        label = ("Status".ljust(LABEL_WIDTH + 1), "bold")  # in line with the grid below
        if progress is None:  # no createdAt to count from: the status alone
            return Text.assemble(label, status_text(generation.status))
        if progress.stalled:
            from fttui.session.following import STALLED_ADVICE

            return Text.assemble(label, (progress.long, "bold red"), "\n", (STALLED_ADVICE, "red"))
        return Text.assemble(label, (progress.long, "yellow"))

    def refresh_progress(self) -> None:
        """Redraw the progress line if its text changed; tick only while it is shown."""
        text = self.progress_text()
        line = self._progress_line
        if text is None:
            if line.display:
                line.display = False
            if self.progress_timer is not None:
                self.progress_timer.stop()
                self.progress_timer = None
            return
        if not line.display or str(line.content) != text.plain:
            line.update(text)
            line.display = True
        if self.progress_timer is None and self.is_attached:
            self.progress_timer = self.set_interval(PROGRESS_REFRESH_S, self.refresh_progress)

    def on_focus(self) -> None:
        # Focused, the arrows scroll it and esc goes back: say so in its frame.
        title = str(self.border_title or "")
        if not title.endswith(BACK_HINT):
            self.border_title = title + BACK_HINT
        self.styles.border = ("round", self.app.current_theme.primary)

    def on_blur(self) -> None:
        self.border_title = str(self.border_title or "").removesuffix(BACK_HINT)
        self.styles.clear_rule("border")

    def show_loading(self) -> None:
        """Say the details are coming: the rows drawn at start are the cache's, and their
        full details need the models, loaded just after."""
        self._loading = True
        self._body.update(Text("Loading the details…", style="dim"))

    def show(self, generation: Generation | None) -> None:
        """Show `generation` (or the hint when None)."""
        if generation == self.generation and not self._loading:
            return  # unchanged: skip the redraw (cheap over slow links)
        self._loading = False
        self.generation = generation
        if generation is None:
            self._body.update(Text("Select a generation to see its details.", style="dim"))
            self.border_subtitle = ""
        else:
            self._body.update(describe(generation))
            self.border_subtitle = clean(generation.status)
        self.refresh_progress()
