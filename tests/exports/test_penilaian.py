"""Bahan penilaian: the Tim Penilai's workbook opens with openpyxl and its recaps add up to
what the database holds; the reports' photos come in a ZIP named by date and kegiatan,
and split into parts when they would not fit one file."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import App
from bot.settings import Settings
from models import Attendance, AuditEntry, Kegiatan, Member, Report, Signup
from models.base import utcnow
from models.exports import HELD, RECAP_COLUMNS, TOTAL, PhotoFile, plan_parts, write_photo_zips
from tests.support.cli import run_cli
from tests.support.exports import PHOTO_BYTES, build_dataset
from tests.support.fakes.kegiatan import kegiatan as planned

SHEETS = [
    "Rekap jenis",
    "Rekap OPD",
    "Rekap kampung",
    "Rekap bulan",
    "Daftar hadir",
    "Laporan",
    "Anggota",
]


def rows_of(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def by_first(rows: list[tuple[Any, ...]]) -> dict[Any, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in rows[1:]}


async def database_totals(app: App) -> tuple[int, int, int, int, int, int]:
    """kegiatan, seats, present, reports, women, men: counted straight from the tables."""
    async with app.sessions() as s:
        held = select(Kegiatan.id).where(Kegiatan.status.in_(HELD), Kegiatan.starts_at <= utcnow())
        kegiatan = await s.scalar(select(func.count()).select_from(held.subquery()))
        seats = await s.scalar(
            select(func.count()).where(Signup.status == "registered", Signup.kegiatan_id.in_(held))
        )
        present = await s.scalar(
            select(func.count()).where(
                Attendance.status == "present", Attendance.kegiatan_id.in_(held)
            )
        )
        sent = select(Report).where(Report.status != "draft").subquery()
        reports, women, men = (
            await s.execute(select(func.count(), func.sum(sent.c.women), func.sum(sent.c.men)))
        ).one()
    return kegiatan or 0, seats or 0, present or 0, reports, women, men


async def penilaian(db_url: str, settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {"DATABASE_URL": db_url, "MEDIA_DIR": str(settings.media_dir)}
    result = await asyncio.to_thread(run_cli, ["export", "penilaian", *args], env=env)
    return result.returncode, result.stdout, result.stderr


async def test_bahan_penilaian_dibuka_openpyxl_dan_jumlahnya_sama_dengan_database(
    app: App, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    data = await build_dataset(app, settings.media_dir)
    await planned(app, "Pelatihan bulan depan", days=20)  # not held yet: not counted
    out, photos = tmp_path / "penilaian.xlsx", tmp_path / "foto.zip"
    status, stdout, err = await penilaian(
        db_url, settings, "--out", str(out), "--photos", str(photos)
    )
    assert status == 0, err
    assert f"penilaian: 3 kegiatan, 3 laporan written to {out}" in stdout
    assert "4 photo(s) written" in stdout

    book = load_workbook(out, read_only=True)
    assert book.sheetnames == SHEETS
    book.close()
    kegiatan, seats, present, reports, women, men = await database_totals(app)
    assert (kegiatan, seats, present, reports, women, men) == (3, 5, 5, 3, 25, 3)  # by hand
    for sheet in SHEETS[:4]:
        rows = rows_of(out, sheet)
        assert rows[0][1:] == RECAP_COLUMNS
        total = rows[-1]
        assert total[0] == TOTAL
        # Each row adds up to the total row (no row lost, none counted twice).
        for column in range(1, 8):
            assert sum(row[column] for row in rows[1:-1]) == total[column], (sheet, column)
        if sheet != "Rekap kampung":  # a kegiatan for every kampung counts for each there
            assert total[1:] == (kegiatan, seats, present, 2, reports, women, men), sheet

    jenis = by_first(rows_of(out, "Rekap jenis"))
    assert jenis["Penyuluhan"][:5] == (2, 3, 3, 2, 2) and jenis["Pelatihan"][:5] == (1, 2, 2, 0, 1)
    assert jenis["Sosialisasi"] == (0, 0, 0, 0, 0, 0, 0)  # only the draft: not counted
    kampung = by_first(rows_of(out, "Rekap kampung"))
    # Sumberan: K1 + K2 (for all); seats Siti, Dewi, Siti; present Siti, Yuli, Karsih, Siti.
    assert kampung["Sumberan"] == (2, 3, 4, 2, 2, 20, 2)
    assert kampung["Cibening"] == (2, 2, 1, 0, 1, 5, 1)
    months = rows_of(out, "Rekap bulan")
    assert [row[1] for row in months[1:-1]] == [1, 2]  # K1, then K2 and K3

    hadir = rows_of(out, "Daftar hadir")
    assert len(hadir) - 1 == 7  # K1: 4 lines, K2: 2, K3: 1 (Dewi's cancelled seat is not)
    assert hadir[4][3:10] == ("Karsih", "Sumberan", None, None, "-", "ya", "ya")
    assert sum(row[8] == "ya" for row in hadir[1:]) == present

    laporan = rows_of(out, "Laporan")
    assert [row[0] for row in laporan[1:]] == [data.reports[k] for k in ("R1", "R2", "R3")]
    names = [n for row in laporan[1:] for n in str(row[-1]).split(", ")]
    day = laporan[1][1].date().isoformat()
    assert names[0] == f"{day}_penyuluhan-gizi-balita_lap{data.reports['R1']}-1.jpg"

    anggota = by_first(rows_of(out, "Anggota"))
    async with app.sessions() as s:
        ibu = await s.scalar(select(func.count()).where(Member.role == "ibu"))
        kader = await s.scalar(select(func.count()).where(Member.role == "kader"))
    assert anggota[TOTAL] == (ibu, kader, (ibu or 0) + (kader or 0)) == (4, 2, 6)
    assert anggota["Sumberan"] == (3, 1, 4)

    with zipfile.ZipFile(photos) as zf:
        assert sorted(zf.namelist()) == sorted(names)
        assert all(len(zf.read(n)) == PHOTO_BYTES for n in names)
    async with app.sessions() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "export.penilaian"))
    assert entry is not None and entry.actor == "cli"
    assert entry.detail["kegiatan"] == 3 and entry.detail["foto"] == 4


async def test_a_kampung_and_a_month_narrow_the_pack(
    app: App, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    data = await build_dataset(app, settings.media_dir)
    _, last = data.months
    out = tmp_path / "cibening.xlsx"
    status, _, err = await penilaian(
        db_url, settings, "--out", str(out), "--kampung", "kp. cibening", "--from", last.isoformat()
    )
    assert status == 0, err
    total = rows_of(out, "Rekap jenis")[-1]
    # K2 (for all) and K3; only Nur's seats and presence; Ani's report only.
    assert total[1:] == (2, 2, 1, 0, 1, 5, 1)
    assert by_first(rows_of(out, "Anggota")) == {"Cibening": (1, 1, 2), TOTAL: (1, 1, 2)}
    status, _, err = await penilaian(db_url, settings, "--out", str(out), "--kampung", "Atlantis")
    assert status == 2 and "no kampung has the name 'Atlantis'" in err and "Sumberan" in err


def test_photos_split_into_parts_that_each_fit(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    photos = []
    for i in range(1, 6):
        (media / f"p{i}.jpg").write_bytes(bytes([i]) * 1000)
        photos.append(PhotoFile(i, f"p{i}.jpg", f"2026-11-0{i}_kegiatan_lap{i}-1.jpg"))
    photos.append(PhotoFile(9, "../outside.jpg", "2026-11-09_hilang_lap9-1.jpg"))
    (tmp_path / "outside.jpg").write_bytes(b"not under MEDIA_DIR")
    limit = 3000  # two photos and their headers fit, three do not
    zipped = write_photo_zips(media, photos, tmp_path / "foto.zip", max_bytes=limit)
    assert [p.name for p in zipped.parts] == [f"foto_bagian-{n}-dari-3.zip" for n in (1, 2, 3)]
    assert zipped.photos == 5 and zipped.missing == ["2026-11-09_hilang_lap9-1.jpg"]
    inside: list[str] = []
    for part in zipped.parts:
        assert part.stat().st_size <= limit
        with zipfile.ZipFile(part) as zf:
            assert zf.testzip() is None
            inside += zf.namelist()
    assert inside == [p.name for p in photos[:5]]
    one = write_photo_zips(media, photos[:5], tmp_path / "semua.zip")
    assert [p.name for p in one.parts] == ["semua.zip"]
    # A photo larger than the limit still goes, alone in its part.
    assert [
        len(p) for p in plan_parts([(Path("a"), "a.jpg", 5000), (Path("b"), "b.jpg", 10)], 1000)
    ] == [1, 1]
