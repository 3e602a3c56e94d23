"""An admin on "Kelola kegiatan" chooses "Buat kegiatan baru", then says "batal": nothing
is saved, and she is back on that list, not on the main menu."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from models import Kegiatan
from tests.kegiatan.test_fixes import admin_chat
from tests.support.fakes.kegiatan import kegiatan


@pytest.mark.parametrize("answers", [(), ("1", "Pelatihan menjahit")])
async def test_admin_gives_up_a_new_kegiatan_and_is_back_on_the_list(
    app: App, answers: tuple[str, ...]
) -> None:
    admin = await admin_chat(app)
    await kegiatan(app, "Posyandu", kuota=5)
    await admin.tap("a:kga.list")
    await admin.tap_label("Buat kegiatan baru")
    assert "Jenis kegiatannya apa?" in admin.text
    for answer in answers:
        await admin.send(answer)
    await admin.send("batal")
    assert "kegiatan baru tidak disimpan" in admin.text
    assert "Kelola kegiatan (1–1 dari 1)" in admin.text
    assert "➕ Buat kegiatan baru" in admin.labels
    assert "Menu utama" not in admin.text
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Kegiatan)) == 1
