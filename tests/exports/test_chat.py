"""'Ekspor data' in chat: an admin gets any data as an XLSX document; a kader gets her own
kampung's kegiatan, laporan and assessment pack (never members' phones, never another
kampung); a mother gets nothing, typed or with a forged button. Every export is in the
audit log; the pack's photos come in ZIP parts no larger than the platform takes."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from handlers.core.engine import Engine
from handlers.core.i18n import t
from handlers.core.types import Reply
from models import AuditEntry
from tests.support.attendance import chat_member
from tests.support.chat import Chat, register
from tests.support.exports import build_dataset
from tests.support.fakes.outbox import kampung_ids
from tests.support.staff import admin_chat, make_kader, member_id

NOT_ALLOWED = t("id", "common.not_allowed")
KINDS = [
    "Data anggota (KK binaan)",
    "Kegiatan dan daftar hadir",
    "Laporan kegiatan",
    "Pengiriman pesan",
    "Bahan penilaian (dengan foto)",
]


def documents(chat: Chat) -> list[Reply]:
    return [r for r in chat.replies if r.document is not None]


def file_of(reply: Reply) -> Path:
    assert reply.document is not None
    return reply.document


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


async def exports_audited(app: App) -> list[tuple[str, int | None, dict[str, Any]]]:
    async with app.sessions() as s:
        found = await s.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "export").order_by(AuditEntry.id)
        )
        return [(e.action, e.actor_member_id, e.detail) for e in found]


async def test_admin_mengekspor_kegiatan_lewat_lainnya_dan_menerima_file(
    app: App, settings: Settings
) -> None:
    data = await build_dataset(app, settings.media_dir)
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Lainnya")
    await admin.tap_label("Ekspor data")
    assert "pilih data" in admin.text
    assert admin.labels[:6] == [*KINDS, "Rekap (grafik)"]
    await admin.send("2")  # typed, as well as tapped
    assert "Kegiatan dan daftar hadir: untuk waktu kapan?" in admin.text
    assert admin.labels[:4] == ["Semua waktu", "Bulan ini", "Bulan lalu", "Tahun ini"]
    await admin.tap_label("Semua waktu")
    [doc] = documents(admin)
    assert doc.document is not None and doc.document.is_file()
    assert doc.document_name is not None and doc.document_name.startswith("kegiatan_")
    assert doc.document_name.endswith(".xlsx")
    assert "Kegiatan dan daftar hadir (Semua waktu, semua kampung): 5 baris." in doc.text
    assert doc.document.is_relative_to(settings.media_dir / "exports")
    kegiatan = rows(doc.document, "Kegiatan")
    assert {r[0] for r in kegiatan[1:]} == set(data.kegiatan.values())
    assert "Mau data lain?" in admin.text

    await admin.send("ekspor")  # the menu word, typed anywhere
    await admin.tap_label("Data anggota")
    await admin.tap_label("Semua waktu")
    [doc] = documents(admin)
    assert doc.document is not None
    members = rows(doc.document, "Anggota")
    siti = next(r for r in members if r[0] == "Siti Aminah")
    assert siti[:7] == ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu")

    admin_id = await chat_member(app, admin)
    audited = await exports_audited(app)
    assert [(a, m) for a, m, _ in audited] == [
        ("export.kegiatan", admin_id),
        ("export.members", admin_id),
    ]
    assert audited[0][2]["period"] == "all" and audited[0][2]["rows"] == 5
    assert audited[0][2]["channel"] == "test" and audited[0][2]["kampung_id"] is None


async def test_kader_hanya_mendapat_data_kampungnya_sendiri(app: App, settings: Settings) -> None:
    data = await build_dataset(app, settings.media_dir)
    kader = await make_kader(app, "tg-kader", "Ani Lestari", "Sumberan")
    await kader.send("menu")
    await kader.tap_label("Lainnya")
    assert {"Ekspor data", "Rekap (grafik)"} <= set(kader.labels)
    await kader.tap_label("Ekspor data")
    assert "Hanya data Kampung Sumberan." in kader.text
    assert [label for label in kader.labels if label in KINDS] == [KINDS[1], KINDS[2], KINDS[4]]

    await kader.tap_label("Laporan kegiatan")
    await kader.tap_label("Semua waktu")
    [doc] = documents(kader)
    assert doc.document is not None and "Kampung Sumberan" in doc.text
    assert doc.document_name is not None and "_sumberan_" in doc.document_name
    laporan = rows(doc.document, "Laporan")
    assert [r[0] for r in laporan[1:]] == [data.reports["R1"], data.reports["R2"]]  # not R3

    await kader.tap("a:ex.file:kegiatan:all")
    [doc] = documents(kader)
    assert doc.document is not None
    titles = {r[2] for r in rows(doc.document, "Kegiatan")[1:]}
    assert (
        "Penyuluhan PHBS" not in titles and "Rencana sosialisasi" not in titles
    )  # Cibening; draft
    assert "Penyuluhan gizi balita" in titles
    people = {r[3] for r in rows(doc.document, "Peserta")[1:]}
    assert people == {"Siti Aminah", "Dewi Lestari", "Yuli Astuti", "Karsih"}  # not Nur Aini

    ani = await member_id(app, "Ani Lestari")
    for forged in ("a:ex.file:members:all", "a:ex.kind:deliveries", "a:ex.file:deliveries:year"):
        await kader.tap(forged)
        assert "hanya untuk admin" in kader.text and not documents(kader), forged
    await kader.tap("a:ex.file:laporan:1;DROP")
    assert "tidak dikenal" in kader.text and not documents(kader)
    audited = await exports_audited(app)
    assert [(a, m) for a, m, _ in audited] == [("export.laporan", ani), ("export.kegiatan", ani)]
    async with app.sessions() as s:
        sumberan = (await kampung_ids(s))["Sumberan"]
    assert [d["kampung_id"] for _, _, d in audited] == [sumberan, sumberan]


async def test_ibu_tidak_pernah_mendapat_data_orang_lain(app: App, settings: Settings) -> None:
    await build_dataset(app, settings.media_dir)
    ibu = Chat(app.engine, identity="tg-ibu")
    await register(ibu, name="Maryam Ulfa")
    for typed in ("ekspor", "rekap"):
        await ibu.send(typed)
        assert NOT_ALLOWED in ibu.text, typed
        assert not documents(ibu) and not any(r.photo for r in ibu.replies)
    for forged in ("a:ex.menu", "a:ex.kind:laporan", "a:ex.file:laporan:all",
                   "a:ex.file:members:all", "a:ex.rekap"):  # fmt: skip
        await ibu.tap(forged)
        assert NOT_ALLOWED in ibu.text, forged
        assert not documents(ibu) and not any(r.photo for r in ibu.replies), forged
    await ibu.send("menu")
    assert "Ekspor data" not in ibu.text and "Ekspor data" not in ibu.labels
    assert await exports_audited(app) == []


async def test_foto_bahan_penilaian_dikirim_dalam_beberapa_zip_sesuai_batas(
    app: App, settings: Settings
) -> None:
    data = await build_dataset(app, settings.media_dir)
    limit = 8000  # two 3 KB photos per part (Telegram's real limit is 45 MB)
    config = dataclasses.replace(app.engine.config, export_part_max_bytes=limit)
    admin = await admin_chat(app)
    admin.engine = Engine(app.sessions, config)
    await admin.tap("a:ex.file:penilaian:all")
    docs = documents(admin)
    assert str(docs[0].document_name).startswith("bahan-penilaian_")
    assert "3 kegiatan, 3 laporan" in docs[0].text
    parts = docs[1:]
    assert len(parts) == 2
    assert "bagian 1 dari 2 (4 foto seluruhnya)" in parts[0].text
    names: list[str] = []
    for part in parts:
        assert part.document is not None and part.document.stat().st_size <= limit
        with zipfile.ZipFile(part.document) as zf:
            names += zf.namelist()
    laporan = rows(file_of(docs[0]), "Laporan")
    assert sorted(names) == sorted(n for r in laporan[1:] for n in str(r[-1]).split(", "))

    kader = await make_kader(app, "tg-kader", "Ani Lestari", "Cibening")
    kader.engine = admin.engine
    await kader.send("ekspor")
    await kader.tap_label("Bahan penilaian")
    await kader.tap_label("Bulan lalu")
    docs = documents(kader)
    assert "Bulan lalu, Kampung Cibening" in docs[0].text
    assert len(docs) == 2  # her kampung's one photo: one part
    with zipfile.ZipFile(file_of(docs[1])) as zf:
        assert [n.split("_lap")[1] for n in zf.namelist()] == [f"{data.reports['R3']}-1.jpg"]
    assert [a for a, _, _ in await exports_audited(app)] == ["export.penilaian"] * 2
