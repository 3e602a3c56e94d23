"""An admin on a kegiatan's page chooses "Ubah kuota" (or "Ubah waktu", "Ubah tempat"),
then answers "gak jadi" / "batal": nothing changes, nobody is told, and she is back on
that kegiatan's page, not on the main menu (she was working on this kegiatan)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from models import ChannelIdentity, ConversationState, Kegiatan, OutboxMessage
from tests.kegiatan.test_fixes import admin_chat
from tests.support.chat import Chat, mothers
from tests.support.fakes.kegiatan import kegiatan


async def on_the_page(admin: Chat, kid: int) -> None:
    await admin.tap(f"a:kga.show:{kid}")
    assert "Status: dibuka" in admin.text


def back_on_the_page(admin: Chat) -> None:
    assert "tidak diubah dan tidak ada yang diberi kabar" in admin.text
    assert "Tempat: Balai Warga Sumberan" in admin.text and "Terdaftar: 1 dari 5" in admin.text
    assert {"Ubah waktu", "Ubah tempat", "Ubah kuota", "Kembali ke daftar"} <= set(admin.labels)
    assert "Menu utama" not in admin.text


async def nothing_changed(app: App, kid: int, admin: Chat) -> None:
    async with app.sessions() as s:
        k = await s.get_one(Kegiatan, kid)
        assert (k.kuota, k.tempat) == (5, "Balai Warga Sumberan")
        assert not list(await s.scalars(select(OutboxMessage)))
        state = await s.scalar(
            select(ConversationState)
            .join(ChannelIdentity, ChannelIdentity.id == ConversationState.identity_id)
            .where(ChannelIdentity.external_id == admin.identity)
        )
        assert state is not None and state.flow is None  # no change waiting any more


@pytest.mark.parametrize("what", ["Ubah kuota", "Ubah waktu", "Ubah tempat"])
@pytest.mark.parametrize("word", ["gak jadi", "batal"])
async def test_admin_says_gak_jadi_to_a_change_and_is_back_on_the_kegiatan(
    app: App, what: str, word: str
) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=5)
    await siti.tap(f"a:kg.signup:{kid}")
    await on_the_page(admin, kid)
    await admin.tap_label(what)
    assert "baru?" in admin.text  # the question of the change
    await admin.send(word)
    back_on_the_page(admin)
    await nothing_changed(app, kid, admin)
    # The page works as before: "Ubah kuota" again, and this time it is saved.
    await admin.tap_label("Ubah kuota")
    await admin.send("7")
    await admin.send("ya")
    async with app.sessions() as s:
        assert (await s.get_one(Kegiatan, kid)).kuota == 7


async def test_batal_or_jangan_diubah_at_the_confirmation_is_back_on_the_kegiatan_too(
    app: App,
) -> None:
    admin = await admin_chat(app)
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=5)
    await siti.tap(f"a:kg.signup:{kid}")
    for answer in ("batal", "Jangan diubah"):
        await on_the_page(admin, kid)
        await admin.tap_label("Ubah kuota")
        await admin.send("9")
        assert "Kuota baru: 9" in admin.text
        await admin.send(answer)
        back_on_the_page(admin)
        await nothing_changed(app, kid, admin)
