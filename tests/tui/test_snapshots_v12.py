"""Pictures of the v1.2 screens, narrow and wide: the playlists, one opened, the picker.

Deterministic by construction: fake data from the real API models (no times shown), a
fixed terminal size and no animations.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from fttui.api.bulk import MoveResult
from fttui.tui.screens.playlists import PlaylistPicker

from .playlist_data import FOCUS, SUMMARIES
from .test_playlists import PlaylistsApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


async def _still(pilot: Pilot[Any]) -> None:
    pilot.app.animation_level = "none"
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_playlists_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(PlaylistsApp(), terminal_size=size, run_before=_still)


@pytest.mark.parametrize("size", SIZES)
def test_playlist_opened_with_a_failed_move(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _still(pilot)
        await pilot.press("enter")
        await pilot.pause()
        app: Any = pilot.app
        assert app.screen_under_test.open_playlist is FOCUS
        result = MoveResult.model_validate(
            {"moved": ["t1"], "errors": [{"trackId": "t2", "error": "Track already in playlist"}]}
        )
        app.screen_under_test.show_results(result, "moved")
        await pilot.pause()

    assert snap_compare(PlaylistsApp(), terminal_size=size, run_before=run_before)


class PickerApp(App[None]):
    """The playlist picker alone, filled with the fake playlists, over an empty screen."""

    async def on_mount(self) -> None:
        picker = PlaylistPicker(3)
        await self.push_screen(picker)  # filled once shown, as the server's answer would
        picker.show_playlists(SUMMARIES)


@pytest.mark.parametrize("size", SIZES)
def test_playlist_picker_for_three_marked_generations(
    snap_compare: Any, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _still(pilot)
        await pilot.press("down")  # the second playlist highlighted
        await pilot.pause()

    assert snap_compare(PickerApp(), terminal_size=size, run_before=run_before)
