"""Finding the header row of a list people made by hand.

Lists from a kelurahan often start with a title ("DAFTAR KK BINAAN KAMPUNG SUMBERAN")
and may have a two-row header with merged cells: "Alamat" over "Kampung | RT | RW", or
"Nama" merged down over both rows. Merged cells read as their value in the first cell
and empty in the others, so a header row's empty cells take the value above them. The
header is the row, among the first few, naming the most of the columns looked for.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from models.sheets.reading import Cell, Row

LOOK_ROWS = 10


def header_text(cell: Cell) -> str:
    """ "No. HP" -> "no hp", " Nama  Lengkap " -> "nama lengkap", "RT/RW" -> "rt/rw"."""
    text = "" if cell is None else str(cell)
    return " ".join(re.sub(r"[._:*\n\r\t]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class Header:
    row: int  # as a spreadsheet numbers it (1 = the first row); data starts below
    # For each column: the name it is known by, or None (not one of ours, or empty).
    columns: tuple[str | None, ...]
    # Header texts of the columns that are not ours, as written (reported, never read).
    unknown: tuple[str, ...]
    # Each column's header text (see `header_text`; "" under a cell merged across).
    texts: tuple[str, ...] = ()


def _merged_down(rows: list[Row], index: int) -> list[Cell]:
    row = rows[index]
    if index == 0:
        return list(row)
    above = rows[index - 1]
    width = max(len(row), len(above))
    return [
        (row[i] if i < len(row) and header_text(row[i]) else (above[i] if i < len(above) else None))
        for i in range(width)
    ]


def find_header(
    rows: list[Row],
    names: Mapping[str, str],
    required: Collection[str],
    *,
    silent: Collection[str] = (),
) -> Header | None:
    """The header among the first rows: `names` maps header texts (see `header_text`) to
    the column names; a row counts only if it names every `required` column. Texts in
    `silent` (a "No." column numbering the rows) are neither read nor reported."""
    best: tuple[int, int, list[Cell]] | None = None
    for index in range(min(LOOK_ROWS, len(rows))):
        cells = _merged_down(rows, index)
        known = {names[t] for c in cells if (t := header_text(c)) in names}
        if not set(required) <= known:
            continue
        if best is None or len(known) > best[0]:
            best = (len(known), index, cells)
    if best is None:
        return None
    _, index, cells = best
    columns: list[str | None] = []
    unknown: list[str] = []
    for cell in cells:
        text = header_text(cell)
        name = names.get(text)
        if name is not None and name not in columns:
            columns.append(name)
            continue
        columns.append(None)
        if text and text not in silent:
            unknown.append(" ".join(str(cell).split()))
    texts = tuple(header_text(c) for c in cells)
    return Header(row=index + 1, columns=tuple(columns), unknown=tuple(unknown), texts=texts)
