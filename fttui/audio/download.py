"""Fetching audio files into the cache, with no API key and with resumption.

The media origin is not the API origin: this client is built with no credentials at
all, follows redirects itself so every hop passes `require_safe_url` (https, or plain
http on loopback), and checks each file before the cache accepts it: it must start like
audio (a captive portal's page, an empty body or a JSON error never gets in) and have
a plausible length. A truncated transfer is resumed with a Range request when the
server honours it, and otherwise restarted (skipping the bytes we already have, so a
reader that is playing the growing file is never disturbed).

Every transfer is bounded: in bytes by the API's `fileSize` (with a margin, or a fixed
ceiling when it is unknown) and by the cache's cap, and in time by an overall deadline
that grows with the file, so neither an endless stream nor a trickle goes on forever.
A failed transfer's `.part` file is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import httpx

from fttui.api.origins import require_safe_url
from fttui.audio.cache import AudioCache, IncompleteDownload, plausible_size, size_limit
from fttui.audio.formats import SNIFF_BYTES, sniff
from fttui.audio.source import DownloadProgress, file_size
from fttui.audio.track import Track

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}

# The deadline of a file of unknown length, until the server says its length: a long
# track at a high bitrate (210 s at 320 kbit/s).
TYPICAL_BYTES = 8_000_000


def _open_for_writing(path: Path, offset: int) -> BinaryIO:
    handle = open(path, "r+b" if path.exists() else "wb")  # noqa: SIM115 (closed by the caller)
    handle.seek(offset)
    return handle


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(SNIFF_BYTES)


def _write_flushed(handle: BinaryIO, data: bytes) -> None:
    handle.write(data)
    handle.flush()  # the reader opens the file by name: it must see these bytes


class MediaError(Exception):
    """The audio file could not be fetched; the message is for the user."""


class NotAudio(MediaError):
    """The server answered with something that is not the audio file (never retried)."""


class TooLarge(MediaError):
    """The file grew past what it could be (never retried)."""


class _Retryable(Exception):
    pass


def _not_audio(content_type: str, head: bytes, size: int) -> NotAudio:
    kind = content_type.split(";")[0].strip().lower()
    text = head.lstrip()
    if size == 0:
        return NotAudio("The audio server sent an empty file instead of the audio")
    if kind in ("text/html", "application/xhtml+xml") or text[:1] == b"<":
        return NotAudio(
            "The audio server sent a web page instead of the audio (a Wi-Fi login page?)"
        )
    if kind.endswith("json") or text[:1] in (b"{", b"["):
        return NotAudio("The audio server sent JSON instead of the audio (an error?)")
    return NotAudio(f"The audio server sent something that is not audio ({kind or 'no type'})")


def _reason(error: httpx.HTTPError, read_timeout_s: float) -> str:
    """Why a request failed, in words (httpx's timeouts have no message at all)."""
    if isinstance(error, httpx.ReadTimeout):
        return f"the audio server stopped sending (nothing for {read_timeout_s:g} s)"
    if isinstance(error, httpx.ConnectTimeout):
        return "the audio server did not answer"
    if isinstance(error, httpx.ConnectError):
        return f"could not connect to the audio server ({error or 'refused'})"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"the audio server broke off the transfer ({error})"
    if isinstance(error, httpx.HTTPStatusError):
        return f"the audio server answered {error.response.status_code}"
    return str(error) or type(error).__name__


class _Deadline:
    """Cancels the transfer's task when its time is up; `expired` tells why it ended."""

    def __init__(self, seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._start = self._loop.time()
        self.seconds = seconds
        self.expired = False
        self._handle = self._loop.call_at(self._start + seconds, self._expire)

    def move_to(self, seconds: float) -> None:
        """Make the deadline `seconds` after the start instead."""
        if self.expired:
            return
        self._handle.cancel()
        self.seconds = seconds
        self._handle = self._loop.call_at(self._start + seconds, self._expire)

    def cancel(self) -> None:
        self._handle.cancel()

    def _expire(self) -> None:
        self.expired = True
        if self._task is not None:
            self._task.cancel()


@dataclass
class Download:
    """One file on its way into the cache (or already there)."""

    track_id: str
    progress: DownloadProgress
    task: asyncio.Task[Path] | None = field(default=None, repr=False)  # None: a cache hit
    wanted: bool = False  # someone needs the whole file (a save): playback may not cancel it

    @property
    def from_cache(self) -> bool:
        """True when no network was needed."""
        return self.task is None

    async def wait(self) -> Path:
        """The complete cached file, once the download has finished."""
        if self.task is None:
            return self.progress.path
        return await asyncio.shield(self.task)


class MediaFetcher:
    """Downloads audio into an `AudioCache`; one transfer per id at a time."""

    def __init__(
        self,
        cache: AudioCache,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 3,
        backoff_s: float = 0.25,
        timeout_s: float = 30.0,
        max_redirects: int = 5,
        min_deadline_s: float = 60.0,
        min_bytes_per_s: int = 8_000,
    ) -> None:
        self.cache = cache
        self._timeout_s = timeout_s
        self._min_deadline_s = min_deadline_s
        self._min_bytes_per_s = min_bytes_per_s
        self._retries = retries
        self._backoff_s = backoff_s
        self._max_redirects = max_redirects
        # Deliberately no auth, no cookies and no default headers beyond these: this
        # client talks to object storage, never to the API.
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            headers={"User-Agent": "fttui", "Accept-Encoding": "identity"},
        )
        self._inflight: dict[str, Download] = {}

    def deadline_s(self, size: int | None) -> float:
        """How long a transfer of `size` bytes may take in all, retries included: as long
        as at `min_bytes_per_s` (half the bitrate of the API's MP3s), but never under the floor."""
        expected = size if size else TYPICAL_BYTES
        return max(self._min_deadline_s, expected / self._min_bytes_per_s)

    def start(self, track: Track) -> Download:
        """Begin fetching `track` (or join the transfer under way, or use the cache)."""
        cached = self.cache.lookup(track.id, track.file_size)
        if cached is not None:
            return Download(track.id, DownloadProgress.complete(cached))
        running = self._inflight.get(track.id)
        if running is not None:
            return running
        part = self.cache.part_path_for(track.id)
        # Bytes left by an interrupted earlier run are a valid prefix: resume after them.
        progress = DownloadProgress(part, written=file_size(part) or 0, total=track.file_size)
        download = Download(track.id, progress)
        download.task = asyncio.create_task(self._download(track, progress))
        download.task.add_done_callback(lambda task: self._finished(track.id, task))
        self._inflight[track.id] = download
        return download

    async def fetch(self, track: Track) -> Path:
        """The complete cached file for `track`, downloading it if needed."""
        download = self.start(track)
        download.wanted = True
        return await download.wait()

    def cancel(self, track_id: str) -> None:
        """Abandon the transfer of `track_id` (unless a `fetch` needs it).

        What was written stays in the `.part` file, and a later start resumes after it.
        """
        download = self._inflight.get(track_id)
        if download is not None and download.task is not None and not download.wanted:
            del self._inflight[track_id]
            download.task.cancel()

    def _finished(self, track_id: str, task: asyncio.Task[Path]) -> None:
        download = self._inflight.get(track_id)
        if download is not None and download.task is task:
            del self._inflight[track_id]
        if not task.cancelled():
            task.exception()  # retrieved here, so asyncio never logs it to stderr

    async def aclose(self) -> None:
        """Cancel every transfer and close the connection pool."""
        tasks = [d.task for d in self._inflight.values() if d.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self._inflight.clear()
        await self._client.aclose()

    # -- the transfer ----------------------------------------------------------------
    async def _download(self, track: Track, progress: DownloadProgress) -> Path:
        part = progress.path
        deadline = _Deadline(self.deadline_s(track.file_size))
        try:
            url = require_safe_url(track.audio_url, what="audio URL")
            for attempt in range(self._retries + 1):
                try:
                    await self._attempt(url, track, progress, deadline)
                    expected = progress.total
                    if expected is not None and progress.written != expected:
                        raise IncompleteDownload(progress.written, expected)
                    self._check_size(track, progress.written)
                    deadline.cancel()
                    progress.finish(functools.partial(self.cache.commit, track.id, part, expected))
                    return progress.path
                except (httpx.TransportError, IncompleteDownload, _Retryable):
                    if attempt == self._retries:
                        raise
                    await asyncio.sleep(self._backoff_s * 2**attempt)
            raise AssertionError("unreachable")
        except asyncio.CancelledError:
            if not deadline.expired:
                # Playback moved on: what was written stays, and a later start resumes.
                progress.fail(MediaError("download cancelled"))
                raise
            uncancel = getattr(asyncio.current_task(), "uncancel", None)
            if uncancel is not None:  # Python 3.11+: the cancellation was ours, and handled
                uncancel()
            failure = MediaError(
                f"The download took too long: {self._so_far(progress)} in {deadline.seconds:g} s"
            )
        except IncompleteDownload as error:
            failure = MediaError(f"Download incomplete after retries ({error})")
        except httpx.HTTPError as error:
            failure = MediaError(f"Download failed: {_reason(error, self._timeout_s)}")
        except _Retryable as error:
            failure = MediaError(f"Download failed: {error}")
        except MediaError as error:
            failure = error
        except ValueError as error:  # insecure URL, unreadable Content-Range
            failure = MediaError(str(error))
        except OSError as error:
            failure = MediaError(f"Could not write the audio file: {error.strerror or error}")
        finally:
            deadline.cancel()
        # Readers are told first: one that opened the file after this would find it gone.
        progress.fail(failure)
        self.cache.remove_part(track.id)
        raise failure

    @staticmethod
    def _so_far(progress: DownloadProgress) -> str:
        if progress.total is None:
            return f"{progress.written:,} bytes"
        return f"{progress.written:,} of {progress.total:,} bytes"

    def _limit(self, track: Track) -> tuple[int, str]:
        """The most bytes this file may have, and what to say when it has more."""
        by_size = size_limit(track.file_size)
        if self.cache.max_bytes < by_size:
            megabytes = self.cache.max_bytes / 2**20
            return self.cache.max_bytes, (
                f"The audio file is larger than the audio cache ({megabytes:g} MB, "
                "setting audio_cache_mb); the download was stopped"
            )
        if track.file_size:
            announced = f"the {track.file_size:,} bytes the API announced"
        else:
            announced = f"{by_size:,} bytes"
        return by_size, f"The audio server sent more than {announced}; the download was stopped"

    @staticmethod
    def _check_size(track: Track, size: int) -> None:
        if track.file_size and not plausible_size(size, track.file_size):
            raise NotAudio(
                f"The audio file is {size:,} bytes but the API announced {track.file_size:,}"
            )

    async def _check_head(self, path: Path, content_type: str, size: int) -> None:
        head = await asyncio.to_thread(_read_head, path)
        if sniff(head) is None:
            raise _not_audio(content_type, head, size)

    async def _attempt(
        self, url: httpx.URL, track: Track, progress: DownloadProgress, deadline: _Deadline
    ) -> None:
        offset = progress.written
        limit, too_much = self._limit(track)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        async with self._open(url, headers) as response:
            if response.status_code == 416 and offset and offset == progress.total:
                return  # everything was already here
            if response.status_code in _RETRYABLE_STATUS:
                raise _Retryable(f"server answered {response.status_code}")
            response.raise_for_status()
            skip, total = self._placement(response, offset)
            if total is not None:
                if total > limit:
                    raise TooLarge(too_much)
                if not track.file_size:  # now the deadline can follow the real length
                    deadline.move_to(self.deadline_s(total))
                progress.advance(offset, total)
            content_type = response.headers.get("content-type", "")
            checked = offset >= SNIFF_BYTES  # a resumed file was checked when it began
            written = offset
            handle = await asyncio.to_thread(_open_for_writing, progress.path, offset)
            try:
                async for chunk in response.aiter_bytes():
                    if skip:
                        dropped = min(skip, len(chunk))
                        chunk, skip = chunk[dropped:], skip - dropped
                    if not chunk:
                        continue
                    if written + len(chunk) > limit:
                        raise TooLarge(too_much)
                    # Off the event loop: a slow disk must not freeze the screen.
                    await asyncio.to_thread(_write_flushed, handle, chunk)
                    written += len(chunk)
                    progress.advance(written)
                    if not checked and written >= SNIFF_BYTES:
                        await self._check_head(progress.path, content_type, written)
                        checked = True
            finally:
                await asyncio.to_thread(handle.close)
            if not checked:
                await self._check_head(progress.path, content_type, written)
            if total is not None and written < total:
                raise IncompleteDownload(written, total)

    @staticmethod
    def _placement(response: httpx.Response, offset: int) -> tuple[int, int | None]:
        """Bytes of the body to skip, and the file's total length if the server says."""
        if response.status_code == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
            if match is None or int(match.group(1)) != offset:
                raise ValueError("the server answered an unexpected byte range")
            total = match.group(3)
            return 0, None if total == "*" else int(total)
        # A full body: the server ignored our Range, so skip what we already have.
        length = response.headers.get("content-length")
        return offset, int(length) if length and length.isdigit() else None

    @contextlib.asynccontextmanager
    async def _open(self, url: httpx.URL, headers: dict[str, str]) -> AsyncIterator[httpx.Response]:
        for _ in range(self._max_redirects + 1):
            request = self._client.build_request("GET", url, headers=headers)
            response = await self._client.send(request, stream=True)
            if not response.is_redirect:
                try:
                    yield response
                finally:
                    await response.aclose()
                return
            location = response.headers.get("location", "")
            await response.aclose()
            url = require_safe_url(url.join(location), what="audio redirect")
        raise MediaError("too many redirects")
