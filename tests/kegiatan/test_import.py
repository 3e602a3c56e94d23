"""Importing a kegiatan schedule from CSV and XLSX: all rows or none, every problem listed."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import func, select

from bot.app import App
from handlers.kegiatan.importer import ImportReport, import_kegiatan
from models.base import transaction
from models.kegiatan.queries import sasaran
from models.kegiatan.tables import Kegiatan
from tests.support.fakes.kegiatan import NOW

WIB = ZoneInfo("Asia/Jakarta")
HEADER = "jenis,judul,opd,narasumber,tempat,mulai,selesai,kuota,sasaran,deskripsi"


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB).astimezone(UTC)


async def run(app: App, path: Path) -> ImportReport:
    async with transaction(app.sessions) as s:
        return await import_kegiatan(s, path, NOW, WIB)


async def all_kegiatan(app: App) -> list[Kegiatan]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Kegiatan).order_by(Kegiatan.starts_at)))


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "jadwal.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


async def test_a_good_csv_is_imported_and_published(app: App, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "Penyuluhan,Gizi balita,Dinas Kesehatan,dr. Rina,Balai Warga,2026-12-03 09:00,"
        "2026-12-03 12:00,30,Sumberan,Bawa buku KIA",
        "Pelatihan,Menjahit,Disnaker,,Aula Kelurahan,3 Desember 2026 pukul 13.00,15.30,,"
        '"Sumberan; Cibening",',
        "bimtek,Pembukuan UP2K,Dinas Koperasi,,Posyandu Melati,Senin depan jam 9,jam 11,"
        "dua puluh,,",
    )
    report = await run(app, path)
    assert report.errors == [] and report.ok and report.rows == 3
    assert len(report.imported) == 3
    got = await all_kegiatan(app)
    assert [(k.judul, k.jenis, k.status) for k in got] == [
        ("Gizi balita", "penyuluhan", "open"),
        ("Menjahit", "pelatihan", "open"),
        ("Pembukuan UP2K", "bintek", "open"),
    ]
    gizi, jahit, up2k = got
    assert (gizi.starts_at, gizi.ends_at, gizi.kuota) == (wib(3, 9), wib(3, 12), 30)
    assert (gizi.narasumber, gizi.description) == ("dr. Rina", "Bawa buku KIA")
    assert (jahit.starts_at, jahit.ends_at, jahit.kuota) == (wib(3, 13), wib(3, 15, 30), None)
    assert (up2k.starts_at, up2k.ends_at, up2k.kuota) == (wib(7, 9), wib(7, 11), 20)
    async with app.sessions() as s:
        assert [p.name for p in await sasaran(s, gizi.id)] == ["Sumberan"]
        assert [p.name for p in await sasaran(s, jahit.id)] == ["Cibening", "Sumberan"]
        assert await sasaran(s, up2k.id) == []


async def test_a_semicolon_csv_from_an_indonesian_spreadsheet(app: App, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "Sosialisasi;Stunting;DP3AKB;;Balai Warga;03/12/2026 09.00;03/12/2026 11.00;50;;",
        header=HEADER.replace(",", ";").upper(),
    )
    report = await run(app, path)
    assert report.ok, [str(e) for e in report.errors]
    [k] = await all_kegiatan(app)
    assert (k.jenis, k.starts_at, k.kuota) == ("sosialisasi", wib(3, 9), 50)


async def test_a_good_xlsx_is_imported(app: App, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["Pelayanan", "Posyandu keliling", "Dinkes", None, "Posyandu Melati",
                  datetime(2026, 12, 4, 8, 0), time(11, 0), 40, "Cibening", None])  # fmt: skip
    sheet.append(["Pembentukan kelompok kegiatan", "Kelompok UP2K", "Diskumdag", "Bu Sari",
                  "Balai Warga", "2026-12-05 09:00", "2026-12-05 10:30", None, None,
                  "Baris kedua\nbaris ketiga"])  # fmt: skip
    sheet.append([None] * 10)  # an empty row is skipped, not an error
    path = tmp_path / "jadwal.xlsx"
    book.save(path)
    report = await run(app, path)
    assert report.ok, [str(e) for e in report.errors]
    posyandu, kelompok = await all_kegiatan(app)
    assert (posyandu.jenis, posyandu.starts_at, posyandu.ends_at) == (
        "pelayanan",
        wib(4, 8),
        wib(4, 11),
    )
    assert posyandu.kuota == 40
    assert (kelompok.jenis, kelompok.kuota) == ("pembentukan_kelompok", None)
    assert kelompok.description == "Baris kedua\nbaris ketiga"


async def test_one_bad_row_imports_nothing_and_names_the_row(app: App, tmp_path: Path) -> None:
    good = "Penyuluhan,Gizi,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,30,,"
    path = csv_file(
        tmp_path, good, "Seminar,Gizi lagi,Dinkes,,Balai,2026-12-04 09:00,2026-12-04 12:00,,,", good
    )
    report = await run(app, path)
    assert report.imported == []
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "jenis", "unknown_jenis"),
        (4, "judul", "duplicate_row"),
    ]
    assert str(report.errors[0]).startswith("row 3, jenis: unknown jenis")
    assert await all_kegiatan(app) == []


async def test_every_kind_of_bad_row_is_listed(app: App, tmp_path: Path) -> None:
    rows = {
        2: ("Pelatihan,Masa lalu,Dinkes,,Balai,2026-11-30 09:00,2026-11-30 12:00,,,",
            "mulai", "past"),
        3: ("Pelatihan,Terbalik,Dinkes,,Balai,2026-12-03 12:00,2026-12-03 09:00,,,",
            "selesai", "ends_before_start"),
        4: ("Pelatihan,Mustahil,Dinkes,,Balai,31 Februari 2027 09.00,12.00,,,",
            "mulai", "impossible_date"),
        5: ("Pelatihan,Kuota nol,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,0,,",
            "kuota", "bad_kuota"),
        6: ("Pelatihan,Kuota minus,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,-5,,",
            "kuota", "bad_kuota"),
        7: ("Pelatihan,Kuota banyak,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,banyak,,",
            "kuota", "bad_kuota"),
        8: ("Pelatihan,Kampung asing,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,,Atlantis,",
            "sasaran", "unknown_kampung"),
        9: ("Pelatihan,,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,,,", "judul", "empty"),
        10: ("Pelatihan,Tanpa hari,Dinkes,,Balai,jam 9,jam 12,,,", "mulai", "bad_date"),
        11: ("Pelatihan,Tanpa jam,Dinkes,,Balai,3 Desember 2026,,,,", "mulai", "missing_time"),
        12: ("Pelatihan,Jam aneh,Dinkes,,Balai,2026-12-03 09:00,jam 25,,,",
             "selesai", "impossible_time"),
        # More than the database's integer holds (it failed to save before).
        13: ("Pelatihan,Kuota salah ketik,Dinkes,,Balai,2026-12-03 09:00,2026-12-03 12:00,"
             "99999999999,,", "kuota", "bad_kuota"),
    }  # fmt: skip
    path = csv_file(tmp_path, *(line for line, _, _ in rows.values()))
    report = await run(app, path)
    got = {(e.row, e.column, e.reason) for e in report.errors}
    assert got == {(row, column, reason) for row, (_, column, reason) in rows.items()}
    assert report.imported == [] and await all_kegiatan(app) == []


async def test_missing_columns_an_unknown_file_type_and_a_second_import(
    app: App, tmp_path: Path
) -> None:
    no_times = csv_file(tmp_path, "Penyuluhan,Gizi,Dinkes,Balai", header="jenis,judul,opd,tempat")
    report = await run(app, no_times)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (1, "mulai", "missing_column"),
        (1, "selesai", "missing_column"),
    ]
    text = tmp_path / "jadwal.txt"
    text.write_text("hello", encoding="utf-8")
    assert [e.reason for e in (await run(app, text)).errors] == ["unsupported_file"]
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"not a zip")
    assert [e.reason for e in (await run(app, broken)).errors] == ["unreadable"]

    good = csv_file(tmp_path, "Penyuluhan,Gizi,Dinkes,,Balai,2026-12-03 09:00,12.00,,,")
    assert (await run(app, good)).ok
    again = await run(app, good)
    assert [(e.row, e.reason) for e in again.errors] == [(2, "already_exists")]
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Kegiatan)) == 1
