"""Admins add, list and delete deadlines in chat (the wizard on the kit)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from models.base import transaction
from models.deadlines import Deadline
from models.people.roles import grant_admin
from tests.support.chat import Chat, register

# "15 Maret 2027" and "25/1/2027" are typed as days to come: today is fixed before them.
pytestmark = pytest.mark.usefixtures("monday_4_january_2027")


async def admin_chat(app: App) -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
    return Chat(app.engine, identity="admin-1")


async def deadlines(app: App) -> list[Deadline]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Deadline).order_by(Deadline.id)))


async def test_an_admin_adds_a_deadline_step_by_step_and_deletes_it(app: App) -> None:
    admin = await admin_chat(app)
    await admin.tap("a:dl.list")
    assert "Belum ada tenggat" in admin.text
    await admin.tap_label("Tambah tenggat")
    assert "Nama tenggat" in admin.text
    await admin.send("Penilaian P2WKSS tingkat kota")
    await admin.send("kemarin dulu")
    assert "Nama: " not in admin.text  # a past or unreadable day is asked again
    await admin.send("15 Maret 2027")
    assert "tiap bulan" in admin.text
    await admin.send("sekali")
    assert "disiapkan" in admin.text
    await admin.send("Profil kampung, foto kegiatan")
    assert "untuk siapa" in admin.text
    await admin.send("Kader")
    await admin.send("tiga puluh")  # not numbers: asked again kindly
    assert "dipisah koma" in admin.text
    await admin.send("14, 3")
    assert "Periksa tenggat baru" in admin.text
    assert "Tanggal: Senin, 15 Maret 2027" in admin.text and "Berulang: Sekali saja" in admin.text
    assert "Untuk: Kader" in admin.text and "Pengingat: 14,3 hari" in admin.text
    await admin.tap_label("Ubah pengingat")
    await admin.send("ya")  # yes to the offered default: 30, 7 and 1
    assert "Pengingat: 30,7,1 hari" in admin.text
    await admin.send("simpan")
    assert "Tenggat Penilaian P2WKSS tingkat kota" in admin.text and "disimpan" in admin.text
    [d] = await deadlines(app)
    assert (d.title, d.due_on, d.audience, d.remind_days) == (
        "Penilaian P2WKSS tingkat kota",
        date(2027, 3, 15),
        "kader",
        "30,7,1",
    )
    assert d.prepare == "Profil kampung, foto kegiatan"

    await admin.tap("a:dl.list")
    await admin.tap_label("Penilaian P2WKSS")
    assert "Yang perlu disiapkan: Profil kampung" in admin.text
    # Changing it: the summary with its values, any field, then save.
    await admin.tap_label("Ubah tenggat")
    assert "Nama: Penilaian P2WKSS tingkat kota" in admin.text
    await admin.tap_label("Ubah tanggal")
    await admin.send("1 April 2027")
    assert "Tanggal: Kamis, 1 April 2027" in admin.text
    await admin.send("simpan")
    [d] = await deadlines(app)
    assert d.due_on == date(2027, 4, 1) and d.audience == "kader"
    await admin.tap("a:dl.list")
    await admin.tap_label("Penilaian P2WKSS")
    await admin.tap_label("Hapus tenggat")
    assert "Yakin hapus tenggat Penilaian P2WKSS tingkat kota" in admin.text
    await admin.send("ya")
    assert "sudah dihapus" in admin.text
    assert await deadlines(app) == []


async def test_a_mother_cannot_add_or_delete_deadlines(app: App) -> None:
    ibu = Chat(app.engine, identity="ibu-1")
    await register(ibu)
    await ibu.tap("a:dl.new")
    assert "Nama tenggat" not in ibu.text
    await ibu.tap("a:dl.list")
    assert "Tenggat (" not in ibu.text and "Belum ada tenggat" not in ibu.text


async def test_an_admin_makes_the_kader_monthly_report_a_deadline_every_month(app: App) -> None:
    """Laporan bulanan kader, due on the 25th of every month: set in chat as on the CLI."""
    admin = await admin_chat(app)
    await admin.tap("a:dl.new")
    await admin.send("Laporan bulanan kader")
    await admin.send("25/1/2027")
    assert "Tiap bulan tanggal 25" in admin.labels
    await admin.send("hari ini")  # neither choice: asked again, the date is kept
    assert "Sekali saja, atau Tiap bulan" in admin.text
    await admin.send("2")
    await admin.send("lewati")
    await admin.send("kader")
    await admin.send("7,1")
    assert "Berulang: Tiap bulan tanggal 25" in admin.text
    await admin.send("simpan")
    [d] = await deadlines(app)
    assert (d.due_on, d.monthly_day, d.remind_days) == (date(2027, 1, 25), 25, "7,1")
    # Made a one-off again from its summary.
    await admin.tap(f"a:dl.edit:{d.id}")
    assert "Berulang: Tiap bulan tanggal 25" in admin.text
    await admin.tap_label("Ubah pengulangan")
    await admin.tap_label("Sekali saja")
    await admin.send("simpan")
    [d] = await deadlines(app)
    assert d.monthly_day is None
