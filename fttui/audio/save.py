"""Saving a generation to the music folder, tagged, with its lyrics beside it.

Nothing the user has is ever overwritten, and no half-written file ever carries a real
name: each file (the audio, then the lyrics) is written under a hidden temporary name in
the same folder, flushed to disk, and only then given its name, by a hard link that
fails if the name was taken meanwhile (or, where links are not supported, a rename
after a check). A failed or interrupted save removes its temporary file.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import io
import logging
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from fttui import locations
from fttui.audio.cache import AudioCache
from fttui.audio.download import MediaFetcher
from fttui.audio.files import candidates, safe_stem
from fttui.audio.formats import SNIFF_BYTES, AudioFormat, require_format
from fttui.audio.tagging import tag_file
from fttui.audio.track import Track

log = logging.getLogger(__name__)

_CHUNK = 1024 * 1024
_TEMP_PREFIX = ".fttui-"
_TEMP_SUFFIX = ".partial"
# Links are refused by some file systems (FAT, some network shares): rename instead.
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV, errno.ENOSYS}

T = TypeVar("T")


class SaveError(Exception):
    """The file could not be written where asked; the message is for the user."""


class NameTaken(SaveError):
    """The exact file name asked for exists already (it is never overwritten)."""


class SaveInterrupted(SaveError):
    """A signal (SIGTERM, SIGHUP) stopped the save; nothing half-written was left."""

    def __init__(self, signum: int, saved: Path | None = None) -> None:
        name = signal.Signals(signum).name
        if saved is None:
            message = f"stopped by {name}; nothing was saved"
        else:
            message = f"stopped by {name}; the audio was saved to {saved}, not its lyrics"
        super().__init__(message)
        self.signum = signum
        self.saved = saved


@dataclass
class SaveControl:
    """Lets a signal handler stop a save from outside, and tells how far it got."""

    stop: threading.Event = field(default_factory=threading.Event)
    audio_saved: Path | None = None  # set once the audio file has its name


@dataclass(frozen=True)
class Saved:
    """Where a save put the audio (and the lyrics), and what went wrong on the side."""

    path: Path
    lyrics: Path | None = None
    warning: str | None = None


# -- entry points -----------------------------------------------------------------------


async def save_generation(
    track: Track, fetcher: MediaFetcher, directory: Path | None = None
) -> Path:
    """Save `track` into `directory` (the music folder by default); returns the file's path.

    The audio comes from the cache when it is there, else it is downloaded into the
    cache first. The file is named "Title [id].ext" after its real format, made safe,
    never overwriting; a "Title [id].txt" with the lyrics is written when they are known.
    """
    saved = await save_track(track, fetcher, directory)
    if saved.warning:
        log.warning("%s", saved.warning)
    return saved.path


async def save_track(
    track: Track,
    fetcher: MediaFetcher,
    directory: Path | None = None,
    *,
    name: str | None = None,
    control: SaveControl | None = None,
) -> Saved:
    """Like `save_generation`, with the exact file `name` when given (its lyrics go to the
    same name with ".txt"). Raises `MediaError` (fetch), `SaveError` (writing) or
    `NameTaken`. Cancelling it stops the copy and removes the temporary file."""
    folder = directory if directory is not None else locations.music_dir()
    if name is not None and _taken(folder / name):
        raise NameTaken(f"{folder / name} exists already; it was not overwritten")
    cached = await fetcher.fetch(track)
    control = control or SaveControl()
    work = functools.partial(_save_file, cached, track, folder, name, control)
    return await _to_the_end(control.stop, work)


async def save_for_command(
    track: Track, destination: str | None, *, default_dir: Path | None, cache_bytes: int
) -> Saved:
    """The headless `download`: into a folder, or as exactly the file named.

    SIGTERM and SIGHUP stop it cleanly (no temporary file left, no file under its final
    name unless complete) and raise `SaveInterrupted`.
    """
    folder, name = where_to_save(destination, default_dir)
    fetcher = MediaFetcher(AudioCache(max_bytes=cache_bytes))
    control = SaveControl()
    task = asyncio.ensure_future(save_track(track, fetcher, folder, name=name, control=control))
    received: list[int] = []
    try:
        with _signals_stop(task, control.stop, received):
            return await task
    except asyncio.CancelledError:
        if not received:
            raise
        raise SaveInterrupted(received[0], control.audio_saved) from None
    finally:
        await fetcher.aclose()


def where_to_save(
    destination: str | None, default_dir: Path | None
) -> tuple[Path | None, str | None]:
    """The folder to save in (None: the music folder), and the exact file name when
    `destination` names a file. An existing folder, or a name with no suffix, is a folder.
    """
    if not destination:
        return default_dir, None
    wanted = Path(destination).expanduser()
    if wanted.is_dir() or wanted.suffix == "":
        return wanted, None
    return wanted.parent, wanted.name


# -- the work, in a thread --------------------------------------------------------------


def _save_file(
    cached: Path, track: Track, folder: Path, name: str | None, control: SaveControl
) -> Saved:
    stop = control.stop
    with open(cached, "rb") as source:
        fmt = require_format(source.read(SNIFF_BYTES))
        source.seek(0)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _cannot_write(folder, error) from error
        if name is not None:
            names: Iterator[Path] = iter([folder / name])
        else:
            companions = (".txt",) if track.lyrics else ()
            names = candidates(folder, safe_stem(track.title, track.id), fmt.extension, *companions)
        path = _write_new(source, folder, names, stop, fmt, track)
    control.audio_saved = path
    if not track.lyrics:
        return Saved(path)
    sidecar = path.with_suffix(".txt")
    lyrics = io.BytesIO((track.lyrics + "\n").encode("utf-8"))
    try:
        _write_new(lyrics, folder, iter([sidecar]), stop)
    except NameTaken:
        warning = f"{sidecar} exists already, so the lyrics were not written (they are in the tags)"
        return Saved(path, None, warning)
    except SaveError as error:
        return Saved(path, None, f"the lyrics were not written beside the audio: {error}")
    return Saved(path, sidecar)


class _Stopped(Exception):
    """The copy saw its stop event set."""


def _open_temp(directory: Path, final_name: str) -> tuple[IO[bytes], Path]:
    """A new hidden file in `directory` for what becomes `final_name` (a test hook)."""
    fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=directory)
    return os.fdopen(fd, "wb"), Path(temp)


def _copy(source: IO[bytes], target: IO[bytes], stop: threading.Event) -> None:
    """Copy in chunks, checking `stop` between them (a test hook)."""
    while chunk := source.read(_CHUNK):
        if stop.is_set():
            raise _Stopped
        target.write(chunk)


def _write_new(
    source: IO[bytes],
    folder: Path,
    names: Iterator[Path],
    stop: threading.Event,
    fmt: AudioFormat | None = None,
    track: Track | None = None,
) -> Path:
    """Write `source` to the first free name of `names`, complete or not at all."""
    first = next(names)
    try:
        handle, temp = _open_temp(folder, first.name)
    except OSError as error:
        raise _cannot_write(folder, error) from error
    try:
        try:
            with handle:
                _copy(source, handle, stop)
                handle.flush()
                os.fsync(handle.fileno())
            if fmt is not None and track is not None:
                _tag(temp, fmt, track)
        except OSError as error:
            raise _cannot_write(folder, error) from error
        if stop.is_set():
            raise _Stopped
        path = _publish(temp, first, names)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(folder)
    return path


def _tag(temp: Path, fmt: AudioFormat, track: Track) -> None:
    try:
        tag_file(temp, fmt, track)
    except Exception:  # an untagged file is still worth having
        log.exception("could not tag %s", temp)
        return
    with open(temp, "rb+") as handle:  # the tags were written after the first fsync
        os.fsync(handle.fileno())


def _publish(temp: Path, first: Path, others: Iterator[Path]) -> Path:
    """Give `temp` the first free name, never replacing a file that has one."""
    for path in (first, *others):
        try:
            os.link(temp, path)
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno not in _NO_LINKS:
                raise _cannot_write(path.parent, error) from error
            if _taken(path):
                continue
            try:
                os.replace(temp, path)
            except OSError as replace_error:
                raise _cannot_write(path.parent, replace_error) from replace_error
            return path
        with contextlib.suppress(OSError):
            temp.unlink()  # the file has its name; the temporary one is a second link
        return path
    raise NameTaken(f"{first} exists already; it was not overwritten")


def _taken(path: Path) -> bool:
    return os.path.lexists(path)


def _cannot_write(folder: Path, error: OSError) -> SaveError:
    return SaveError(f"could not write in {folder}: {error.strerror or error}")


def _fsync_directory(directory: Path) -> None:
    # Makes the new name itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- cancellation -----------------------------------------------------------------------


async def _to_the_end(stop: threading.Event, work: Callable[[], T]) -> T:
    """Run `work()` in a thread; if cancelled, set `stop` and wait for the thread to
    clean up (remove its temporary file) before passing the cancellation on."""
    future = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        stop.set()
        with contextlib.suppress(BaseException):
            await future
        raise


@contextlib.contextmanager
def _signals_stop(
    task: asyncio.Future[Saved], stop: threading.Event, received: list[int]
) -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP stop the save instead of killing the process."""
    loop = asyncio.get_running_loop()
    installed: list[int] = []

    def on_signal(signum: int) -> None:
        received.append(signum)
        stop.set()
        task.cancel()

    for signum in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if signum is None:
            continue
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # Windows, or not the main thread: the default action stays
        installed.append(signum)
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
