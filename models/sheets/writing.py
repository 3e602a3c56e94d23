"""Writing spreadsheets for people (XLSX) and for tools (CSV), safely.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
is run as a formula by spreadsheet programs when they open a CSV, and openpyxl itself
stores a string starting with ``=`` as a formula. Names, notes and titles come from
people, so such text is written as text: in a CSV behind an apostrophe (what spreadsheet
programs read as "this is text"), in an XLSX as a string cell marked with the quote
prefix. Dates go to XLSX as real Excel dates in the deployment's zone, written as naive
local times (openpyxl refuses aware ones); CSV is UTF-8 with a BOM so Excel reads it right,
with ';' for Indonesian-locale Excel when asked.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from models.files import private_file

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDEST = 60  # characters: a long text wraps rather than stretching the column

Value = str | int | float | bool | datetime | date | time | None


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def safe_text(text: str) -> str:
    """For a CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if formula_like(text) else text


def local_naive(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware moment as the local wall-clock time, without a zone (what Excel stores)."""
    return moment.astimezone(tz).replace(tzinfo=None) if moment.tzinfo else moment


def csv_cell(value: Value, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return local_naive(value, tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Value]],
    *,
    tz: ZoneInfo,
    sep: str = ",",
) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\r\n")
        writer.writerow([safe_text(h) for h in header])
        for row in rows:
            writer.writerow([csv_cell(v, tz) for v in row])
    private_file(path)


@dataclass(frozen=True)
class Table:
    """One sheet of a workbook: its tab's title, the header and the rows."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Value]]


def _width(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    longest = max((len(line) for line in str(value).splitlines()), default=0)
    return min(WIDEST, longest)


def write_xlsx(path: Path, tables: Sequence[Table], *, tz: ZoneInfo) -> None:
    """A workbook for people: bold header row kept in view, columns as wide as their text."""
    from openpyxl import Workbook  # only needed here; keeps start-up light
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        assert isinstance(sheet, WriteOnlyWorksheet)
        sheet.freeze_panes = "A2"
        widths = [len(h) for h in table.header]
        for row in table.rows:
            for i, value in enumerate(row):
                if i < len(widths):
                    widths[i] = max(widths[i], _width(value))
        for i, width in enumerate(widths, 1):
            # WriteOnlyWorksheet has column_dimensions; the stubs do not say so.
            dimensions = getattr(sheet, "column_dimensions")  # noqa: B009
            dimensions[get_column_letter(i)].width = max(8, width + 2)
        head = []
        for text in table.header:
            cell = WriteOnlyCell(sheet, value=_clean(text))
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value, tz) for value in row])
    book.save(path)
    private_file(path)


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _xlsx_cell(sheet: object, value: Value, tz: ZoneInfo) -> object:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=local_naive(value, tz))  # type: ignore[arg-type]
        cell.number_format = "DD/MM/YYYY HH:MM"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.number_format = "DD/MM/YYYY"
        return cell
    if isinstance(value, str):
        text = _clean(value)
        cell = WriteOnlyCell(sheet, value=text)  # type: ignore[arg-type]
        if formula_like(text):
            cell.data_type = "s"  # openpyxl took "=…" for a formula
            cell.quotePrefix = True
        return cell
    return WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
