"""Spreadsheets in and out: reading what people send (CSV, XLSX) within limits and through
defusedxml, finding a hand-made list's header, and writing XLSX/CSV where text that
looks like a formula stays text. Used by the member import, the kegiatan import and
the exports."""

from models.sheets.header import Header, find_header, header_text
from models.sheets.reading import (
    MB,
    REASONS,
    Cell,
    Limits,
    Row,
    SheetError,
    decode_text,
    is_empty,
    read_rows,
)
from models.sheets.writing import (
    FORMULA_START,
    Table,
    Value,
    csv_cell,
    formula_like,
    local_naive,
    safe_text,
    write_csv,
    write_xlsx,
)

__all__ = [
    "FORMULA_START",
    "MB",
    "REASONS",
    "Cell",
    "Header",
    "Limits",
    "Row",
    "SheetError",
    "Table",
    "Value",
    "csv_cell",
    "decode_text",
    "find_header",
    "formula_like",
    "header_text",
    "is_empty",
    "local_naive",
    "read_rows",
    "safe_text",
    "write_csv",
    "write_xlsx",
]
