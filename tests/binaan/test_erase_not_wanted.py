"""A kader on a mother's page chooses "Hapus data ibu ini", then answers "Tidak" (or
"jangan hapus", "batal"): nothing is erased, and she is back on that mother's page, not on
the main menu (she was working on this mother). A mother asked about her own data from
the menu still ends on the menu."""

from __future__ import annotations

import pytest

from bot.app import App
from models import Member
from tests.binaan.test_erase import kader_with_siti
from tests.support.chat import Chat, register
from tests.support.lookups import state_of


@pytest.mark.parametrize("answer", ["Tidak", "jangan hapus", "batal"])
async def test_kader_keeps_the_mothers_data_and_is_back_on_her_page(app: App, answer: str) -> None:
    kader, siti = await kader_with_siti(app)
    await kader.tap(f"a:bn.show:{siti}")
    await kader.tap_label("Hapus data ibu ini")
    assert "Hapus data Siti Aminah?" in kader.text
    if answer == "Tidak":
        await kader.tap_label(answer)
    else:
        await kader.send(answer)
    assert "data Siti Aminah tidak dihapus" in kader.text
    assert "Hapus data ibu ini" in kader.labels  # her page again
    assert "Menu utama" not in kader.text
    assert (await state_of(app, kader.identity))[0] is None
    async with app.sessions() as s:
        assert not (await s.get_one(Member, siti)).erased


async def test_her_own_data_kept_ends_on_the_menu_as_before(chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("hapus data saya")
    await chat.send("batal")
    assert "data Siti Aminah tidak dihapus" in chat.text and "Menu utama" in chat.text
