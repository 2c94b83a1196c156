"""A quiet terminal: nothing is redrawn while nothing changes (issue 10, point 5).

Each test counts what the widgets ask to redraw (their `refresh` calls and the screen
regions those name) over simulated ticks, never time; bench/quiet.py counts the bytes
that reach a real terminal.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Input, TextArea

from fttui.audio.player import PlayerState
from fttui.sim.server import RunningSim
from fttui.tui.widgets.account_header import AccountHeader, RateHeadroom
from fttui.tui.widgets.generation_list import GenerationList
from fttui.tui.widgets.player_bar import PlayerBar
from tests.store.conftest import generation

from .helpers import make_app, started, wait_for

SSH_ENV = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")


class Redraws:
    """Every `refresh` a widget asks for: how many, and the regions (None: the whole)."""

    def __init__(self, widget: Widget) -> None:
        self.calls: list[tuple[Region, ...] | None] = []
        real = widget.refresh

        def counting(*regions: Region, **options: Any) -> Any:
            self.calls.append(regions or None)
            return real(*regions, **options)

        widget.refresh = counting  # type: ignore[method-assign]

    @property
    def cells(self) -> int:
        """The cells asked for in all (a whole-widget refresh counts as 10,000)."""
        return sum(
            10_000 if regions is None else sum(r.width * r.height for r in regions)
            for regions in self.calls
        )


# --- the player bar ---------------------------------------------------------------------


class BarApp(App[None]):
    def __init__(self, poll: Any) -> None:
        super().__init__()
        self.bar = PlayerBar(poll)

    def compose(self) -> ComposeResult:
        yield self.bar


def _playing(position: float) -> PlayerState:
    return PlayerState(
        status="playing", title="Rain", position_s=position, duration_s=180.0, volume=0.8
    )


def _part_redraws(bar: PlayerBar) -> dict[Widget, Redraws]:
    return {part: Redraws(part) for part in bar.query(Widget) if not part.children}


async def test_the_player_bar_redraws_once_per_shown_second_and_only_the_changed_parts() -> None:
    position = [10.0]
    app = BarApp(lambda: _playing(position[0]))
    async with app.run_test(size=(120, 5)) as pilot:
        app.bar.show(_playing(position[0]))
        await pilot.pause()
        whole = Redraws(app.bar)
        parts = _part_redraws(app.bar)
        for _ in range(16):  # 4 s of ticks, 4 a second: the time shown changes 4 times
            position[0] += 0.25
            app.bar._tick()
        assert whole.calls == []  # never both lines from the left edge
        redrawn = {part: len(r.calls) for part, r in parts.items() if r.calls}
        assert redrawn[app.bar.query_one("#position")] == 4  # once per shown second
        assert app.bar.query_one("#title") not in redrawn
        assert app.bar.query_one("#length") not in redrawn
        # The progress bar's tip: one chunk (two at a boundary) per second, not the line.
        chunks = sum(n for part, n in redrawn.items() if part.has_class("chunk"))
        assert 1 <= chunks <= 8  # of 12
        await pilot.pause()
        assert "0:14 / 3:00" in app.bar.render().plain


async def test_the_player_bar_shows_the_latest_time_on_the_terminal() -> None:
    position = [10.0]
    app = BarApp(lambda: _playing(position[0]))
    async with app.run_test(size=(80, 5)) as pilot:
        app.bar.show(_playing(position[0]))
        await pilot.pause()
        position[0] = 72.0
        app.bar._tick()
        await pilot.pause()
        # What the terminal shows: the screen's own lines, as composed from the parts.
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert "1:12 / 3:00  vol 80%" in lines[0]
        assert lines[1].strip() == "━" * 31 + "─" * 47  # 72 of 180 s: 40% of 78 cells


async def test_a_paused_player_bar_redraws_nothing() -> None:
    paused = PlayerState(status="paused", title="Rain", position_s=30.0, duration_s=180.0)
    app = BarApp(lambda: paused)
    async with app.run_test(size=(120, 5)) as pilot:
        app.bar.show(paused)
        await pilot.pause()
        redraws = [Redraws(app.bar), *_part_redraws(app.bar).values()]
        for _ in range(8):
            app.bar._tick()
        assert [r.calls for r in redraws if r.calls] == []


# --- the header's rate meter ------------------------------------------------------------


class HeaderApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AccountHeader()


async def test_the_rate_meter_redraws_only_when_its_value_changes() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 3)) as pilot:
        header = app.query_one(AccountHeader)
        header.rate = RateHeadroom(60, 59)
        await pilot.pause()
        redraws = Redraws(header)
        for _ in range(5):
            header.rate = RateHeadroom(60, 59)  # every answer reports it again
        assert redraws.calls == []
        header.rate = RateHeadroom(60, 58)
        assert len(redraws.calls) == 1


# --- relative times ---------------------------------------------------------------------


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield GenerationList(id="list")


async def test_relative_times_follow_the_clock_and_redraw_only_the_cells_that_changed() -> None:
    now = [datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)]
    rows = [generation(n) for n in (700, 650, 100)]  # 10 min, 1 h, 10 h ago
    assert rows[0].created_at is not None
    now[0] = rows[0].created_at + timedelta(minutes=10)
    app = ListApp()
    async with app.run_test(size=(120, 20)) as pilot:
        listing = app.query_one(GenerationList)
        listing.set_clock(lambda: now[0])
        listing.show(rows, total=3, exhausted=True)
        await pilot.pause()
        table = listing.table
        assert str(table.get_cell("gen-00700", "created")) == "10 min ago"
        redraws = Redraws(table)
        listing.refresh_ages()
        assert redraws.calls == []  # nothing changed: nothing redrawn
        now[0] += timedelta(minutes=1)
        listing.refresh_ages()
        # One cell: "1 h ago" and "10 h ago" stay as they are.
        assert len(redraws.calls) == 1
        (cell,) = redraws.calls[0] or ()
        assert cell.height == 1 and cell.width <= 12
        assert str(table.get_cell("gen-00700", "created")) == "11 min ago"


async def test_relative_times_refresh_at_most_once_a_minute() -> None:
    app = ListApp()
    async with app.run_test(size=(120, 20)):
        listing = app.query_one(GenerationList)
        assert listing.age_timer is not None
        assert listing.age_timer._interval >= 60


# --- the cursor -------------------------------------------------------------------------


def _text_fields(app: App[Any]) -> list[Input | TextArea]:
    return [*app.screen.query(Input).results(Input), *app.screen.query(TextArea).results(TextArea)]


async def test_no_text_field_blinks_its_cursor_over_ssh(
    sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.is_complete, "every field")
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        fields = _text_fields(app)
        assert {"tags", "lyrics", "search"} <= {field.id for field in fields}
        assert [field.id for field in fields if field.cursor_blink] == []
        await pilot.press("n")
        tags = app.main.query_one("#tags", Input)
        await wait_for(pilot, lambda: tags.has_focus, "the tags field focused")
        assert not tags.cursor_blink  # also when focused


async def test_a_local_terminal_keeps_the_blinking_cursor(
    sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    for other in SSH_ENV:
        monkeypatch.delenv(other, raising=False)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.is_complete, "every field")
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        assert all(field.cursor_blink for field in _text_fields(app))
