"""Sound effects in the app (`e`): listed apart from generations, played, saved.

The simulator runs on a clock the test moves: sound effects made through the API are
finished once the clock has moved past their making.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from fttui.api import ApiKey, FinetuningClient
from fttui.api.sound_effects import SoundEffect, SoundEffectRequest
from fttui.clock import VirtualClock
from fttui.sim.server import RunningSim
from fttui.tui.app import FttuiApp
from fttui.tui.screens.main import MainScreen
from fttui.tui.screens.sound_effects import SoundEffectsScreen

from .helpers import make_app, wait_for

SIZE = (120, 36)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture
def effects_sim(sim_factory: Any) -> tuple[RunningSim, VirtualClock]:
    clock = VirtualClock()
    return sim_factory(clock=clock, seed=3, generations=3, playlists=0), clock


async def _make(sim: RunningSim, clock: VirtualClock, *prompts: str) -> list[str]:
    """Sound effects made elsewhere (the web app), finished by moving the clock on."""
    made = []
    async with FinetuningClient(ApiKey(sim.demo_key), sim.base_url, clock=clock) as client:
        for prompt in prompts:
            request = SoundEffectRequest.from_fields({"prompt": prompt, "duration": 2})
            made.append((await client.create_sound_effect(request)).id)
            clock.advance(1.0)  # one after the other: the newest is the last made
    clock.advance(120.0)
    return made


def _note(screen: SoundEffectsScreen) -> str:
    return str(screen.query_one("#effects-note").render())


async def _open(pilot: Pilot[Any], app: FttuiApp) -> SoundEffectsScreen:
    await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
    app.main.listing.focus_table()
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, SoundEffectsScreen), "the screen")
    screen = app.screen
    assert isinstance(screen, SoundEffectsScreen)
    return screen


async def test_e_lists_the_sound_effects_apart_and_enter_plays_them_in_the_bar(
    effects_sim: tuple[RunningSim, VirtualClock],
) -> None:
    sim, clock = effects_sim
    door, rain = await _make(sim, clock, "a door slams", "rain on a tin roof")
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await wait_for(pilot, lambda: len(screen.effects) == 2, "the sound effects")
        assert [e.id for e in screen.effects] == [rain, door]  # newest first
        assert "2 sound effects" in _note(screen)
        # Not generations: the main list never shows them.
        assert not {door, rain} & {g.id for g in app.main.listing.rows}
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "back to the list")
        player = app.playback.player
        await wait_for(pilot, lambda: player.state.track_id == door, "the sound effect to play")
        assert player.state.title == "a door slams"
        assert [t.id for t in player.queue.tracks] == [door]  # the finished ones after it


async def test_d_saves_the_selected_sound_effect(
    effects_sim: tuple[RunningSim, VirtualClock], fttui_home: Path
) -> None:
    sim, clock = effects_sim
    await _make(sim, clock, "glass breaking")
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _open(pilot, app)
        await wait_for(pilot, lambda: len(screen.effects) == 1, "the sound effect")
        effect = screen.effects[0]
        await pilot.press("d")
        await wait_for(
            pilot,
            lambda: any("Saved" in str(n.message) for n in app._notifications),
            "the save",
        )
    [saved] = sorted((fttui_home / "music").glob("*.mp3"))
    assert f"[{effect.id}]" in saved.name and saved.stat().st_size > 1000


async def test_with_none_made_the_screen_says_how_to_make_one_and_esc_goes_back(
    effects_sim: tuple[RunningSim, VirtualClock],
) -> None:
    sim, _ = effects_sim
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await wait_for(pilot, lambda: "No sound effects yet" in _note(screen), "the note")
        assert "Sound effect" in _note(screen)  # where in the form to make one
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), "back to the list")


async def test_one_still_being_made_says_so_and_plays_nothing(
    effects_sim: tuple[RunningSim, VirtualClock],
) -> None:
    sim, clock = effects_sim
    async with FinetuningClient(ApiKey(sim.demo_key), sim.base_url, clock=clock) as client:
        request = SoundEffectRequest.from_fields({"prompt": "thunder", "duration": 4})
        await client.create_sound_effect(request)  # the clock stands still: not made yet
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await wait_for(pilot, lambda: len(screen.effects) == 1, "the sound effect")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "still being made" in _note(screen), "the reason")
        assert isinstance(app.screen, SoundEffectsScreen)
        assert app.playback.player.state.track_id is None


async def _make_many(sim: RunningSim, clock: VirtualClock, count: int) -> list[str]:
    """`count` sound effects made over days (100 a day), oldest first, all finished."""
    made = []
    async with FinetuningClient(ApiKey(sim.demo_key), sim.base_url, clock=clock) as client:
        for n in range(count):
            if n and n % 100 == 0:
                sim.set_sound_effects_used_today(0)  # the next day's 100
            request = SoundEffectRequest.from_fields({"prompt": f"click {n}", "duration": 1})
            made.append((await client.create_sound_effect(request)).id)
            clock.advance(1.5)  # under the 60 requests a minute
    clock.advance(120.0)
    return made


async def test_older_sound_effects_load_as_the_cursor_goes_down_each_once(
    effects_sim: tuple[RunningSim, VirtualClock],
) -> None:
    sim, clock = effects_sim
    made = await _make_many(sim, clock, 130)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await wait_for(pilot, lambda: len(screen.effects) == 100, "the newest page")
        assert "100 sound effects so far; older ones load as you go down" in _note(screen)
        # One made meanwhile moves the offsets on: the older page repeats one shown.
        newest = (await _make(sim, clock, "a late one"))[0]
        await pilot.press("ctrl+end")
        await wait_for(
            pilot, lambda: len(screen.effects) == 130, "the older page", seen=lambda: _note(screen)
        )
        assert [e.id for e in screen.effects] == made[::-1]  # in order, none twice
        assert newest not in {e.id for e in screen.effects}  # seen when the screen reopens
        assert _note(screen) == "130 sound effects. enter plays, d saves."
        table = screen.query_one("#effects", DataTable)
        assert table.row_count == 130


# --- pictures -------------------------------------------------------------------------------

EFFECTS = [
    SoundEffect.model_validate(
        {
            "id": f"sfx-{n}",
            "status": status,
            "prompt": prompt,
            "duration": duration,
            "audioUrl": None if status != "completed" else f"http://127.0.0.1:9/sfx-{n}.mp3",
            "createdAt": f"2026-12-0{5 - n}T10:0{n}:00Z",  # newest first
        }
    )
    for n, (prompt, status, duration) in enumerate(
        [
            ("thunder rolling over hills", "processing", None),
            ("a door slams in an empty hall", "completed", 2.0),
            ("rain on a tin roof, steady", "completed", 8.5),
            ("glass breaking on stone", "failed", None),
        ],
        start=1,
    )
]


class EffectsApp(App[None]):
    """The screen alone, handed fake sound effects."""

    async def on_mount(self) -> None:
        screen = SoundEffectsScreen()
        await self.push_screen(screen)
        screen.show_effects(EFFECTS, more=False)


@pytest.mark.parametrize("size", SIZES)
def test_sound_effects_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.animation_level = "none"
        await pilot.pause()
        pilot.app.screen.query_one(DataTable).move_cursor(row=1, animate=False)
        await pilot.pause()

    assert snap_compare(EffectsApp(), terminal_size=size, run_before=run_before)


def _effects(first: int, count: int) -> list[SoundEffect]:
    return [
        SoundEffect.model_validate({"id": f"sfx-{n}", "status": "completed", "prompt": f"p{n}"})
        for n in range(first, first + count)
    ]


class PagedApp(App[None]):
    """The screen alone; the pages it asks for are recorded, not fetched."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[int] = []

    async def on_mount(self) -> None:
        await self.push_screen(SoundEffectsScreen())

    def on_sound_effects_screen_older(self, event: SoundEffectsScreen.Older) -> None:
        self.asked.append(event.offset)


async def test_paging_moves_past_pages_already_shown_and_stops_at_an_empty_one() -> None:
    app = PagedApp()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SoundEffectsScreen)
        screen.show_effects(_effects(0, 100), more=True)
        screen.query_one(DataTable).move_cursor(row=99)
        await wait_for(pilot, lambda: app.asked == [100], "the first older page asked")
        # 100 new ones were made meanwhile: the page at 100 is the one shown, shifted.
        screen.add_older(_effects(0, 100), more=True)
        await wait_for(pilot, lambda: app.asked == [100, 200], "the next page asked")
        assert len(screen.effects) == 100  # none twice
        screen.add_older([], more=True)  # a server that says "more" and gives nothing
        await pilot.pause()
        await pilot.pause()
        assert app.asked == [100, 200]
        assert "older ones" not in _note(screen)
