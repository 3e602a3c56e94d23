"""An admin on a kegiatan's page chooses "Batalkan kegiatan", then answers "Tidak, jangan
batalkan" (or "batal", "gak jadi"): the kegiatan stays open, nobody is told, and she is
back on that kegiatan's page, not on the main menu (she was working on this kegiatan)."""

from __future__ import annotations

import pytest

from bot.app import App
from models import Kegiatan
from tests.kegiatan.test_change_not_wanted import nothing_changed, on_the_page
from tests.kegiatan.test_fixes import admin_chat
from tests.support.chat import Chat, mothers
from tests.support.fakes.kegiatan import kegiatan


def back_on_the_page(admin: Chat) -> None:
    assert "Posyandu tidak dibatalkan" in admin.text
    assert "Status: dibuka" in admin.text and "Terdaftar: 1 dari 5" in admin.text
    assert {"Ubah waktu", "Batalkan kegiatan", "Kembali ke daftar"} <= set(admin.labels)
    assert "Menu utama" not in admin.text


@pytest.mark.parametrize("answer", ["Tidak, jangan batalkan", "tidak", "batal", "gak jadi"])
async def test_admin_keeps_the_kegiatan_and_is_back_on_its_page(app: App, answer: str) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=5)
    await siti.tap(f"a:kg.signup:{kid}")
    await on_the_page(admin, kid)
    await admin.tap_label("Batalkan kegiatan")
    assert "Posyandu" in admin.text and "Tidak, jangan batalkan" in admin.labels
    if answer.startswith("Tidak,"):
        await admin.tap_label(answer)
    else:
        await admin.send(answer)
    back_on_the_page(admin)
    await nothing_changed(app, kid, admin)
    async with app.sessions() as s:
        assert (await s.get_one(Kegiatan, kid)).status == "open"
    # The page works as before: "Batalkan kegiatan" again, and this time it is cancelled.
    await admin.tap_label("Batalkan kegiatan")
    await admin.tap_label("Ya, batalkan")
    async with app.sessions() as s:
        assert (await s.get_one(Kegiatan, kid)).status == "cancelled"
