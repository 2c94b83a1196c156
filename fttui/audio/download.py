"""Fetching audio files into the cache, with no API key and with resumption.

The media origin is not the API origin: this client is built with no credentials at
all, follows redirects itself so every hop passes `require_safe_url` (https, or plain
http on loopback), and checks each file's length before the cache accepts it. A
truncated transfer is resumed with a Range request when the server honours it, and
otherwise restarted (skipping the bytes we already have, so a reader that is playing
the growing file is never disturbed).
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
from fttui.audio.cache import AudioCache, IncompleteDownload
from fttui.audio.source import DownloadProgress, file_size
from fttui.audio.track import Track

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}


def _open_for_writing(path: Path, offset: int) -> BinaryIO:
    handle = open(path, "r+b" if path.exists() else "wb")  # noqa: SIM115 (closed by the caller)
    handle.seek(offset)
    return handle


def _write_flushed(handle: BinaryIO, data: bytes) -> None:
    handle.write(data)
    handle.flush()  # the reader opens the file by name: it must see these bytes


class MediaError(Exception):
    """The audio file could not be fetched; the message is for the user."""


class _Retryable(Exception):
    pass


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
    ) -> None:
        self.cache = cache
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

    def start(self, track: Track) -> Download:
        """Begin fetching `track` (or join the transfer under way, or use the cache)."""
        cached = self.cache.lookup(track.id)
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
        try:
            url = require_safe_url(track.audio_url, what="audio URL")
            for attempt in range(self._retries + 1):
                try:
                    await self._attempt(url, progress)
                    expected = progress.total
                    if expected is not None and progress.written != expected:
                        raise IncompleteDownload(progress.written, expected)
                    progress.finish(functools.partial(self.cache.commit, track.id, part, expected))
                    return progress.path
                except (httpx.TransportError, IncompleteDownload, _Retryable):
                    if attempt == self._retries:
                        raise
                    await asyncio.sleep(self._backoff_s * 2**attempt)
            raise AssertionError("unreachable")
        except asyncio.CancelledError:
            progress.fail(MediaError("download cancelled"))
            raise
        except IncompleteDownload as error:
            failure = MediaError(f"Download incomplete after retries ({error})")
        except (httpx.HTTPError, _Retryable) as error:
            failure = MediaError(f"Download failed: {error}")
        except MediaError as error:
            failure = error
        except ValueError as error:  # insecure URL, unreadable Content-Range
            failure = MediaError(str(error))
        except OSError as error:
            failure = MediaError(f"Could not write the audio file: {error}")
        progress.fail(failure)
        raise failure

    async def _attempt(self, url: httpx.URL, progress: DownloadProgress) -> None:
        offset = progress.written
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        async with self._open(url, headers) as response:
            if response.status_code == 416 and offset and offset == progress.total:
                return  # everything was already here
            if response.status_code in _RETRYABLE_STATUS:
                raise _Retryable(f"server answered {response.status_code}")
            response.raise_for_status()
            skip, total = self._placement(response, offset)
            if total is not None:
                progress.advance(offset, total)
            written = offset
            handle = await asyncio.to_thread(_open_for_writing, progress.path, offset)
            try:
                async for chunk in response.aiter_bytes():
                    if skip:
                        dropped = min(skip, len(chunk))
                        chunk, skip = chunk[dropped:], skip - dropped
                    if not chunk:
                        continue
                    # Off the event loop: a slow disk must not freeze the screen.
                    await asyncio.to_thread(_write_flushed, handle, chunk)
                    written += len(chunk)
                    progress.advance(written)
            finally:
                await asyncio.to_thread(handle.close)
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
