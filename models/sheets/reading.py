"""Reading a spreadsheet someone sent (CSV or XLSX) without trusting it.

What admins send from chat or hand to the CLI (a kelurahan's list of KK binaan, a kegiatan
schedule) may be anything: another kind of file under a spreadsheet's name, a CSV saved by
Indonesian-locale Excel (';', Windows-1252), or an XLSX built to exhaust memory. So:

- the kind is told from the content, not the name (a zip with ``xl/workbook.xml`` is XLSX,
  an old ``.xls`` or a password-protected workbook is named as such, other binary files
  are refused, text is CSV);
- the file's size is capped before anything is read (`Limits.max_bytes`);
- an XLSX's parts are checked by the sizes its zip declares, which are what `zipfile` reads
  at most (a part longer than declared fails its CRC check), so a zip bomb is refused
  before it is unpacked;
- the first worksheet is scanned first by a streaming defusedxml SAX parser that builds no
  tree and stops at the first value beyond the row or column cap, or at a row with too many
  cells (`xlsx_guard`); only then does openpyxl read it, in read-only mode (through
  defusedxml as well), with the stored dimensions ignored (a sheet may claim A1:XFD1048576)
  and the rows taken lazily, stopping at the cap.

`read_rows` returns the rows from row 1 (empty ones kept, so row numbers are the ones a
spreadsheet shows), each at most `Limits.max_columns` wide, with trailing empty cells
dropped. Any problem with the file as a whole is a `SheetError` with a reason code.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Final

from models.sheets.xlsx_guard import GuardTripped, scan_sheet

log = logging.getLogger(__name__)

MB: Final = 1024 * 1024

Cell = str | int | float | datetime | date | time | None
Row = list[Cell]

# What a file as a whole can be refused for (each has a message in the callers' words).
REASONS: Final = {
    "too_large": "the file is too large",
    "empty_file": "the file is empty",
    "not_spreadsheet": "not a spreadsheet (only .csv and .xlsx files can be read)",
    "old_excel": "an old Excel file (.xls) or a password-protected workbook: save it as "
    ".xlsx without a password, or as .csv",
    "unreadable": "the file cannot be read",
    "too_many_rows": "too many rows",
    "too_many_columns": "too many columns",
    "unsafe_reader": "XLSX files are read only through defusedxml, which is not available",
}

_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0"  # .xls, and encrypted .xlsx
_NOT_TEXT: Final = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"\x1f\x8b", b"7z")
_UTF16: Final = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS: Final = (",", ";", "\t")


@dataclass(frozen=True)
class Limits:
    """How much of a file is read at most."""

    max_bytes: int = 20 * MB
    # Rows looked at, the header and empty rows included; data below is refused.
    max_rows: int = 5000
    # Columns looked at; a value further right is refused.
    max_columns: int = 60
    # XLSX: one XML part unpacked, all parts unpacked, cells (even empty ones) in one row.
    max_part_bytes: int = 32 * MB
    max_unpacked_bytes: int = 160 * MB
    max_cells_in_row: int = 2000


class SheetError(Exception):
    """The file as a whole cannot be read; `reason` is a code of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{REASONS.get(reason, reason)}{f' ({detail})' if detail else ''}")
        self.reason = reason
        self.detail = detail


def read_rows(path: Path, limits: Limits | None = None, *, name: str | None = None) -> list[Row]:
    """The rows of a CSV file or of an XLSX workbook's first sheet; see the module text.
    `name` is the file's name as sent (default: the path's): one ending in .xlsx must
    hold an XLSX."""
    limits = limits or Limits()
    says_xlsx = (name or path.name).lower().endswith((".xlsx", ".xlsm"))
    try:
        size = path.stat().st_size
    except OSError as err:
        raise SheetError("unreadable", type(err).__name__) from err
    if size > limits.max_bytes:
        raise SheetError("too_large", f"{size / MB:.1f} MB, at most {limits.max_bytes / MB:g} MB")
    if size == 0:
        raise SheetError("empty_file")
    with path.open("rb") as fh:
        start = fh.read(8)
    if start.startswith(_ZIP):
        return _trimmed(_read_xlsx(path, limits))
    if start.startswith(_OLE):
        raise SheetError("old_excel")
    if start.startswith(_NOT_TEXT):
        raise SheetError("not_spreadsheet")
    if says_xlsx:
        raise SheetError("unreadable", "not an XLSX inside")
    return _trimmed(_read_csv(path.read_bytes(), limits))


def is_empty(row: Row) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _trimmed(rows: list[Row]) -> list[Row]:
    """Trailing empty cells and rows dropped (a sheet's formatting often reaches further)."""
    out: list[Row] = []
    for row in rows:
        end = len(row)
        while end and (row[end - 1] is None or row[end - 1] == ""):
            end -= 1
        out.append(row[:end])
    while out and not out[-1]:
        out.pop()
    return out


# -- CSV ----------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
    Windows-1252, the code page Excel uses for CSV on Indonesian Windows."""
    if data.startswith(_UTF16):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # the five bytes cp1252 leaves undefined


def _looks_binary(data: bytes, text: str) -> bool:
    if not data.startswith(_UTF16) and b"\x00" in data[:8192]:
        return True
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 100)


def _delimiter(text: str) -> str:
    """Indonesian-locale spreadsheets save with ';' (the comma is the decimal mark there);
    the first lines may be a title without any delimiter, so the busiest line decides."""
    lines = text.splitlines()[:10]
    return max(_DELIMITERS, key=lambda d: max((line.count(d) for line in lines), default=0))


def _read_csv(data: bytes, limits: Limits) -> list[Row]:
    text = decode_text(data)
    if _looks_binary(data, text):
        raise SheetError("not_spreadsheet")
    rows: list[Row] = []
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text), delimiter=_delimiter(text)), 1
        ):
            row: Row = list(cells)
            if number > limits.max_rows:
                if not is_empty(row):
                    raise SheetError("too_many_rows", f"more than {limits.max_rows}")
                continue  # trailing ';;;;' lines a spreadsheet saved: read, not kept
            if len(row) > limits.max_columns:
                if not is_empty(row[limits.max_columns :]):
                    raise SheetError("too_many_columns", f"more than {limits.max_columns}")
                row = row[: limits.max_columns]
            rows.append(row)
    except csv.Error as err:
        raise SheetError("unreadable", "CSV") from err
    return rows


# -- XLSX ---------------------------------------------------------------------------------


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > 10_000:
        raise SheetError("unreadable", "too many parts")
    total = 0
    for info in infos:
        total += info.file_size
        xml = info.filename.endswith((".xml", ".rels", ".vml"))
        if xml and info.file_size > limits.max_part_bytes:
            raise SheetError("too_large", f"a part unpacks to {info.file_size / MB:.0f} MB")
        if total > limits.max_unpacked_bytes:
            raise SheetError("too_large", f"unpacks to more than {total / MB:.0f} MB")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise SheetError("not_spreadsheet")


def _value(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | datetime | date | time):
        return value
    return str(value)  # rich text, errors, durations: their text


def _read_xlsx(path: Path, limits: Limits) -> list[Row]:
    import openpyxl  # only needed here; keeps start-up light

    if not openpyxl.DEFUSEDXML:
        # defusedxml is a dependency; OPENPYXL_DEFUSEDXML=False would switch it off.
        raise SheetError("unsafe_reader")
    # Opened as a file, not by name: openpyxl refuses a name without .xlsx (a file from
    # chat is stored under a name made of its content's hash).
    source = path.open("rb")
    try:
        with zipfile.ZipFile(source) as archive:
            _check_parts(archive, limits)
        source.seek(0)
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except BaseException as err:
        source.close()
        if isinstance(err, SheetError) or not isinstance(err, Exception):
            raise
        # An untrusted file can break a parser in many ways.
        log.info("spreadsheet not readable: %s", type(err).__name__)
        raise SheetError("unreadable", type(err).__name__) from err
    try:
        sheets = workbook.worksheets
        if not sheets:
            return []
        sheet = sheets[0]
        part = getattr(sheet, "_worksheet_path", None)
        if not isinstance(part, str):
            raise SheetError("unreadable", "no worksheet")
        with zipfile.ZipFile(path) as archive, archive.open(part) as xml:
            scan_sheet(xml, limits.max_rows, limits.max_columns, limits.max_cells_in_row)
        # The stored range (<dimension ref=…>) is the file's claim, not its content.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        rows: list[Row] = []
        cells = sheet.iter_rows(max_col=limits.max_columns, values_only=True)
        for number, values in enumerate(cells, 1):
            if number > limits.max_rows:
                break  # the scan found nothing further down
            rows.append([_value(v) for v in values])
        return rows
    except GuardTripped as tripped:
        raise SheetError(tripped.reason, tripped.detail) from None
    except SheetError:
        raise
    except Exception as err:
        log.info("spreadsheet not readable: %s", type(err).__name__)
        raise SheetError("unreadable", type(err).__name__) from err
    finally:
        workbook.close()
        source.close()
