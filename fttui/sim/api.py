"""The API origin: an ASGI app answering the contract's endpoints (API v1.2).

Every request goes through one handler so the contract's order of checks is written
once: key, the 60/min budget, then (for a creating POST) body validation, credits,
queue depth and the 10-created/min limit. `GET /health` alone needs no key.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from fttui.sim import playlists, sfx, shapes
from fttui.sim.accounts import Account
from fttui.sim.errors import ApiError
from fttui.sim.ratelimit import REQUESTS_PER_MINUTE
from fttui.sim.responses import CutShortResponse
from fttui.sim.state import SimState
from fttui.sim.validation import (
    Submission,
    ValidationFailed,
    parse_id_list,
    parse_instrumental,
    parse_list_query,
    parse_submission,
)

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_COLLECTION = "/v1/generations"
_BULK_DELETE = "/v1/generations/bulk-delete"
_INSTRUMENTAL = "/v1/instrumental"
_HEALTH = "/health"
IGNORED_LIMIT_PAGE = 100  # the page size of the `ignore_limit` fault, whatever was asked
# The `huge_timestamp` fault: numbers valid in JSON that no date can hold.
HUGE_TIMESTAMPS: dict[str, Any] = {"createdAt": 1e300, "completedAt": 1e300}
PROXY_PAGE = """<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
"""


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The error envelope with its status, Retry-After and any rate-limit headers."""
    return JSONResponse(
        error.envelope(), status_code=error.status, headers={**(headers or {}), **error.headers()}
    )


def _rate_headers(remaining: int) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(REQUESTS_PER_MINUTE), "X-RateLimit-Remaining": str(remaining)}


class ApiApp:
    """The API origin's ASGI application over a `SimState`."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._app = Starlette(routes=[Route("/{path:path}", self._handle, methods=_METHODS)])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    async def _health(self, method: str) -> Response:
        """No key, no budget, no `data` wrapper; faults still apply."""
        faults = self.state.faults
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.fires("html_502", method):
            return HTMLResponse(PROXY_PAGE, status_code=502)
        if faults.fires("internal_error", method):
            return error_response(ApiError("INTERNAL_ERROR", "Unexpected server error"))
        return JSONResponse({"status": "ok", "version": "1.2"})

    async def _handle(self, request: Request) -> Response:
        state = self.state
        method = request.method
        path: str = request.scope["path"]
        if path == _HEALTH and method in ("GET", "HEAD"):
            return await self._health(method)
        with state.lock:
            try:
                account = state.authenticate(request.headers.get("x-api-key"))
            except ApiError as exc:
                return error_response(exc)
            if method == "POST" and path == _COLLECTION:
                state.note_post(account)
            window = state.limits_of(account).requests
            now = state.now()
            if window.is_full(now):
                # A request this limit refuses does not count toward it.
                refused = ApiError(
                    "RATE_LIMITED",
                    f"Too many requests (at most {REQUESTS_PER_MINUTE} a minute) — wait and retry",
                    retry_after=window.retry_after(now),
                )
                return error_response(refused, _rate_headers(0))
            window.record(now)
            headers = _rate_headers(window.remaining(now))

        faults = state.faults
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.fires("html_502", method):
            return HTMLResponse(PROXY_PAGE, status_code=502)
        body = await request.body() if method == "POST" else b""
        cut_short = False
        try:
            if not account.api_access:
                raise ApiError(
                    "PRO_PLAN_REQUIRED", "API access requires a Pro or Lifetime subscription"
                )
            if faults.fires("internal_error", method):
                raise ApiError("INTERNAL_ERROR", "Unexpected server error")
            with state.lock:
                status, data, cut_short = self._route(account, method, path, request, body)
            if method == "POST" and path == _COLLECTION and faults.commit_latency > 0:
                await asyncio.sleep(faults.commit_latency)  # created; the answer is late
            response: Response = JSONResponse({"data": data}, status_code=status, headers=headers)
        except ApiError as exc:
            response = error_response(exc, headers)

        if cut_short:
            return CutShortResponse(
                response.body, response.status_code, headers, "application/json"
            )
        if faults.fires("malformed_json", method):
            mangled = response.body[: max(1, len(response.body) // 2)]
            return Response(mangled, response.status_code, headers, "application/json")
        return response

    def _route(
        self, account: Account, method: str, path: str, request: Request, body: bytes
    ) -> tuple[int, Any, bool]:
        """(status, data, cut short?) for a request whose key and budget passed."""
        try:
            return self._route_checked(account, method, path, request, body)
        except ValidationFailed as exc:
            raise _validation_error(exc) from exc

    def _route_checked(
        self, account: Account, method: str, path: str, request: Request, body: bytes
    ) -> tuple[int, Any, bool]:
        state = self.state
        method = "GET" if method == "HEAD" else method  # the server drops a HEAD's body
        if path.startswith(playlists.PREFIX):
            answer = playlists.route(state, account, method, path, body)
            if answer is not None:
                # A change done may lose its answer too (a repeat then finds it done).
                return (
                    *answer,
                    method == "POST" and state.faults.fires("drop_after_commit", "POST"),
                )
        if path.startswith(sfx.PREFIX):
            answer = sfx.route(state, account, method, path, body, request.query_params)
            if answer is not None:
                # A creating POST may lose its answer after the commit, as a generation's.
                made = method == "POST" and path == sfx.PREFIX
                return (*answer, made and state.faults.fires("drop_after_commit", "POST"))
        if path == _BULK_DELETE and method == "POST":
            deleted, errors = state.delete(account, parse_id_list(body, "ids")["ids"])
            data: dict[str, Any] = {"deleted": deleted}
            if errors:  # omitted when every id was deleted
                data["errors"] = errors
            return 200, data, state.faults.fires("drop_after_commit", "POST")
        if path == _INSTRUMENTAL and method == "POST":
            return self._create(account, body, instrumental=True)
        if path == "/v1/me" and method == "GET":
            in_queue = len(self.state.in_progress(account))
            return 200, shapes.me(account, in_queue), False
        if path == _COLLECTION and method == "GET":
            try:
                query = parse_list_query(request.query_params)
            except ValidationFailed as exc:
                raise _validation_error(exc) from exc
            faults = state.faults
            if faults.fires("ignore_limit", method):
                query = dataclasses.replace(query, limit=IGNORED_LIMIT_PAGE)
            page = state.page(account, query)
            now = state.now()
            items = [shapes.item(g, now, self._audio_origin()) for g in page.generations]
            if items and faults.fires("huge_timestamp", method):
                items[0].update(HUGE_TIMESTAMPS)
            next_offset = page.next_offset
            if page.has_more and faults.fires("stuck_next_offset", method):
                next_offset = query.offset  # "more", yet the walk never moves on
            data = {"generations": items, "hasMore": page.has_more, "nextOffset": next_offset}
            return 200, data, False
        if path == _COLLECTION and method == "POST":
            return self._create(account, body)
        if path.startswith(_COLLECTION + "/") and method == "GET":
            gen_id = path[len(_COLLECTION) + 1 :]
            gen = state.find(account, gen_id) if gen_id and "/" not in gen_id else None
            if gen is None:
                raise ApiError("NOT_FOUND", f"Generation {gen_id} not found")
            data = shapes.detail(gen, state.now(), self._audio_origin())
            if state.faults.fires("huge_timestamp", method):
                data.update(HUGE_TIMESTAMPS)
            return 200, data, False
        raise ApiError("NOT_FOUND", f"No such endpoint: {method} {path}")

    def _audio_origin(self) -> str:
        # The audio_origin fault writes a hostile origin into audioUrl.
        return self.state.faults.audio_origin or self.state.media_url

    def _create(
        self, account: Account, body: bytes, *, instrumental: bool = False
    ) -> tuple[int, Any, bool]:
        """POST /v1/generations or /v1/instrumental: both create a generation and share
        credits, the queue and the 10-created/min limit (the latter a decision: the
        vendor's CLI reads instrumentals from the generations store)."""
        state = self.state
        submission: Submission | None = None
        request = parse_instrumental(body) if instrumental else None
        if request is None:
            submission = parse_submission(body)
        if account.total_remaining <= 0:
            raise ApiError("MONTHLY_LIMIT_REACHED", "No generations remaining this month")
        now = state.now()
        active = state.in_progress(account)
        if len(active) >= account.queue_depth:
            raise ApiError(
                "QUEUE_FULL",
                f"Too many generations in progress (at most {account.queue_depth})",
                retry_after=max(1, math.ceil(active[0].end_mono - now)),
            )
        creations = state.limits_of(account).creations
        if creations.is_full(now):
            raise ApiError(
                "GENERATION_RATE_LIMITED",
                f"Too many POST /v1/generations calls (at most {creations.limit} a minute)"
                " — wait and retry",
                retry_after=creations.retry_after(now),
            )
        if state.faults.fires("generation_failed", "POST"):
            raise ApiError("GENERATION_FAILED", "Generation queue submission failed")
        if request is not None:
            gen = state.create_instrumental(account, request)
        else:
            assert submission is not None
            gen = state.create(
                account, submission, at_once=state.faults.fires("post_final", "POST")
            )
        data = shapes.created(gen, state.now(), account.total_remaining)
        return 202, data, state.faults.fires("drop_after_commit", "POST")


def _validation_error(exc: ValidationFailed) -> ApiError:
    details = [e.to_json() for e in exc.errors] or None
    return ApiError("VALIDATION_ERROR", exc.message, details=details)
