"""The palette's export: the cached library into the music folder, never over a file."""

from __future__ import annotations

import json

from fttui import locations
from fttui.sim.server import RunningSim
from tests.presets.test_presets import _palette_run
from tests.tui.helpers import make_app, started, wait_for


async def test_the_palette_exports_the_cached_library_as_json_into_the_music_folder(
    sim: RunningSim,
) -> None:
    folder = locations.music_dir()
    (folder / "fttui library.json").write_text("mine\n")  # taken: a new name is used
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await wait_for(pilot, lambda: app.main.header.account is not None, "the account")
        session = app.session
        assert session is not None
        await _palette_run(pilot, app, "ctrl+p", "Export the library as JSON")
        written = folder / "fttui library (2).json"
        await wait_for(pilot, written.exists, "the export")
        rows = json.loads(written.read_text("utf-8"))["generations"]
        assert {r["id"] for r in rows} == {g.id for g in session.page(limit=1000)}
        assert (folder / "fttui library.json").read_text() == "mine\n"
        assert any("Exported" in str(n.message) for n in app._notifications)
