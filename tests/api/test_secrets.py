"""The key appears nowhere but the X-API-Key header to the API origin.

Not in a repr, a log line, an exception's text, a crash traceback's locals (rendered
as Textual does, with rich and `show_locals=True`), nor any request to the media origin.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from rich.traceback import Traceback

from fttui import locations
from fttui.api.client import FinetuningClient, RetryPolicy
from fttui.api.errors import FttuiError
from fttui.api.key import ApiKey, KeyFormatError
from fttui.api.models import GenerationRequest
from fttui.api.origins import InsecureURLError
from fttui.api.transport import media_client
from fttui.api.watcher import Watcher
from fttui.clock import VirtualClock
from fttui.logging_setup import configure_logging
from fttui.sim.server import RunningSim
from tests.api.conftest import ClientFactory


def render_traceback(exc: BaseException) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "locals" in text.lower() or "─" in text  # it really rendered frames
    return str(text)


def test_key_is_validated_and_masked() -> None:
    raw = "ft_live_" + "ab" * 16
    key = ApiKey(raw)
    for shown in (repr(key), str(key), f"{key}", key.masked):
        assert raw not in shown
    assert ApiKey("ft_live_" + "AB" * 16).reveal().endswith("AB")
    for bad in ("ft_live_123", "ft_test_" + "a" * 32, "ft_live_" + "g" * 31 + " ", ""):
        with pytest.raises(KeyFormatError) as caught:
            ApiKey(bad)
        assert "ft_live_" in str(caught.value)


async def test_key_never_in_logs_reprs_or_errors(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    path = configure_logging("DEBUG")
    assert path is not None
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    raw = vsim.demo_key
    client = make_client(retry=RetryPolicy(attempts=2))
    shown: list[str] = [repr(client), str(client)]
    vsim.set_faults(html_502="next:2", internal_error="next:1", drop_after_commit="next:1")
    for call in (client.me, client.list_generations, client.me):
        try:
            await call()
        except FttuiError as exc:
            shown += [str(exc), repr(exc), exc.message]
    created = await client.create_generation(GenerationRequest(tags="secret test"))
    shown += [repr(created), repr(client.rate)]
    watcher = Watcher(client)
    watcher.watch(created.id)
    await watcher.tick()
    shown.append(repr(watcher))
    logging.getLogger("fttui.test").warning("a careless line: %s", raw)
    logging.getLogger("fttui.test").error(f"an f-string too: {raw}")
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_text = Path(path).read_text("utf-8")  # noqa: ASYNC240 - a small file, in a test
    assert path.parent == locations.log_dir()
    assert "ft_live_[redacted]" in log_text
    assert "GET" in log_text
    assert raw not in log_text
    assert raw[8:] not in log_text
    for text in shown:
        assert raw not in text
        assert raw[8:] not in text


async def test_key_never_in_a_crash_traceback_with_locals(
    make_client: ClientFactory, vsim: RunningSim
) -> None:
    raw = vsim.demo_key

    class CrashDeep(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            assert request.headers["X-API-Key"] == raw  # the header is there...
            headers = list(request.headers.raw)  # ...and a local holding it, in this frame
            raise RuntimeError(f"the network stack crashed ({len(headers)} headers)")

    vsim.set_faults(html_502="next:1")
    # The calls run in a helper whose frame holds no copy of the key, as in the app.
    failures = await fail_in_client_calls(
        make_client(retry=RetryPolicy(attempts=1)).me(),
        make_client(transport=CrashDeep(), retry=RetryPolicy(attempts=1)).me(),
        make_client().create_generation(GenerationRequest.model_construct(tags="x", bpm=999)),
    )
    assert len(failures) == 3
    for exc in failures:
        text = render_traceback(exc)
        assert "client" in text  # frames of the client call, with their locals
        assert raw not in text
        assert raw[8:] not in text


async def fail_in_client_calls(*calls: Coroutine[Any, Any, object]) -> list[BaseException]:
    failures: list[BaseException] = []
    for call in calls:
        try:
            await call
        except FttuiError as exc:
            failures.append(exc)
    return failures


async def test_no_request_to_the_media_origin_carries_the_key(
    make_client: ClientFactory, vsim: RunningSim, clock: VirtualClock
) -> None:
    client = make_client()
    created = await client.create_generation(GenerationRequest(tags="media check", duration=10))
    clock.advance(15)
    generation = await client.get_generation(created.id)
    assert generation.audio_url
    assert generation.audio_url.startswith(vsim.media_url)
    async with client.media_client() as media:
        answer = await media.get(generation.audio_url)
        assert answer.status_code == 200
        assert len(answer.content) > 1000
    # Even the API's own client, given a media URL, leaves the key out.
    await client._http.get(generation.audio_url)
    assert len(vsim.media_requests) == 2
    for request in vsim.media_requests:
        assert "x-api-key" not in request.headers
        assert vsim.demo_key not in str(request.headers)


async def test_media_client_refuses_a_redirect_to_plain_http() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "media.example":
            return httpx.Response(302, headers={"Location": "http://evil.example/a.mp3"})
        return httpx.Response(200, content=b"ID3")

    async with media_client(transport=httpx.MockTransport(handler)) as media:
        with pytest.raises(InsecureURLError):
            await media.get("https://media.example/a.mp3")
        with pytest.raises(InsecureURLError):
            await media.get("http://media.example/a.mp3")


async def test_the_key_does_not_follow_a_redirect_to_another_origin() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(307, headers={"Location": "https://other.example/v1/me"})

    client = FinetuningClient(
        ApiKey("ft_live_" + "c" * 32), "https://pub.finetuning.ai",
        transport=httpx.MockTransport(handler), retry=RetryPolicy(attempts=1),
    )  # fmt: skip
    with pytest.raises(FttuiError):
        await client.me()
    await client.aclose()
    assert [r.url.host for r in seen] == ["pub.finetuning.ai"]
