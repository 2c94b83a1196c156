"""Issue 11, point 4: the API echoes no lyrics, so fttui keeps the submitted ones with
the generation, shows them in the detail, and remix never wipes a draft's lyrics."""

from __future__ import annotations

from fttui.store import GenerationStore
from fttui.tui.screens.confirm import ConfirmScreen

from .helpers import detail_text, make_app, settled, wait_for

LYRICS = "[Verse]\nRain on the window, tea going cold"


async def test_submitted_lyrics_stay_with_the_generation_in_the_detail_and_cache(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, app)
        app.main.form.load({"tags": "rainy lofi", "lyrics": LYRICS, "duration": 20})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 1, "the POST")
        await wait_for(
            pilot,
            lambda: app.main.listing.rows and app.main.listing.rows[0].status == "completed",
            "the generation to complete (the watcher's copies carry no lyrics)",
        )
        await wait_for(pilot, lambda: "tea going cold" in detail_text(app), "the lyrics")
        generation_id = app.main.listing.rows[0].id
        assert app.main.listing.rows[0].parameters.lyrics == LYRICS
    with GenerationStore() as store:
        kept = store.get(generation_id)
    assert kept is not None and kept.parameters.lyrics == LYRICS


async def test_remix_asks_before_replacing_lyrics_in_the_draft(sim_factory) -> None:
    sim = sim_factory(generations=3, seed=3)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 3, "the list")
        await settled(pilot, app)
        main.form.load({"tags": "mine", "lyrics": "words I typed"})
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "no")
        assert main.form.fields()["lyrics"] == "words I typed"
        assert main.form.fields()["tags"] == "mine"
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        source = main.listing.selected
        assert source is not None
        await wait_for(pilot, lambda: main.form.fields()["tags"] == source.prompt, "the remix")


async def test_remix_into_a_draft_without_lyrics_asks_nothing(sim_factory) -> None:
    sim = sim_factory(generations=3, seed=3)
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: len(main.listing.rows) == 3, "the list")
        await settled(pilot, app)
        main.form.load({"tags": "mine"})
        await pilot.press("r")
        source = main.listing.selected
        assert source is not None
        await wait_for(pilot, lambda: main.form.fields()["tags"] == source.prompt, "the remix")
        assert not isinstance(app.screen, ConfirmScreen)


def test_a_refresh_without_lyrics_keeps_the_cached_ones(tmp_path) -> None:
    from fttui.api.models import Generation
    from fttui.store.database import with_lyrics

    sent = Generation.model_validate({"id": "gen_1", "status": "queued", "prompt": "p"})
    with GenerationStore(tmp_path / "cache.db") as store:
        store.upsert([with_lyrics(sent, LYRICS)])
        fresh = Generation.model_validate(
            {"id": "gen_1", "status": "completed", "parameters": {"bpm": 90}}
        )
        store.upsert([fresh])
        kept = store.get("gen_1")
    assert kept is not None and kept.status == "completed"
    assert kept.parameters.lyrics == LYRICS and kept.parameters.bpm == 90
