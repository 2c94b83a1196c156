"""The JSON the live API answers with, restated here (not taken from the client).

`createdAt` uses the live API's space form without a zone; `completedAt` is RFC 3339
with fractional seconds and `Z`. Items carry `type` (`music` or `instrumental`).
`parameters.timesignature` is a string in a POST answer and a number in GET answers
and webhooks, as on the live API (v1.2).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fttui.sim.accounts import Account
from fttui.sim.generation import Generation


def format_created(moment: datetime) -> str:
    """`2025-01-15 10:30:00`: UTC, seconds, no `T`, no zone."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def format_completed(moment: datetime) -> str:
    """`2025-01-15T10:30:08.123456Z`: RFC 3339, always with fractional seconds."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_webhook_time(moment: datetime) -> str:
    """`2026-05-15T08:24:11.000Z`: the form the webhook payload shows (milliseconds)."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parameters(gen: Generation, *, posted: bool = False) -> dict[str, Any]:
    """The parameters as the server echoes them (defaults filled, keyscale joined).

    `timesignature` is the string sent in a POST answer (`posted`), a number elsewhere;
    an instrumental has no language."""
    params: dict[str, Any] = {
        "bpm": gen.bpm,
        "duration": gen.duration,
        "timesignature": gen.timesignature if posted else int(gen.timesignature),
        "language": gen.language,
        "keyscale": f"{gen.key} {gen.scale}",
        "seed": gen.seed,
    }
    if gen.type != "music":
        del params["language"]
    return params


def created(gen: Generation, now: float, credits_remaining: int) -> dict[str, Any]:
    """The `data` of a 202 answer to POST /v1/generations (and /v1/instrumental, which
    adds `type`, as the vendor's CLI reads it there)."""
    data: dict[str, Any] = {
        "id": gen.id,
        "status": gen.status(now),
        "prompt": gen.prompt,
        "parameters": parameters(gen, posted=True),
        "webhook": gen.webhook,
        "creditsRemaining": credits_remaining,
        "createdAt": format_created(gen.created_at),
    }
    if gen.type != "music":
        data["type"] = gen.type
    return data


def item(gen: Generation, now: float, media_url: str) -> dict[str, Any]:
    """One entry of GET /v1/generations."""
    status = gen.status(now)
    done = status == "completed"
    ended = gen.ended_at if status in ("completed", "failed") else None
    return {
        "id": gen.id,
        "type": gen.type,
        "title": gen.title if done else None,
        "prompt": gen.prompt,
        "status": status,
        "audioUrl": f"{media_url}/audio/{gen.id}.mp3" if done else None,
        "duration": gen.duration,
        "isPublic": gen.is_public,
        "playCount": gen.play_count,
        "likeCount": gen.like_count,
        "parameters": parameters(gen),
        "createdAt": format_created(gen.created_at),
        "completedAt": format_completed(ended) if ended is not None else None,
    }


def detail(gen: Generation, now: float, media_url: str) -> dict[str, Any]:
    """GET /v1/generations/{id}: the item plus size, counts, timing and any error."""
    data = item(gen, now, media_url)
    done = data["status"] == "completed"
    data["fileSize"] = gen.file_size if done else None
    data["downloadCount"] = gen.download_count
    data["generationTime"] = gen.generation_time if done else None
    data["errorMessage"] = gen.error_message if data["status"] == "failed" else None
    data["webhook"] = gen.webhook
    return data


def webhook_payload(gen: Generation, now: float, media_url: str) -> dict[str, Any]:
    """What the webhook receives: the generation object itself, no `data` wrapper, its
    times in the payload's own form."""
    data = detail(gen, now, media_url)
    data["createdAt"] = format_webhook_time(gen.created_at)
    data["completedAt"] = format_webhook_time(gen.ended_at)
    return data


def me(account: Account, in_queue: int) -> dict[str, Any]:
    """GET /v1/me. `queueDepth` is how many generations are in the queue now (the live
    API documents a count, not the capacity: that is learned only from QUEUE_FULL)."""
    return {
        "id": account.id,
        "email": account.email,
        "name": account.name,
        "tier": account.tier,
        "limits": {
            "monthlyGenerations": account.monthly_generations,
            "generationsUsed": account.generations_used,
            "monthlyRemaining": account.monthly_remaining,
            "packCredits": account.pack_credits,
            "totalRemaining": account.total_remaining,
            "queueDepth": in_queue,
        },
    }
