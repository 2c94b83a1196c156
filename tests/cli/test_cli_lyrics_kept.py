"""Lyrics sent by `fttui generate` are kept for the app: the API never echoes them, so
the cache holds them until the generation itself arrives (the app's next refresh), and
the app shows them as for a submission of its own."""

from __future__ import annotations

from fttui.sim.server import RunningSim
from tests.cli.test_cli_v12 import run_json
from tests.tui.helpers import make_app, wait_for

LYRICS = "[Chorus]\nTyped in a shell,\nsung in the app"


async def test_lyrics_sent_from_the_command_line_show_in_the_app(sim: RunningSim) -> None:
    made = run_json(
        "generate", "shell ballad", "--lyrics", LYRICS, "--duration", "12",
        "--base-url", sim.base_url,
    )  # fmt: skip
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(
            pilot, lambda: any(r.id == made["id"] for r in app.main.listing.rows), "the row"
        )
        session = app.session
        assert session is not None
        cached = session.cached(made["id"])
        assert cached is not None and cached.parameters.lyrics == LYRICS
