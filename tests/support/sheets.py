"""Spreadsheets for import stories, built in the test's tmp_path: XLSX by openpyxl (then,
for the hostile ones, the worksheet XML rewritten by hand) and CSV in any encoding."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook

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
