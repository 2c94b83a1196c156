"""`fttui download --all [FOLDER]`: every finished track not saved yet, as `download` saves it.

Resumable: a track counts as saved when FOLDER holds an audio file carrying its id in
the name ("Title [id].mp3", as every save names it), so a second run saves nothing new
and a run stopped half way goes on where it stopped. A progress bar goes to stderr on a
terminal; a summary line ends the run (`--json`: the summary as JSON on stdout).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fttui.api.client import FinetuningClient
    from fttui.api.models import Generation, StatusFilter
    from fttui.cli.session import Target

PAGE = 100
MAX_PAGES = 1000  # as `list --all`: a server that keeps saying "more" must not loop for ever


@dataclass
class Summary:
    """What one `download --all` did."""

    saved: list[tuple[str, Path]] = field(default_factory=list)
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        text = f"saved {len(self.saved):,} new, {self.already:,} already saved"
        return text + (f", {len(self.failed):,} failed" if self.failed else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "saved": [{"id": i, "savedTo": str(p)} for i, p in self.saved],
            "alreadySaved": self.already,
            "failed": [{"id": i, "error": why} for i, why in self.failed],
        }


async def finished_tracks(client: FinetuningClient, status: StatusFilter) -> list[Generation]:
    """Every generation of `status` with audio, newest first, following `nextOffset`."""
    found: dict[str, Generation] = {}
    offset = 0
    for _ in range(MAX_PAGES):
        page = await client.list_generations(limit=PAGE, offset=offset, status=status)
        for generation in page.generations:
            if generation.status == "completed" and generation.audio_url:
                found.setdefault(generation.id, generation)
        following = page.next_offset
        if not page.has_more or following is None or following <= offset:
            break
        offset = following
    return list(found.values())


class ProgressBar:
    """One line on a terminal's stderr, redrawn in place; nothing when not a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.shown = sys.stderr.isatty()

    def show(self, done: int, title: str) -> None:
        if not self.shown or not self.total:
            return
        width = max(10, min(30, shutil.get_terminal_size().columns - 50))
        filled = width * done // self.total
        from fttui.cli.output import printable

        label = printable(title)[:30]
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r[{bar}] {done}/{self.total} {label}\x1b[K", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.shown and self.total:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def _folder(args: argparse.Namespace, target: Target) -> Path | None:
    """The folder to save into; None (said on stderr) when the arguments do not name one."""
    from fttui import locations
    from fttui.cli.commands import _fail

    # argparse fills ID first: `download --all FOLDER` arrives as the ID.
    if args.id is not None and args.path is not None:
        _fail("--all takes no ID: give a FOLDER, or leave --all out to save one generation")
        return None
    given: str | None = args.path or args.id
    if given and Path(given).suffix and not Path(given).is_dir():
        _fail(f"--all saves into a folder, not one file: {given}")
        return None
    folder = Path(given).expanduser() if given else None
    return folder or target.settings.download_dir or locations.music_dir()


async def cmd_download_all(
    client: FinetuningClient, args: argparse.Namespace, target: Target
) -> int:
    from fttui.cli import output
    from fttui.cli.commands import DownloadFailure, _fail, _save
    from fttui.cli.exit_codes import ExitCode
    from fttui.session.export import saved_files

    folder = _folder(args, target)
    if folder is None:
        return ExitCode.USAGE
    tracks = await finished_tracks(client, args.status or "completed")
    summary = Summary()
    on_disk = saved_files(folder)
    todo = [g for g in tracks if g.id not in on_disk]
    summary.already = len(tracks) - len(todo)
    bar = ProgressBar(len(todo))
    stopped: DownloadFailure | None = None
    try:
        for done, generation in enumerate(todo):
            bar.show(done, generation.display_title)
            try:
                saved = await _save(generation, str(folder), target)
            except DownloadFailure as failure:
                if failure.code > 128:  # SIGTERM / SIGHUP: stop here, resumable later
                    stopped = failure
                    break
                summary.failed.append((generation.id, failure.message))
                continue
            summary.saved.append((generation.id, saved.path))
    finally:
        bar.close()
    if args.json:
        output.emit_json(summary.as_json())
    else:
        for generation_id, why in summary.failed:
            _fail(why if generation_id in why else f"{generation_id}: {why}")
        print(summary.line())
    if stopped is not None:
        _fail(f"{stopped.message}; run the same command again to go on")
        return stopped.code
    return ExitCode.TRANSPORT if summary.failed else ExitCode.OK
