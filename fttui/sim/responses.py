"""A response that breaks off: the client must see a transport error, not an answer."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

CUT_SHORT_LOG_MESSAGE = "ASGI callable returned without completing response."


class CutShortResponse(Response):
    """Promises the whole body in Content-Length, sends half of it, then stops.

    uvicorn closes the connection when an app returns mid-body, so the client gets a
    transport error (httpx.RemoteProtocolError) instead of any answer.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
