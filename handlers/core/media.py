"""Photos (announcements, reports) and files (spreadsheets to import): how a handler turns a
platform file id into a stored file.

An `Incoming` photo carries only the platform's file id (`Media.file_ref`); the outbox
needs a file on disk, because a row must still be sendable after a restart, on another
channel, or after the platform's id has expired. Each channel that can fetch its files
offers a `MediaDownloader`; `bot/` wiring registers it per channel. A channel without
one simply cannot take photos for announcements yet, and the flow says so.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Literal, Protocol

from handlers.core.types import Media
from models.files import private_dir, write_private

# Telegram's sendPhoto takes at most 10 MB; larger photos could never go out.
MAX_PHOTO_BYTES = 10 * 1024 * 1024

Reason = Literal["too_large", "not_a_photo", "failed"]


class MediaDownloadError(Exception):
    """The file could not be stored; `reason` picks the message she is shown."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


class MediaDownloader(Protocol):
    """Fetch one platform file and store it in `folder` (created if missing).

    Returns the stored file's path. The name is the downloader's choice but must be
    unguessable and derived from the file (e.g. a hash of its content), so a repeated
    message stores nothing twice. Raises `MediaDownloadError` when the file is larger
    than `max_bytes`, is not what was asked for, or cannot be fetched.
    """

    async def __call__(self, media: Media, folder: Path, *, max_bytes: int) -> Path: ...


DOWNLOADERS: dict[str, MediaDownloader] = {}


def register_downloader(channel: str, downloader: MediaDownloader) -> None:
    DOWNLOADERS[channel] = downloader


def unregister_downloader(channel: str) -> None:
    DOWNLOADERS.pop(channel, None)


def downloader_for(channel: str) -> MediaDownloader | None:
    return DOWNLOADERS.get(channel)


# Any file, not only a picture: a spreadsheet an admin sends to import (same contract as a
# MediaDownloader, without the check that it is a photo; "too_large" and "failed" only).
FILE_DOWNLOADERS: dict[str, MediaDownloader] = {}


def register_file_downloader(channel: str, downloader: MediaDownloader) -> None:
    FILE_DOWNLOADERS[channel] = downloader


def unregister_file_downloader(channel: str) -> None:
    FILE_DOWNLOADERS.pop(channel, None)


def file_downloader_for(channel: str) -> MediaDownloader | None:
    return FILE_DOWNLOADERS.get(channel)


IMAGE_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"RIFF", ".webp"))


def _write_once(path: Path, data: bytes) -> None:
    private_dir(path.parent)
    if not path.exists():
        write_private(path, data)


async def store_photo(data: bytes, folder: Path) -> Path:
    """A photo a channel fetched, stored under a name from its content (the same photo sent
    twice is one file); anything that is not a JPEG, PNG or WebP is refused."""
    suffix = next((ext for magic, ext in IMAGE_MAGIC if data.startswith(magic)), None)
    if suffix is None:
        raise MediaDownloadError("not_a_photo")
    path = folder / (hashlib.sha256(data).hexdigest()[:32] + suffix)
    await asyncio.to_thread(_write_once, path, data)
    return path


async def store_file(data: bytes, folder: Path) -> Path:
    """Any file a channel fetched (a spreadsheet to import), named by its content; its
    reader checks the kind."""
    path = folder / hashlib.sha256(data).hexdigest()[:32]
    await asyncio.to_thread(_write_once, path, data)
    return path
