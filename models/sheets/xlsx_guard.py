"""A first look at an XLSX worksheet before openpyxl reads it.

openpyxl pads every row to the sheet's width and fills the gaps between rows, so one cell
at XFD1048576 in a 5 KB file means a million rows of sixteen thousand cells, built before
any row cap is checked. This scan walks the worksheet's XML with a streaming defusedxml
SAX parser (no tree, no entities, no DTD) and stops at the first sign of that: a value
below the row cap or right of the column cap, or a row holding more cell elements than
any real list has. Empty cells far out (formatting) are allowed; they are never read.
"""

from __future__ import annotations

from typing import IO
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl

from defusedxml.sax import parse


class GuardTripped(Exception):
    """The worksheet goes beyond the limits; `reason` is a code of reading.REASONS."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def column_number(reference: str) -> int:
    """1 for "A7", 16384 for "XFD1048576"; 0 when the reference has no letters."""
    number = 0
    for ch in reference:
        if "A" <= ch <= "Z":
            number = number * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            number = number * 26 + ord(ch) - 96
        else:
            break
    return number


def _row_number(reference: str | None, previous: int) -> int:
    if reference and reference.isdigit():
        return int(reference)
    return previous + 1


class _Scan(ContentHandler):
    def __init__(self, max_rows: int, max_columns: int, max_cells: int) -> None:
        super().__init__()
        self.max_rows, self.max_columns, self.max_cells = max_rows, max_columns, max_cells
        self.row = 0
        self.column = 0
        self.cells = 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # the SAX API's name
        local = name.rpartition(":")[2]
        if local == "row":
            self.row = _row_number(attrs.get("r"), self.row)
            self.column = self.cells = 0
        elif local == "c":
            self.cells += 1
            if self.cells > self.max_cells:
                raise GuardTripped("too_many_columns", f"row {self.row}")
            found = column_number(attrs.get("r") or "")
            self.column = found if found else self.column + 1
        elif local in ("v", "is"):  # the cell holds a value (an inline string, too)
            if self.row > self.max_rows:
                raise GuardTripped("too_many_rows", f"a value in row {self.row}")
            if self.column > self.max_columns:
                raise GuardTripped("too_many_columns", f"a value in column {self.column}")


def scan_sheet(source: IO[bytes], max_rows: int, max_columns: int, max_cells: int) -> None:
    """Raise GuardTripped when the worksheet XML goes beyond the limits."""
    parse(source, _Scan(max_rows, max_columns, max_cells), forbid_dtd=True)
