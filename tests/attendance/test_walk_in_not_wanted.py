"""A kader on a kegiatan's daftar hadir chooses "Tambah yang datang langsung", then says
"batal" (at the name, or at the pick): nobody is added, and she is back on that daftar
hadir to go on marking, not on the main menu."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.attendance.test_hand_list import kader_with_yati
from tests.support.attendance import kegiatan_soon
from tests.support.chat import mothers


@pytest.mark.parametrize("typed", [(), ("wati",)], ids=["at the name", "at the pick"])
async def test_kader_adds_nobody_and_is_back_on_the_daftar_hadir(
    app: App, typed: tuple[str, ...]
) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita", kuota=2)
    siti, _wati = await mothers(app, "Siti Aminah", "Wati Suryani")
    kader, _yati = await kader_with_yati(app)
    await siti.tap(f"a:kg.signup:{kid}")
    await kader.tap(f"a:kg.show:{kid}")
    await kader.tap_label("Daftar hadir")
    await kader.tap_label("Tambah yang datang langsung")
    for answer in typed:
        await kader.send(answer)
    await kader.send("batal")
    assert "tidak ada yang ditambahkan" in kader.text
    assert "Daftar hadir: Posyandu balita" in kader.text
    assert "hadir 0 (datang langsung 0)" in kader.text
    assert kader.labels[0] == "⬜ Siti Aminah · terdaftar"
    assert "Tambah yang datang langsung" in kader.labels
    assert "Menu utama" not in kader.text
    await kader.send("1")  # the list works: the first name on it is marked
    assert kader.labels[0] == "✅ Siti Aminah · terdaftar"
