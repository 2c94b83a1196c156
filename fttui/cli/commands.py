"""The headless commands: me, generate, list, show, download.

Each prints a human form by default and JSON with --json; every failure is one line on
stderr and a distinct exit code (see exit_codes.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from fttui.api import errors
from fttui.api.client import FinetuningClient
from fttui.api.instrumental import InstrumentalRequest
from fttui.api.journal import INSTRUMENTAL, SOUND_EFFECTS
from fttui.api.models import CreatedGeneration, Generation, GenerationRequest, RequestInvalid
from fttui.api.sound_effects import SoundEffect, SoundEffectRequest
from fttui.cli import output
from fttui.cli.exit_codes import ExitCode
from fttui.cli.session import SetupError, Target, open_target

if TYPE_CHECKING:
    from fttui.api.reconcile import ReconcileResult
    from fttui.audio.save import Saved
    from fttui.audio.track import Track

log = logging.getLogger(__name__)

Command = Callable[[FinetuningClient, argparse.Namespace, Target], Awaitable[int]]


def run_command(args: argparse.Namespace) -> int:
    """Run one headless command and return its exit code."""
    from fttui.logging_setup import configure_logging

    configure_logging()
    from fttui.cli import create, doctor, export, library  # they use this module's helpers

    if args.command in doctor.STANDALONE:  # it must run without a key or a server
        return doctor.STANDALONE[args.command](args)
    if args.command in export.STANDALONE:  # it reads the cache: no key needed
        return export.STANDALONE[args.command](args)
    command = {**COMMANDS, **create.COMMANDS, **library.COMMANDS}[args.command]
    try:
        # Validate before opening anything: a typo costs no request and no simulator.
        request = _request_from_args(args) if args.command == "generate" else None
        with open_target(args) as target:
            return asyncio.run(_with_client(command, args, target, request))
    except RequestInvalid as exc:
        for name, message in exc.field_errors.items():
            _fail(output.field_line(name, message))
        return ExitCode.USAGE
    except SetupError as exc:
        _fail(str(exc))
        return ExitCode.AUTH if exc.auth else ExitCode.USAGE
    except KeyboardInterrupt:
        if _kept_in_journal():
            _fail(
                "interrupted while sending: the submission is kept in the journal, and "
                "running the same command again (or fttui) checks it first, never sending "
                "it twice"
            )
        else:
            _fail("interrupted")
        return 130


def _kept_in_journal() -> bool:
    """Did this process leave a submission whose outcome is unknown?"""
    from fttui.api.journal import SubmissionJournal

    try:
        return bool(SubmissionJournal().sent_by(os.getpid()))
    except OSError:
        return False


async def _with_client(
    command: Command, args: argparse.Namespace, target: Target, request: GenerationRequest | None
) -> int:
    if request is not None:
        args.request = request
    try:
        async with FinetuningClient(target.key, target.base_url) as client:
            return await command(client, args, target)
    except errors.FttuiError as exc:
        return _report(exc)


def _report(exc: errors.FttuiError) -> int:
    """One clear line on stderr; the exit code says which kind of failure it was."""
    if isinstance(exc, errors.ValidationFailed):
        details = exc.field_errors
        for name, message in details.items():
            _fail(output.field_line(name, message))
        if not details:
            _fail(f"the server refused the request: {exc.message}")
        return ExitCode.USAGE
    if isinstance(exc, errors.ProPlanRequired):
        _fail("this plan has no API access: the API needs a Pro or Lifetime plan")
        return ExitCode.AUTH
    if isinstance(exc, errors.AuthError):
        _fail(f"the API key was refused ({exc.error_code}): {exc.message}")
        return ExitCode.AUTH
    if isinstance(exc, errors.RateLimited):
        _fail(f"rate limited: try again in {_seconds(exc.retry_after)}")
        return ExitCode.LIMIT
    if isinstance(exc, errors.QueueFull):
        _fail(f"the queue is full; a slot should free in {_seconds(exc.retry_after)}")
        return ExitCode.LIMIT
    if isinstance(exc, errors.MonthlyLimitReached):
        _fail("no generations left this month (and no pack credits)")
        return ExitCode.LIMIT
    if isinstance(exc, errors.DailyLimitReached):
        _fail("no sound effects left today (100 a UTC day, shared with the web app)")
        return ExitCode.LIMIT
    if isinstance(exc, errors.NotFound):
        _fail(f"not found: {exc.message}")
        return ExitCode.NOT_FOUND
    if isinstance(exc, errors.SubmissionUnconfirmed):
        _fail(
            f"{exc.message} It was not sent again; running the same command again (or "
            f"fttui) checks it first (journal entry {exc.journal_id})."
        )
        return ExitCode.UNCONFIRMED
    if isinstance(exc, (errors.TransportError, errors.ServerError)):
        _fail(f"the server could not be reached or failed: {exc.message}")
        return ExitCode.TRANSPORT
    _fail(exc.message)
    return ExitCode.ERROR


def _seconds(value: float | None) -> str:
    return f"{max(1, round(value))} s" if value else "a moment"


def _fail(message: str) -> None:
    print(output.error_line(message), file=sys.stderr)


def _note(message: str) -> None:
    """Progress for a person; silent when stderr is not a terminal (scripts)."""
    if sys.stderr.isatty():
        print(message, file=sys.stderr)


# --- commands --------------------------------------------------------------------------


async def cmd_me(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    account = await client.me()
    if args.json:
        output.emit_json(account)
    else:
        print(output.account_text(account))
    return ExitCode.OK


def _request_from_args(args: argparse.Namespace) -> GenerationRequest:
    tags = args.tags_option if args.tags_option is not None else args.tags
    lyrics = args.lyrics
    if args.lyrics_file:
        source = sys.stdin if args.lyrics_file == "-" else None
        try:
            lyrics = source.read() if source else Path(args.lyrics_file).read_text("utf-8")
        except OSError as exc:
            message = f"cannot read {args.lyrics_file}: {exc.strerror}"
            raise RequestInvalid({"lyrics": message}) from None
    fields: dict[str, Any] = {
        "tags": tags,
        "lyrics": lyrics,
        "duration": args.duration,
        "bpm": args.bpm,
        "language": args.language,
        "key": args.key,
        "scale": args.scale,
        "timesignature": args.timesignature,
        "seed": args.seed,
        "webhook": args.webhook,
    }
    return GenerationRequest.from_fields({k: v for k, v in fields.items() if v is not None})


async def cmd_generate(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    request: GenerationRequest = args.request
    if args.download is not None and not args.wait:
        _fail("--download needs --wait (the audio exists only once the generation completes)")
        return ExitCode.USAGE
    created = await _create_once(client, request)
    if created is None:
        return ExitCode.UNCONFIRMED
    if request.lyrics:
        _keep_lyrics(created.id, request.lyrics)
    if not args.wait:
        if args.json:
            output.emit_json(created)
        else:
            print(output.created_text(created))
        return ExitCode.OK
    final = await _follow(client, created, quiet=args.json)
    if final is None:
        _fail(f"{created.id} did not finish in time; it is still being generated")
        return ExitCode.GENERATION_FAILED
    saved: Saved | None = None
    download_error: DownloadFailure | None = None
    if final.status == "completed" and args.download is not None:
        try:
            saved = await _save(final, args.download or None, target, request.lyrics)
        except DownloadFailure as failure:
            download_error = failure  # the generation was paid for: print it anyway
    if args.json:
        data = final.model_dump(mode="json", by_alias=True)
        if saved:
            data["savedTo"] = str(saved.path)
            if saved.warning:
                data["warning"] = saved.warning
        if download_error:
            data["downloadError"] = download_error.message
        output.emit_json(data)
    else:
        print(output.generation_text(final))
        if saved:
            print(f"saved to {saved.path}")
    if final.status != "completed":
        _fail(f"the generation failed: {output.failure_reason(final.error_message)}")
        return ExitCode.GENERATION_FAILED
    if download_error:
        _fail(download_error.message)
        return download_error.code
    if saved and saved.warning:
        _fail(saved.warning)
    return ExitCode.OK


def _keep_lyrics(generation_id: str, lyrics: str) -> None:
    """The API echoes no lyrics: keep them in the cache for the app (never fatal)."""
    try:
        from fttui.store import GenerationStore

        with GenerationStore() as store:
            store.keep_lyrics(generation_id, lyrics)
    except Exception:  # the generation is made and paid for: only the app's copy is lost
        log.warning("the lyrics could not be kept in the cache", exc_info=True)


async def _follow(
    client: FinetuningClient, created: CreatedGeneration, *, quiet: bool
) -> Generation | None:
    """Follow `created` to its end with the app's own session code (watcher, predictor).

    On a terminal, without --json, one line says how long it has run and how long it
    should still take, rewritten in place about once a second.
    """
    from fttui.session.following import cached_predictor, follow_until_final

    line = _ProgressLine(enabled=not quiet and sys.stderr.isatty())
    line.note(output.created_text(created))
    try:
        return await follow_until_final(
            client,
            created,
            predictor=cached_predictor(),
            on_progress=(lambda p: line.show(p.long)) if line.enabled else None,
            on_stalled=lambda _: line.note(_stalled_line(created.id)),
        )
    finally:
        line.done()


def _stalled_line(generation_id: str) -> str:
    from fttui.session.following import STALLED_NOTE

    return STALLED_NOTE.format(id=generation_id)


class _ProgressLine:
    """One status line on stderr, rewritten in place (a terminal only)."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._shown = ""

    def show(self, text: str) -> None:
        if self.enabled and text != self._shown:
            pad = " " * max(0, len(self._shown) - len(text))
            print(f"\r{text}{pad}", end="", file=sys.stderr, flush=True)
            self._shown = text

    def note(self, text: str) -> None:
        """A line of its own, above the progress line."""
        if self.enabled:
            self.done()
            print(text, file=sys.stderr)

    def done(self) -> None:
        if self._shown:
            print(file=sys.stderr)
            self._shown = ""


@overload
async def _create_once(
    client: FinetuningClient, request: GenerationRequest | InstrumentalRequest
) -> CreatedGeneration | None: ...
@overload
async def _create_once(
    client: FinetuningClient, request: SoundEffectRequest
) -> SoundEffect | None: ...
async def _create_once(
    client: FinetuningClient, request: GenerationRequest | InstrumentalRequest | SoundEffectRequest
) -> CreatedGeneration | SoundEffect | None:
    """POST `request`, unless an earlier run's journal entry says it may exist already.

    The journal's open entries are settled first. The same request (as the user gave
    it: fttui's own random seed aside) that an earlier run sent without hearing back
    resolves to its generation; still unconfirmed, nothing is sent (None).
    """
    from fttui.api.reconcile import ReconcileOutcome

    resolved: Generation | SoundEffect | None = None
    unsettled: str | None = None
    for result in await client.reconcile_pending():
        same = _is_request(result, request)
        found = result.generation or result.sound_effect
        found = found if result.outcome is ReconcileOutcome.FOUND else None
        if found is not None and same and resolved is None:
            resolved = found
            _warn(f"an earlier run sent this already, and it was created: {found.id}")
        elif found is not None:
            _warn(f"an earlier submission whose answer was lost was created: {found.id}")
        elif result.outcome is ReconcileOutcome.NOT_CREATED:
            tags = result.body.get("tags", result.body.get("prompt", ""))
            _warn(f"an earlier submission was not created (no credit used): {tags}")
        elif same and unsettled is None:
            unsettled = result.journal_id
    if isinstance(resolved, SoundEffect):
        return resolved
    if resolved is not None:
        return CreatedGeneration.from_generation(resolved)
    if unsettled is not None:
        _fail(
            "an earlier run sent this same request and its outcome is still unknown, so it "
            f"was not sent again; try again in a few minutes (journal entry {unsettled})"
        )
        return None
    try:
        if isinstance(request, InstrumentalRequest):
            return await client.create_instrumental(request)
        if isinstance(request, SoundEffectRequest):
            return await client.create_sound_effect(request)
        return await client.create_generation(request)
    except errors.QueueFull:
        await _learn_queue_size(client)
        raise


async def _learn_queue_size(client: FinetuningClient) -> None:
    """A full queue: what is in it now is its size, kept for the app's batches."""
    from fttui.session.batch import learn_capacity

    try:
        await learn_capacity(client)
    except Exception:  # only costs a slower batch later
        log.debug("the queue's size was not learned", exc_info=True)


def _is_request(
    result: ReconcileResult, request: GenerationRequest | InstrumentalRequest | SoundEffectRequest
) -> bool:
    """Is this journal entry the submission of `request`, as the user gave it?"""
    if isinstance(request, GenerationRequest):
        return result.is_request(request)
    endpoint = INSTRUMENTAL if isinstance(request, InstrumentalRequest) else SOUND_EFFECTS
    asked = result.asked if result.asked is not None else result.body
    try:
        return result.endpoint == endpoint and type(request).model_validate(asked) == request
    except ValueError:
        return False


def _warn(message: str) -> None:
    """Something the user must know even in a script: a credit was (not) used."""
    print(output.error_line(message), file=sys.stderr)


LIST_MAX_PAGES = 1000
"""`list --all` stops after this many pages (100,000 generations at 100 a page): a
server that keeps saying "more" must not keep a script running for ever."""


async def cmd_list(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    if not 1 <= args.limit <= 100:
        _fail("--limit must be 1-100")
        return ExitCode.USAGE
    if args.offset < 0:
        _fail("--offset must be 0 or more")
        return ExitCode.USAGE
    found: list[Generation] = []
    seen: set[str] = set()
    offset: int = args.offset
    pages = 0
    stopped: tuple[str, ExitCode] | None = None
    while True:
        page = await client.list_generations(
            limit=args.limit, offset=offset, status=args.status, type=args.type
        )
        pages += 1
        items = page.generations
        has_more, next_offset = page.has_more, page.next_offset
        if not args.all and len(items) > args.limit:
            # A server that ignores `limit`: print what was asked for, no more.
            items = items[: args.limit]
            has_more, next_offset = True, offset + args.limit
        found += [g for g in items if g.id not in seen]
        seen.update(g.id for g in items)
        # --all follows nextOffset; a server that says "more" with no offset ends the walk.
        if not args.all or not has_more or next_offset is None:
            break
        if next_offset <= offset:
            stopped = (
                f"the server's next page (offset {next_offset}) did not move on from offset "
                f"{offset}; stopped with {len(found)} generations",
                ExitCode.TRANSPORT,
            )
            break
        if pages >= LIST_MAX_PAGES:
            stopped = (
                f"stopped after {pages} pages ({len(found)} generations); "
                f"continue with --offset {next_offset}",
                ExitCode.ERROR,
            )
            break
        offset = next_offset
    if args.json:
        output.emit_json(
            {
                "generations": [g.model_dump(mode="json", by_alias=True) for g in found],
                "hasMore": has_more,
                "nextOffset": next_offset,
            }
        )
    else:
        print(output.generation_rows(found))
        if has_more and not args.all:
            print(f"(more: --offset {next_offset}, or --all)")
    if stopped is not None:
        message, code = stopped
        _fail(message)
        return code
    return ExitCode.OK


async def cmd_show(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    generation = await client.get_generation(args.id)
    if args.json:
        output.emit_json(generation)
    else:
        print(output.generation_text(generation))
    return ExitCode.OK


async def cmd_download(client: FinetuningClient, args: argparse.Namespace, target: Target) -> int:
    if args.all:
        from fttui.cli.library_download import cmd_download_all

        return await cmd_download_all(client, args, target)
    if args.id is None:
        _fail("download needs an ID, or --all for every finished track")
        return ExitCode.USAGE
    generation = await client.get_generation(args.id)
    if generation.status == "failed":
        reason = output.failure_reason(generation.error_message)
        _fail(f"{generation.id} failed, so it has no audio: {reason}")
        return ExitCode.GENERATION_FAILED
    if generation.status != "completed" or not generation.audio_url:
        _fail(f"{generation.id} has no audio yet: it is still {generation.status}")
        return ExitCode.NOT_FOUND
    try:
        saved = await _save(generation, args.path, target)
    except DownloadFailure as failure:
        _fail(failure.message)
        return failure.code
    return report_saved(generation.id, saved, as_json=args.json)


def report_saved(item_id: str, saved: Saved, *, as_json: bool) -> int:
    """Print where a download went (and any warning about its sidecar)."""
    if as_json:
        data: dict[str, Any] = {"id": item_id, "savedTo": str(saved.path)}
        if saved.warning:
            data["warning"] = saved.warning
        output.emit_json(data)
    else:
        print(saved.path)
    if saved.warning:
        _fail(saved.warning)
    return ExitCode.OK


class DownloadFailure(Exception):
    """A download or save that failed: one line for the user and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


async def _save(
    generation: Generation, destination: str | None, target: Target, lyrics: str | None = None
) -> Saved:
    """Download (through the audio cache) and save, tagged, under a safe name.

    Raises `DownloadFailure` for every way it can fail: a media answer that is not
    audio, a refused URL, a full disk, a read-only folder, a taken name, a signal.
    """
    from fttui.audio.from_api import track_for

    track = track_for(generation, lyrics=lyrics)
    if track is None:
        raise DownloadFailure(f"{generation.id} has no audio", ExitCode.NOT_FOUND)
    return await _save_track(track, destination, target)


async def _save_track(track: Track, destination: str | None, target: Target) -> Saved:
    """`_save` for any track (a sound effect too)."""
    from fttui.audio.download import MediaError
    from fttui.audio.save import NameTaken, SaveError, SaveInterrupted, save_for_command

    settings = target.settings
    try:
        return await save_for_command(
            track,
            destination,
            default_dir=settings.download_dir,
            cache_bytes=settings.audio_cache_mb * 1024 * 1024,
        )
    except NameTaken as exc:
        raise DownloadFailure(str(exc), ExitCode.USAGE) from exc
    except SaveInterrupted as exc:
        raise DownloadFailure(str(exc), 128 + exc.signum) from exc
    except SaveError as exc:
        raise DownloadFailure(str(exc), ExitCode.TRANSPORT) from exc
    except MediaError as exc:
        reason = str(exc)
        reason = reason[:1].lower() + reason[1:]  # it follows the id here
        raise DownloadFailure(f"{track.id}: {reason}", ExitCode.TRANSPORT) from exc


COMMANDS: dict[str, Command] = {
    "me": cmd_me,
    "generate": cmd_generate,
    "list": cmd_list,
    "show": cmd_show,
    "download": cmd_download,
}
