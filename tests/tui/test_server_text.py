"""Text from the server is shown literally: markup, links and escape sequences in a
title, prompt or error message never style, link or break the screen."""

from __future__ import annotations

import socket
from datetime import datetime, timezone

from rich.console import Console
from rich.text import Text
from textual.widgets import Static

from fttui import locations
from fttui.api.models import Generation
from fttui.sim.accounts import DEMO_KEY
from fttui.store import GenerationStore
from tests.tui.helpers import make_app, started, wait_for

HOSTILE = (
    "[b]bold[/b] [link=https://evil.example]click[/link] "
    "\x1b]8;;https://evil.example\x07osc8\x1b]8;;\x07 \x1b[2J\x1b[31mred\x1b[0m \u202eevil"
)


def _dead_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _assert_literal(text: Text) -> None:
    plain = text.plain
    assert "[b]bold[/b]" in plain
    assert "[link=https://evil.example]click[/link]" in plain
    for forbidden in ("\x1b", "\x07", "\u202e"):
        assert forbidden not in plain
    for span in text.spans:
        assert "link" not in str(span.style)
    assert "bold" not in str(text.style)


def _rendered(renderable: object) -> Text:
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return Text(console.export_text())


async def test_hostile_server_text_is_shown_literally() -> None:
    hostile = Generation(
        id="gen-hostile",
        title=HOSTILE,
        prompt=HOSTILE,
        status="failed",
        error_message=HOSTILE,
        created_at=datetime(2026, 1, 15, 10, 0, tzinfo=timezone.utc),
    )
    with GenerationStore(locations.database_file()) as store:
        store.upsert([hostile])
    app = make_app(_dead_url(), DEMO_KEY)  # offline: the cache is what is shown
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, app)
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 1, "the cached row")
        title_cell = main.listing.table.get_row_at(0)[0]
        assert isinstance(title_cell, Text)
        assert "\x1b" not in title_cell.plain and "[b]" in title_cell.plain
        for span in title_cell.spans:
            assert "link" not in str(span.style)
        await wait_for(pilot, lambda: main.detail.generation is not None, "the detail")
        # What the pane was given (`content`), not `render()`: Textual 8 wraps a Rich
        # renderable in a visual there, whose own text is only its repr.
        body = main.detail.query_one(Static).content
        detail_text = body if isinstance(body, Text) else _rendered(body)
        _assert_literal(detail_text)
        screen_text = app.export_screenshot()
        assert "evil.example" not in screen_text.split("[link=https://evil.example]")[0]
        assert 'href="https://evil.example' not in screen_text
