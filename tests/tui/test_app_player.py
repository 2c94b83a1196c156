"""The preview player in the whole app, against the simulator, with the null backend.

The simulator runs on a clock that never moves, so its newest generation stays in
progress and the four older ones are finished, in a fixed order: row 0 is processing,
rows 1 to 4 can be played.
"""

from __future__ import annotations

from typing import Any

import mutagen.id3
import pytest
from textual.pilot import Pilot

from fttui.audio.backends import DeviceInfo, FrameSource, NoAudioDevice
from fttui.audio.cache import AudioCache
from fttui.audio.player import PlayerState
from fttui.audio.remote import osc52_copy
from fttui.tui.app import FttuiApp
from fttui.tui.commands import BindingCommands, describe_bindings
from fttui.tui.screens.remote_play import RemotePlayScreen
from fttui.tui.widgets.player_bar import PlayerBar

from .helpers import make_app, wait_for

SIZE = (160, 48)
NO_DEVICE = "No audio device (no sound card could be opened)"


class NoDeviceBackend:
    """A machine without a sound card: opening the device fails, as miniaudio's would."""

    name = "nodevice"

    def __init__(self) -> None:
        self.opened = 0

    def open(self) -> DeviceInfo:
        self.opened += 1
        raise NoAudioDevice(NO_DEVICE)

    def start(self, source: FrameSource) -> None:
        raise AssertionError("never started without a device")

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


pytestmark = pytest.mark.usefixtures("local_terminal")


def _bar(app: FttuiApp) -> PlayerBar:
    return app.main.query_one(PlayerBar)


def _state(app: FttuiApp) -> PlayerState:
    return _bar(app).state


def _messages(app: FttuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _ready(pilot: Pilot[Any], app: FttuiApp, row: int = 1) -> None:
    """The list is loaded, the keyboard is on it, the cursor on `row`."""
    main = app.main
    await wait_for(pilot, lambda: len(main.listing.rows) == 5, "the list")
    assert main.listing.rows[0].in_progress
    assert all(g.audio_url for g in main.listing.rows[1:])
    main.listing.focus_table()
    main.listing.table.move_cursor(row=row, animate=False)
    await pilot.pause()


async def _play_row_1(pilot: Pilot[Any], app: FttuiApp) -> str:
    await _ready(pilot, app)
    await pilot.press("space")
    await wait_for(pilot, lambda: _state(app).status == "playing", "playback")
    return app.main.listing.rows[1].id


async def test_space_plays_the_selected_generation_and_the_bar_follows(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _play_row_1(pilot, app)
        generation = app.main.listing.rows[1]
        bar = _bar(app)
        text = bar.render().plain
        assert generation.display_title in text
        assert "▶" in text
        assert bar.ticking
        # The bar reads the moving position itself (its timer), no announcement needed.
        await wait_for(pilot, lambda: _state(app).position_s >= 0.5, "the position to move")
        assert app.playback.player.track is not None
        assert app.playback.player.track.id == generation.id


async def test_pause_resume_seek_and_volume(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        track_id = await _play_row_1(pilot, app)
        # Seeking stops short of what has not arrived: let the whole file land first.
        await wait_for(pilot, lambda: AudioCache().lookup(track_id), "the download")
        await wait_for(pilot, lambda: _state(app).position_s >= 0.2, "some playing")
        await pilot.press("space")
        await wait_for(pilot, lambda: _state(app).status == "paused", "the pause")
        assert not _bar(app).ticking
        paused_at = _state(app).position_s

        # Paused, the position stands still, so each seek moves it by exactly its step.
        await pilot.press("right_curly_bracket")
        assert _state(app).position_s == pytest.approx(paused_at + 30, abs=0.05)
        await pilot.press("left_square_bracket")
        assert _state(app).position_s == pytest.approx(paused_at + 25, abs=0.05)
        await pilot.press("right_square_bracket")
        assert _state(app).position_s == pytest.approx(paused_at + 30, abs=0.05)
        await pilot.press("left_curly_bracket")
        assert _state(app).position_s == pytest.approx(paused_at, abs=0.05)
        assert "0:" in _bar(app).render().plain

        await pilot.press("plus")
        assert _state(app).volume == pytest.approx(0.9)
        assert "vol 90%" in _bar(app).render().plain
        await pilot.press("minus", "minus")
        assert _state(app).volume == pytest.approx(0.7)
        await pilot.press("equals_sign")
        assert _state(app).volume == pytest.approx(0.8)

        await pilot.press("space")
        await wait_for(pilot, lambda: _state(app).status == "playing", "the resume")
        await wait_for(
            pilot, lambda: _state(app).position_s > paused_at + 0.3, "the position to move on"
        )


async def test_stop_rewinds(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _play_row_1(pilot, app)
        await wait_for(pilot, lambda: _state(app).position_s >= 0.2, "some playing")
        await pilot.press("s")
        await wait_for(pilot, lambda: _state(app).status == "stopped", "the stop")
        assert _state(app).position_s == 0.0
        assert "■" in _bar(app).render().plain
        assert not _bar(app).ticking


async def test_next_and_previous_move_through_finished_generations(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _play_row_1(pilot, app)
        rows = app.main.listing.rows
        player = app.playback.player

        def playing(index: int) -> bool:
            track = player.track
            return track is not None and track.id == rows[index].id and player.state.active

        await pilot.press("full_stop")
        await wait_for(pilot, lambda: playing(2), "the next track")
        assert app.main.listing.selected == rows[2]  # the cursor (and the detail) follow
        await pilot.press("full_stop", "full_stop")
        await wait_for(pilot, lambda: playing(4), "two tracks further")
        await pilot.press("full_stop")
        await wait_for(
            pilot, lambda: any("No next" in m for m in _messages(app)), "the end of the list"
        )
        await pilot.press("comma")
        await wait_for(pilot, lambda: playing(3), "the previous track")
        assert app.main.listing.selected == rows[3]


async def test_playing_a_generation_in_progress_says_why_not(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app, row=0)
        await pilot.press("space")
        await wait_for(pilot, lambda: any("no audio yet" in m for m in _messages(app)), "a reason")
        assert _state(app).status == "idle"
        assert app.playback.player.track is None
        assert app.screen is app.main


async def test_d_saves_a_tagged_file_in_the_music_folder(library, fttui_home) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        generation = app.main.listing.rows[1]
        await pilot.press("d")
        await wait_for(pilot, lambda: any("Saved" in m for m in _messages(app)), "the save")
    saved = sorted((fttui_home / "music").glob("*.mp3"))
    assert len(saved) == 1
    path = saved[0]
    assert f"[{generation.id}]" in path.name
    assert any(str(path) in m for m in _messages(app))  # the notification shows where
    tags = mutagen.id3.ID3(path)
    assert str(tags["TIT2"]) == generation.display_title
    assert str(tags["TXXX:seed"]) == str(generation.parameters.seed)


async def test_no_audio_device_is_said_in_the_bar_and_offers_link_or_file(
    library, fttui_home
) -> None:
    backend = NoDeviceBackend()
    app = make_app(library.base_url, library.demo_key, audio_backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        state = _state(app)
        assert state.device_ok is False
        text = _bar(app).render().plain
        assert NO_DEVICE in text and "copy link" in text
        await pilot.press("d")  # the offer's "download"
        await wait_for(pilot, lambda: any("Saved" in m for m in _messages(app)), "the save")
        assert len(list((fttui_home / "music").glob("*.mp3"))) == 1
        # Known now: the play key offers the link again without trying the device again.
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        assert backend.opened == 1


async def test_over_ssh_the_play_key_offers_the_link_and_copies_it(
    library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.5 50000 198.51.100.7 22")
    app = make_app(library.base_url, library.demo_key)
    written: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        driver = app._driver
        assert driver is not None
        original = driver.write
        driver.write = lambda data: (written.append(data), original(data))[1]  # type: ignore[method-assign]
        await _ready(pilot, app)
        url = app.main.listing.rows[1].audio_url
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, RemotePlayScreen), "the offer")
        assert app.playback.player.device is None  # nothing plays on the remote machine
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen is app.main, "the offer to close")
    assert app.clipboard == url
    assert osc52_copy(url) in written


async def test_c_copies_the_selected_link(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app, row=2)
        await pilot.press("c")
        assert app.clipboard == app.main.listing.rows[2].audio_url


async def test_a_cached_track_replays_with_the_media_origin_down(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        track_id = await _play_row_1(pilot, app)
        await wait_for(pilot, lambda: AudioCache().lookup(track_id), "the download")
        await pilot.press("s")
        await wait_for(pilot, lambda: _state(app).status == "stopped", "the stop")
        library.stop_media()
        requests = len(library.media_requests)
        await pilot.press("space")
        await wait_for(pilot, lambda: _state(app).status == "playing", "the replay")
        await wait_for(pilot, lambda: _state(app).position_s >= 0.5, "the position to move")
        assert len(library.media_requests) == requests


async def test_typing_in_the_form_never_reaches_the_player(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _play_row_1(pilot, app)
        volume = _state(app).volume
        notes = len(app._notifications)
        await pilot.press("n")
        await pilot.press(*"s d c", "plus", "minus", "full_stop", "left_square_bracket")
        assert app.main.form.fields()["tags"] == "s d c+-.["
        # Off the text fields too: a button of the form does not take these keys.
        app.main.form.query_one("#seed-random").focus()
        await pilot.press("s", "d", "c", "comma")
        await pilot.pause()
        assert _state(app).status == "playing"
        assert _state(app).volume == volume
        assert app.clipboard == ""
        assert len(app._notifications) == notes  # nothing saved, nothing copied


async def test_help_and_palette_offer_the_player_keys(library) -> None:
    app = make_app(library.base_url, library.demo_key)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        rows = {description: keys for keys, description, _ in describe_bindings(app, app.main)}
        assert rows["Play/pause"] == "space"
        assert rows["Volume up"] == "+ ="  # every key of an action
        for wanted in (
            "Stop",
            "Seek back 5 s",
            "Seek forward 30 s",
            "Next track",
            "Download",
            "Copy link",
        ):
            assert wanted in rows
        hits = {str(hit.text): hit async for hit in BindingCommands(app.main).discover()}
        await hits["Play/pause"].command()
        await wait_for(pilot, lambda: _state(app).status == "playing", "playback from the palette")
