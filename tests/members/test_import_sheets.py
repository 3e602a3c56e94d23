"""Spreadsheets sent by admins are read safely: within limits, lazily, through defusedxml;
whatever comes, a clear reason and never a half-read file. Exports keep text as text."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import openpyxl.xml.functions
import pytest
from openpyxl import load_workbook

from handlers.kegiatan.importer import ScheduleFileError, read_schedule
from models.sheets import Limits, SheetError, Table, find_header, read_rows, write_csv, write_xlsx
from tests.support.sheets import (
    HEADER,
    claim_huge_range,
    csv_file,
    far_corner_cell,
    rewrite_sheet,
    xlsx,
)

WIB = ZoneInfo("Asia/Jakarta")
ROW = ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu")


def refused(path: Path, limits: Limits | None = None, *, name: str | None = None) -> SheetError:
    with pytest.raises(SheetError) as caught:
        read_rows(path, limits, name=name)
    return caught.value


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")


def test_a_sheet_claiming_a_million_rows_by_16k_columns_is_refused_in_little_memory(
    tmp_path: Path,
) -> None:
    """openpyxl alone would build a million rows of 16384 cells for this 5 KB file (the
    kegiatan import ran out of memory on it). The scan stops at the value below the cap."""
    path = rewrite_sheet(xlsx(tmp_path / "bom.xlsx", [HEADER, ROW]), far_corner_cell)
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    try:
        error = refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (error.reason, error.detail) == ("too_many_rows", "a value in row 1048576")
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


def test_the_same_guard_protects_the_kegiatan_import(tmp_path: Path) -> None:
    header = ("jenis", "judul", "opd", "tempat", "mulai", "selesai")
    path = rewrite_sheet(xlsx(tmp_path / "jadwal.xlsx", [header]), far_corner_cell)
    with pytest.raises(ScheduleFileError) as caught:
        read_schedule(path)
    assert [(e.row, e.reason) for e in caught.value.errors] == [(0, "too_many_rows")]


def test_a_claimed_range_alone_is_not_trusted_and_the_real_rows_are_read(tmp_path: Path) -> None:
    path = rewrite_sheet(xlsx(tmp_path / "klaim.xlsx", [HEADER, ROW]), claim_huge_range)
    assert b"XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert read_rows(path) == [list(HEADER), list(ROW)]


def test_rows_and_columns_beyond_the_caps_are_refused_empty_ones_are_not(tmp_path: Path) -> None:
    limits = Limits(max_rows=5, max_columns=4, max_cells_in_row=10)
    wide = xlsx(tmp_path / "lebar.xlsx", [["a", "b", "c", "d", None, None, "e"]])
    assert refused(wide, limits).reason == "too_many_columns"
    many = xlsx(tmp_path / "panjang.xlsx", [[f"r{i}"] for i in range(6)])
    assert refused(many, limits).reason == "too_many_rows"
    crowded = rewrite_sheet(
        xlsx(tmp_path / "sesak.xlsx", [["a"]]),
        lambda x: x.replace("</row>", '<c s="0"/>' * 11 + "</row>", 1),
    )
    assert refused(crowded, limits).reason == "too_many_columns"
    # Empty rows and cells around the data are fine (and dropped at the end).
    spaced = xlsx(tmp_path / "jarang.xlsx", [["a"], [], [None, "b"], [], []])
    assert read_rows(spaced, limits) == [["a"], [], [None, "b"]]
    csv_many = csv_file(tmp_path / "panjang.csv", [[f"r{i}"] for i in range(6)])
    assert refused(csv_many, limits).reason == "too_many_rows"
    csv_tail = csv_file(tmp_path / "ekor.csv", [["a", "b"], *([[";;;"]] * 0), *[[""]] * 20])
    assert read_rows(csv_tail, limits) == [["a", "b"]]


def test_an_xml_bomb_inside_a_workbook_is_not_expanded(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    path = rewrite_sheet(
        xlsx(tmp_path / "lol.xlsx", [HEADER, ROW]),
        lambda x: (
            laughs
            + x.split("?>", 1)[-1].replace(
                "</sheetData>",
                '<row r="3"><c r="A3" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>',
            )
        ),
    )
    assert refused(path).reason == "unreadable"


def test_files_that_are_no_spreadsheet_each_get_their_reason(tmp_path: Path) -> None:
    cases = {
        "foto.csv": (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "not_spreadsheet"),
        "surat.xlsx": (b"%PDF-1.7\n" + b"x" * 100, "not_spreadsheet"),
        "data.bin": (bytes(range(256)) * 4, "not_spreadsheet"),
        "lama.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
        "rusak.xlsx": (b"nama,kampung\n", "unreadable"),
        "kosong.csv": (b"", "empty_file"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert refused(path).reason == reason, name
    other_zip = tmp_path / "arsip.xlsx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "hello")
    assert refused(other_zip).reason == "not_spreadsheet"


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "besar.csv", [HEADER, *[ROW] * 400])
    error = refused(path, Limits(max_bytes=10_000))
    assert error.reason == "too_large" and "at most" in error.detail


def test_a_windows_1252_csv_with_semicolons_reads_right(tmp_path: Path) -> None:
    rows = [HEADER, ("Siti Nur’aini", "Sumberan", "003", "005", "0812-3456-7890", "Mawar", "")]
    path = csv_file(tmp_path / "excel.csv", rows, sep=";", encoding="cp1252")
    assert read_rows(path)[1][:3] == ["Siti Nur’aini", "Sumberan", "003"]
    utf16 = csv_file(tmp_path / "unicode.txt", rows, sep="\t", encoding="utf-16")
    assert read_rows(utf16)[1][0] == "Siti Nur’aini"


def test_a_title_above_and_a_two_row_header_with_merged_cells_are_found(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "kelurahan.xlsx",
        [
            ["DAFTAR KK BINAAN KELURAHAN WARUNG JAUD"],
            ["No", "Nama", "Alamat", None, None, "No. HP", "NIK"],
            [None, None, "Kampung", "RT", "RW", None, None],
            [1, "Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "3604011234560001"],
        ],
        merge=("A2:A3", "B2:B3", "C2:E2", "F2:F3", "G2:G3", "A1:G1"),
    )
    rows = read_rows(path)
    names = {"nama": "nama", "kampung": "kampung", "rt": "rt", "rw": "rw", "no hp": "hp"}
    header = find_header(rows, names, ("nama", "kampung"), silent=("no",))
    assert header is not None and header.row == 3
    assert header.columns == (None, "nama", "kampung", "rt", "rw", "hp", None)
    assert header.unknown == ("NIK",)


def test_exported_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    risky = ['=HYPERLINK("http://x")', "+62 812 3456 7890", "-5", "@SUM(A1)", "Siti"]
    when = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 09.00 WIB
    out = tmp_path / "ekspor.xlsx"
    write_xlsx(out, [Table("Anggota", ["teks", "waktu"], [[v, when] for v in risky])], tz=WIB)
    sheet = load_workbook(out).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == risky
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    assert sheet.cell(2, 2).value == datetime(2026, 12, 3, 9, 0)  # naive local, a real date
    assert sheet.freeze_panes == "A2"
    text = tmp_path / "ekspor.csv"
    write_csv(text, ["teks"], [[v] for v in risky], tz=WIB, sep=";")
    raw = text.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    read_back = [r[0] for r in csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")]
    assert read_back[1:] == ["'" + v for v in risky[:4]] + ["Siti"]


def test_a_workbook_stored_without_its_name_is_still_read(tmp_path: Path) -> None:
    """A file from chat is kept under a name made of its content's hash."""
    path = xlsx(tmp_path / "kk.xlsx", [HEADER, ROW])
    hashed = path.rename(tmp_path / "3f2a9c")
    assert read_rows(hashed, name="daftar kk.xlsx") == [list(HEADER), list(ROW)]
    assert read_rows(hashed) == [list(HEADER), list(ROW)]
