"""`p2wkss-bot export members|kegiatan|laporan|deliveries`: files an office opens (XLSX with
real dates) and tools read (CSV, UTF-8 with BOM, ';' on request); text that looks like a
formula stays text; an exported KK binaan list imports again as the same members."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from models import (
    AuditEntry,
    IdentityMember,
    Kegiatan,
    Location,
    Member,
    make_engine,
    make_sessionmaker,
)
from models.base import transaction, utcnow
from models.outbox.tables import enqueue
from tests.support.cli import run_cli
from tests.support.exports import WIB, build_dataset


async def export(db_url: str, *args: str) -> tuple[int, str, str]:
    result = await asyncio.to_thread(run_cli, ["export", *args], env={"DATABASE_URL": db_url})
    return result.returncode, result.stdout, result.stderr


def csv_rows(path: Path, sep: str = ",") -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a BOM"
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=sep))


def sheet(path: Path, title: str) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    try:
        return [tuple(c.value for c in row) for row in book[title].iter_rows()]
    finally:
        book.close()


MemberRow = tuple[str | None, str | None, int | None, int | None, str | None, str | None, str]


async def binaan(url: str) -> set[MemberRow]:
    db = make_engine(url)
    try:
        async with make_sessionmaker(db)() as s:
            rows = await s.execute(
                select(
                    Member.full_name,
                    Location.name,
                    Member.rt,
                    Member.rw,
                    Member.phone_e164,
                    Member.dasa_wisma,
                    Member.role,
                )
                .join(Location, Location.id == Member.kampung_id)
                .where(Member.role.in_(("ibu", "kader")), Member.erased_at.is_(None))
            )
            return {tuple(row) for row in rows}  # type: ignore[misc]
    finally:
        await db.dispose()


async def test_ekspor_anggota_lalu_impor_lagi_memberi_anggota_yang_sama(
    app: App, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    await build_dataset(app, settings.media_dir)
    before = await binaan(db_url)
    assert len(before) == 6
    for name, extra in (("kk.csv", ["--sep", ";"]), ("kk.xlsx", [])):
        out = tmp_path / name
        status, stdout, err = await export(db_url, "members", "--out", str(out), *extra)
        assert status == 0, err
        assert f"members: 6 row(s) written to {out}" in stdout
        fresh = tmp_path / f"fresh-{name}.db"
        imported = await asyncio.to_thread(
            run_cli, ["members", "import", str(out), "--db", str(fresh)]
        )
        assert imported.returncode == 0, imported.stderr
        assert "added 6: 4 ibu, 2 kader" in imported.stdout
        assert "columns ignored, not stored: id anggota, tersambung, terdaftar" in imported.stdout
        assert await binaan(f"sqlite+aiosqlite:///{fresh}") == before
    rows = csv_rows(tmp_path / "kk.csv", ";")
    assert rows[0][:7] == ["nama", "kampung", "RT", "RW", "no HP", "Dasa Wisma", "peran"]
    siti = next(r for r in rows if r[0] == "Siti Aminah")
    assert siti[:7] == ["Siti Aminah", "Sumberan", "3", "5", "0812-3456-7890", "Melati", "ibu"]
    assert siti[8] == "chat sendiri"


async def test_kegiatan_as_xlsx_has_real_local_dates_and_formula_like_text_as_text(
    app: App, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    data = await build_dataset(app, settings.media_dir)
    out = tmp_path / "kegiatan.xlsx"
    status, stdout, err = await export(db_url, "kegiatan", "--out", str(out))
    assert status == 0, err
    assert "kegiatan: 5 row(s)" in stdout  # the draft and the cancelled one too
    book = load_workbook(out)
    kegiatan, peserta = book["Kegiatan"], book["Peserta"]
    assert kegiatan.freeze_panes == "A2" and kegiatan["A1"].font.b
    header = [c.value for c in kegiatan[1]]
    row = next(
        r
        for r in kegiatan.iter_rows(min_row=2)
        if r[0].value == data.kegiatan["-Pelatihan menjahit"]
    )
    judul, mulai = row[header.index("judul")], row[header.index("mulai")]
    assert isinstance(mulai, Cell)
    assert judul.value == "-Pelatihan menjahit" and judul.data_type == "s"
    assert mulai.is_date and isinstance(mulai.value, datetime) and mulai.value.tzinfo is None
    async with app.sessions() as s:
        k2 = await s.get_one(Kegiatan, data.kegiatan["-Pelatihan menjahit"])
    assert mulai.value == k2.starts_at.astimezone(WIB).replace(tzinfo=None)
    assert row[header.index("sasaran")].value == "Semua kampung"
    assert [row[header.index(h)].value for h in ("terdaftar", "hadir", "tidak hadir")] == [2, 2, 0]
    assert peserta.max_row - 1 == 7
    book.close()


async def test_kegiatan_and_laporan_as_csv_with_semicolons_for_indonesian_excel(
    app: App, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    data = await build_dataset(app, settings.media_dir)
    out = tmp_path / "kegiatan.csv"
    status, stdout, err = await export(
        db_url, "kegiatan", "--out", str(out), "--sep", ";", "--kampung", "Cibening"
    )
    assert status == 0, err
    assert f"and {tmp_path / 'kegiatan_peserta.csv'}" in stdout
    rows = csv_rows(out, ";")
    titles = [r[2] for r in rows[1:]]
    # For Cibening: K2 (every kampung, its title written as text) and K3; the draft too
    # (the command line sees what an admin sees), the cancelled one (every kampung).
    assert titles == [
        "'-Pelatihan menjahit",
        "Pelatihan yang batal",
        "Penyuluhan PHBS",
        "Rencana sosialisasi",
    ]
    peserta = csv_rows(tmp_path / "kegiatan_peserta.csv", ";")
    assert {r[3] for r in peserta[1:]} == {"Nur Aini"}  # only Cibening's people
    day = rows[1][7]
    assert datetime.strptime(day, "%Y-%m-%d %H:%M").hour == 9  # 09.00 WIB, not UTC

    laporan = tmp_path / "laporan.csv"
    status, _, err = await export(db_url, "laporan", "--out", str(laporan))
    assert status == 0, err
    rows = csv_rows(laporan)
    ringkasan = rows[0].index("ringkasan")
    assert [r[ringkasan] for r in rows[1:]] == ["Berjalan baik", "'=SUM(A1:A9)", "Berjalan baik"]
    assert rows[2][-1].endswith(f"_pelatihan-menjahit_lap{data.reports['R2']}-1.jpg")
    xlsx = tmp_path / "laporan.xlsx"
    status, _, err = await export(db_url, "laporan", "--out", str(xlsx))
    book = load_workbook(xlsx)
    cell = book["Laporan"].cell(row=3, column=ringkasan + 1)
    assert (cell.value, cell.data_type) == ("=SUM(A1:A9)", "s")  # not a formula
    book.close()


async def test_deliveries_by_ids_and_every_export_is_in_the_audit_log(
    app: App, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    data = await build_dataset(app, settings.media_dir)
    async with transaction(app.sessions) as s:
        member = await s.get_one(Member, data.members["Nur Aini"])
        identity = await s.scalar(
            select(IdentityMember.identity_id).where(IdentityMember.member_id == member.id)
        )
        assert identity is not None
        await enqueue(
            s,
            identity_id=identity,
            channel="telegram",
            kind="announcement",
            params={"text": "Halo"},
            idempotency_key="t-1",
            member_id=member.id,
        )
    out = tmp_path / "kirim.xlsx"
    status, _, err = await export(
        db_url,
        "deliveries",
        "--out",
        str(out),
        "--from",
        utcnow().astimezone(WIB).date().isoformat(),
    )
    assert status == 0, err
    rows = sheet(out, "Pengiriman")
    assert rows[1][2:5] == ("announcement", "telegram", "antre")
    assert rows[1][8:10] == (member.id, "Cibening") and "Halo" not in str(rows)

    status, _, err = await export(
        db_url, "kegiatan", "--out", str(out), "--from", "2026-12-01", "--to", "2026-11-01"
    )
    assert status == 2 and "--from is after --to" in err
    status, _, err = await export(db_url, "members", "--out", str(tmp_path / "no" / "kk.csv"))
    assert status == 2 and "no such folder" in err
    async with app.sessions() as s:
        found = await s.scalars(select(AuditEntry).where(AuditEntry.object_type == "export"))
        entries = list(found)
    assert [(e.action, e.actor) for e in entries] == [("export.deliveries", "cli")]
    assert entries[0].detail["rows"] == 1 and entries[0].detail["format"] == "xlsx"
    assert entries[0].detail["since"] == utcnow().astimezone(WIB).date().isoformat()
