"""The player bar and the remote-play screen, in a tiny app."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from fttui.audio.backends.null_backend import NullBackend
from fttui.audio.cache import AudioCache
from fttui.audio.download import MediaFetcher
from fttui.audio.player import Player, PlayerState
from fttui.audio.remote import osc52_copy
from fttui.audio.testing import encode_wav, tone_pcm, wait_until
from fttui.audio.track import Track
from fttui.tui.screens.remote_play import RemoteChoice, RemotePlayScreen, link_text
from fttui.tui.widgets.player_bar import PlayerBar, progress_line


class BarApp(App[None]):
    def __init__(self, poll: Any = None) -> None:
        super().__init__()
        self.bar = PlayerBar(poll)

    def compose(self) -> ComposeResult:
        yield self.bar


def _plain(bar: PlayerBar) -> str:
    return bar.render().plain


async def test_shows_title_time_and_volume_without_interpreting_markup() -> None:
    app = BarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        app.bar.show(
            PlayerState(
                status="paused",
                title="[bold red]Not styled[/]\x1b[2J",
                position_s=83.0,
                duration_s=180.0,
                volume=0.8,
            )
        )
        await pilot.pause()
        text = _plain(app.bar)
        assert "[bold red]Not styled[/]" in text
        assert "\x1b" not in text
        assert "1:23 / 3:00" in text
        assert "vol 80%" in text
        assert "⏸" in text


async def test_the_timer_runs_only_while_playing() -> None:
    position = [0.0]

    def poll() -> PlayerState:
        position[0] += 1.0
        return PlayerState(status="playing", title="T", position_s=position[0], duration_s=60)

    app = BarApp(poll)
    async with app.run_test(size=(80, 5)) as pilot:
        assert not app.bar.ticking  # idle: no timer
        app.bar.show(PlayerState(status="playing", title="T", duration_s=60))
        await pilot.pause()
        assert app.bar.ticking
        await wait_until(lambda: app.bar.state.position_s >= 2.0)
        app.bar.show(PlayerState(status="paused", title="T", position_s=5, duration_s=60))
        await pilot.pause()
        assert not app.bar.ticking
        polled = position[0]
        await pilot.pause(0.6)  # longer than two ticks: nothing may poll now
        assert position[0] == polled


async def test_no_device_message_offers_what_works() -> None:
    app = BarApp()
    async with app.run_test(size=(100, 5)) as pilot:
        app.bar.show(
            PlayerState(
                status="error",
                title="Song",
                device_ok=False,
                message="No audio device (no sound card could be opened)",
            )
        )
        await pilot.pause()
        text = _plain(app.bar)
        assert "No audio device (no sound card could be opened)" in text
        assert "copy link" in text
        assert "download" in text


def test_progress_line_in_half_cells() -> None:
    assert progress_line(90, 180, 10).plain == "━━━━━─────"
    assert progress_line(99, 180, 10).plain == "━━━━━╸────"
    assert progress_line(5, None, 4).plain == "────"


async def test_bar_follows_a_real_player(tmp_path: Any) -> None:
    cache = AudioCache(tmp_path / "cache")
    data = encode_wav(tone_pcm(5.0))
    part = cache.part_path_for("w")
    part.write_bytes(data)
    cache.commit("w", part, len(data))
    player = Player(NullBackend(), MediaFetcher(cache))
    app = BarApp(lambda: player.state)
    async with app.run_test(size=(80, 5)) as pilot:
        player.subscribe(app.bar.show)
        await player.play(Track("w", "Wave", "http://127.0.0.1:9/w.wav", duration_s=5.0))
        await wait_until(lambda: app.bar.state.position_s >= 0.5)
        assert app.bar.ticking
        assert "0:0" in _plain(app.bar)
        player.toggle_pause()
        await pilot.pause()
        assert not app.bar.ticking
        await player.close()


class RemoteApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.result: list[RemoteChoice | None] = []
        self.written: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(
            RemotePlayScreen("[i]Song[/i]", "https://media.example/a.mp3", "Over SSH"),
            self.result.append,
        )


async def test_remote_screen_copies_the_link_with_osc52() -> None:
    app = RemoteApp()
    async with app.run_test() as pilot:
        driver = app._driver
        assert driver is not None
        original = driver.write
        driver.write = lambda data: (app.written.append(data), original(data))[1]  # type: ignore[method-assign]
        await pilot.press("c")
        await pilot.pause()
    assert app.clipboard == "https://media.example/a.mp3"
    assert osc52_copy("https://media.example/a.mp3") in app.written
    assert app.result == ["copied"]


async def test_remote_screen_download_and_escape() -> None:
    app = RemoteApp()
    async with app.run_test() as pilot:
        title = app.screen.query_one("#remote-title")
        assert "[i]Song[/i]" in str(title.render())
        await pilot.press("d")
        await pilot.pause()
    assert app.result == ["download"]


def test_link_is_a_clickable_osc8_link() -> None:
    text = link_text("https://media.example/a.mp3\x1b]8;;evil\x07")
    assert text.plain == "https://media.example/a.mp3]8;;evil"
    assert text.style.link == "https://media.example/a.mp3]8;;evil"  # type: ignore[union-attr]
