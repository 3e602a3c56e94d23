"""An admin on a tenggat's page chooses "Hapus tenggat" and answers "Jangan hapus" (or
"batal"), or chooses "Ubah tenggat" and says "batal": nothing is deleted or changed, and
she is back on that tenggat's page, not on the main menu. A new tenggat given up goes back
to the list it was started from."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import App
from tests.reminders.test_deadline_chat import admin_chat, deadlines
from tests.support.chat import Chat

# "15 Maret 2027" is typed as a day to come: today is fixed before it.
pytestmark = pytest.mark.usefixtures("monday_4_january_2027")


async def a_deadline_on_its_page(admin: Chat) -> None:
    await admin.tap("a:dl.new")
    for answer in ("Penilaian P2WKSS tingkat kota", "15 Maret 2027", "sekali", "lewati"):
        await admin.send(answer)
    await admin.send("Kader")
    await admin.send("lewati")
    await admin.send("simpan")
    await admin.tap("a:dl.list")
    await admin.tap_label("Penilaian P2WKSS")
    assert "Yang perlu disiapkan" in admin.text


def back_on_its_page(admin: Chat) -> None:
    assert "Berikutnya: Senin, 15 Maret 2027 (70 hari lagi)\n" in admin.text
    assert "Untuk: Kader" in admin.text
    assert admin.labels[:3] == ["Ubah tenggat", "Hapus tenggat", "Daftar tenggat"]
    assert "Menu utama" not in admin.text


@pytest.mark.parametrize("answer", ["Jangan hapus", "jangan", "batal"])
async def test_admin_keeps_the_deadline_and_is_back_on_its_page(app: App, answer: str) -> None:
    admin = await admin_chat(app)
    await a_deadline_on_its_page(admin)
    await admin.tap_label("Hapus tenggat")
    assert "Yakin hapus tenggat Penilaian P2WKSS tingkat kota" in admin.text
    if answer == "Jangan hapus":
        await admin.tap_label(answer)
    else:
        await admin.send(answer)
    assert "Tenggat Penilaian P2WKSS tingkat kota tidak dihapus" in admin.text
    back_on_its_page(admin)
    assert len(await deadlines(app)) == 1


async def test_batal_while_changing_a_deadline_is_back_on_its_page_unchanged(app: App) -> None:
    admin = await admin_chat(app)
    await a_deadline_on_its_page(admin)
    await admin.tap_label("Ubah tenggat")
    await admin.tap_label("Ubah tanggal")
    await admin.send("1 April 2027")
    assert "Tanggal: Kamis, 1 April 2027" in admin.text
    await admin.send("batal")
    assert "tenggat tidak diubah" in admin.text
    back_on_its_page(admin)
    [d] = await deadlines(app)
    assert d.due_on == date(2027, 3, 15)


async def test_batal_on_a_new_deadline_is_back_on_the_list(app: App) -> None:
    admin = await admin_chat(app)
    await admin.tap("a:dl.list")
    await admin.tap_label("Tambah tenggat")
    await admin.send("Penilaian P2WKSS tingkat kota")
    await admin.send("batal")
    assert "Tenggat tidak jadi dibuat" in admin.text
    assert "Belum ada tenggat" in admin.text and "Tambah tenggat" in admin.labels
    assert await deadlines(app) == []
