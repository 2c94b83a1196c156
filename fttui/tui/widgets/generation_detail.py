"""Every field of one generation, including a failed one's error message."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from fttui.api.models import Generation
from fttui.tui.text import clean, count, literal, minutes_seconds, status_text


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "–"


def _size(size: int | None) -> str:
    if size is None:
        return "–"
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} B"


def describe(generation: Generation) -> RenderableType:
    """A two-column table of the generation's fields, every value shown literally."""
    params = generation.parameters
    key, scale = params.key_and_scale
    rows: list[tuple[str, Text | str]] = [
        ("Title", literal(generation.title or "(untitled)")),
        ("Status", status_text(generation.status)),
        ("Prompt", literal(generation.prompt or params.tags or "–", single_line=False)),
        ("Duration", minutes_seconds(generation.length_seconds)),
        ("BPM", "–" if params.bpm is None else str(params.bpm)),
        ("Key", literal(" ".join(p for p in (key, scale) if p) or "–")),
        ("Time sig", literal(f"{params.timesignature}/4" if params.timesignature else "–")),
        ("Language", literal(params.language or "–")),
        ("Seed", "–" if params.seed is None else str(params.seed)),
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
        ("Public", {True: "yes", False: "no", None: "–"}[generation.is_public]),
        ("Audio", literal(generation.audio_url or "–")),
        ("Id", literal(generation.id)),
    ]
    if generation.error_message or generation.status.lower() == "failed":
        rows.insert(
            2, ("Error", literal(generation.error_message or "(no reason given)", "bold red"))
        )
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for label, value in rows:
        table.add_row(label, value)
    if params.lyrics:
        lyrics = literal(params.lyrics, single_line=False)
        return Group(table, Text("\nLyrics", style="bold"), lyrics)
    return table


class GenerationDetail(VerticalScroll):
    """The selected generation in full; empty when nothing is selected."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._body = Static(Text("Select a generation to see its details.", style="dim"))
        self.generation: Generation | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body

    def show(self, generation: Generation | None) -> None:
        """Show `generation` (or the hint when None)."""
        if generation == self.generation:
            return  # unchanged: skip the redraw (cheap over slow links)
        self.generation = generation
        if generation is None:
            self._body.update(Text("Select a generation to see its details.", style="dim"))
            self.border_subtitle = ""
        else:
            self._body.update(describe(generation))
            self.border_subtitle = clean(generation.status)
