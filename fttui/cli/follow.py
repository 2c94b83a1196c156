"""`generate --wait`: follow one generation to its end with the app's own watcher."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from fttui.api.client import FinetuningClient
from fttui.api.errors import AuthError, FttuiError
from fttui.api.models import CreatedGeneration, Generation
from fttui.api.watcher import TIMEOUT, Watcher, WatchTimeout


async def follow_until_final(
    client: FinetuningClient,
    created: CreatedGeneration,
    *,
    on_change: Callable[[Generation], None] | None = None,
    timeout: float | None = None,
) -> Generation | None:
    """The generation once completed or failed; None when the watcher gave up on it.

    An authentication error while following is raised: the key was revoked meanwhile.
    """
    done: asyncio.Future[Generation | None] = asyncio.get_running_loop().create_future()

    def update(generation: Generation) -> None:
        if generation.id != created.id:
            return
        if generation.is_final and not done.done():
            done.set_result(generation)
        elif on_change is not None:
            on_change(generation)

    def gave_up(_: WatchTimeout) -> None:
        if not done.done():
            done.set_result(None)

    def failed(exc: FttuiError) -> None:
        if not done.done():
            done.set_exception(exc)

    watcher = Watcher(
        client,
        on_update=update,
        on_timeout=gave_up,
        on_error=failed,
        timeout=TIMEOUT if timeout is None else timeout,
    )
    # Already final (a POST answering `completed`): the watcher reports it from here.
    watcher.watch(created.as_generation())
    runner = asyncio.create_task(watcher.run())
    try:
        final = await done
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    return None if final is None else await _with_details(client, final)


async def _with_details(client: FinetuningClient, final: Generation) -> Generation:
    """The full generation when `final` lacks its audio or its reason for failing.

    A POST that answered a final status carries neither; one fetch completes it, and
    if that fails the status alone is still the answer.
    """
    status = final.status.lower()
    lacking = (status == "completed" and not final.audio_url) or (
        status == "failed" and final.error_message is None
    )
    if not lacking:
        return final
    try:
        return await client.get_generation(final.id)
    except AuthError:
        raise
    except FttuiError:
        return final
