"""The app says a generation failed once, in the notification and in the detail."""

from __future__ import annotations

from fttui.tui.widgets.generation_detail import GenerationDetail

from .helpers import make_app, wait_for


async def test_failed_generation_notification_and_detail_say_failed_once(sim) -> None:
    app = make_app(sim.base_url, sim.demo_key)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: main.header.account is not None, "the account")
        main.form.load({"tags": "fail-me please", "duration": 20})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sim.post_count() == 1, "the POST")
        await wait_for(
            pilot, lambda: main.listing.rows and main.listing.rows[0].status == "failed", "failure"
        )
        await wait_for(
            pilot,
            lambda: any(n.title == "Generation failed" for n in app._notifications),
            "the notification",
        )
        note = next(n for n in app._notifications if n.title == "Generation failed")
        assert "generation failed" not in str(note.message).lower()
        assert str(note.message).endswith(": the model could not render this prompt.")
        main.listing.focus_table()
        await pilot.pause()
        detail = str(main.query_one(GenerationDetail).render())
        assert "Generation failed: " not in detail
