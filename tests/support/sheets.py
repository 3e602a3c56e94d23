"""Spreadsheets for import stories, built in the test's tmp_path: XLSX by openpyxl (then,
for the hostile ones, the worksheet XML rewritten by hand) and CSV in any encoding; and a
file downloader for the test channel, so an admin can send one in chat."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from openpyxl import Workbook

from handlers.core.media import (
    MediaDownloadError,
    register_file_downloader,
    unregister_file_downloader,
)
from handlers.core.types import Incoming, Kind, Media
from tests.support.chat import Chat

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ("nama", "kampung", "RT", "RW", "no HP", "Dasa Wisma", "peran")


def xlsx(path: Path, rows: Sequence[Sequence[object]], *, merge: Sequence[str] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def csv_file(
    path: Path, rows: Sequence[Sequence[object]], *, sep: str = ",", encoding: str = "utf-8"
) -> Path:
    lines = [sep.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def rewrite_sheet(path: Path, change: Callable[[str], str], out: Path | None = None) -> Path:
    """A copy of the workbook with its first worksheet's XML changed."""
    out = out or path
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == SHEET:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)
    return out


def claim_huge_range(xml: str) -> str:
    """The sheet says it spans A1:XFD1048576 (a million rows by 16384 columns)."""
    return re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)


def far_corner_cell(xml: str) -> str:
    """One value at XFD1048576: openpyxl alone would pad every row to it."""
    cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return claim_huge_range(xml).replace("</sheetData>", cell + "</sheetData>")


@contextmanager
def file_downloader(files: dict[str, bytes], channel: str = "test") -> Iterator[list[Media]]:
    """A file downloader for the test channel serving `files` by file_ref (stored under a
    name from the content, like a real channel's); a ref not in `files` fails, "huge" is
    too large."""
    asked: list[Media] = []

    async def download(media: Media, folder: Path, *, max_bytes: int) -> Path:
        asked.append(media)
        if media.file_ref == "huge":
            raise MediaDownloadError("too_large")
        data = files[media.file_ref]
        if len(data) > max_bytes:
            raise MediaDownloadError("too_large")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / hashlib.sha256(data).hexdigest()[:32]
        path.write_bytes(data)
        return path

    register_file_downloader(channel, download)
    try:
        yield asked
    finally:
        unregister_file_downloader(channel)


def document(chat: Chat, ref: str, filename: str, size: int | None = None) -> Incoming:
    return chat._incoming(
        Kind.DOCUMENT, media=Media(file_ref=ref, filename=filename, mime_type=None, size=size)
    )
