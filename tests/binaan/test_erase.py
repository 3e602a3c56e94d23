"""UU PDP for a mother without a phone: she asks her kader to erase her data, and the
kader does it from her screen after a fresh confirmation naming her; nobody else can."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from models import AuditEntry, Member
from tests.support.chat import Chat
from tests.support.staff import make_kader, member_id

STAFF_ONLY = "hanya untuk petugas"


async def kader_with_siti(app: App) -> tuple[Chat, int]:
    kader = await make_kader(app, identity="tg-kader")
    await kader.send("ibu binaan")
    await kader.tap_label("Daftarkan ibu tanpa HP")
    for answer in ("ya", "Siti Aminah", "3/5", "tidak ada hp", "simpan"):
        await kader.send(answer)
    return kader, await member_id(app, "Siti Aminah")


async def test_kader_erases_the_data_of_her_mother_without_a_phone(app: App) -> None:
    kader, siti = await kader_with_siti(app)
    await kader.tap(f"a:bn.show:{siti}")
    await kader.tap_label("Hapus data ibu ini")
    assert "Hapus data Siti Aminah?" in kader.text
    await kader.send("tidak")
    assert "tidak dihapus" in kader.text
    await kader.tap(f"a:bn.show:{siti}")
    await kader.tap_label("Hapus data ibu ini")
    await kader.send("ya")
    assert "Data ibu itu sudah dihapus" in kader.text
    assert "Siti Aminah" not in kader.text  # the stored reply does not name her
    async with app.sessions() as s:
        mother = await s.get_one(Member, siti)
        kader_member = await s.scalar(select(Member).where(Member.full_name == "Ani Lestari"))
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "member.erase"))
    assert mother.erased and mother.full_name is None and mother.rt is None
    assert kader_member is not None and not kader_member.erased  # the kader stays herself
    assert entry is not None and entry.actor == f"member:{kader_member.id}"


async def test_nobody_else_can_erase_her_by_a_forged_id(app: App) -> None:
    _, siti = await kader_with_siti(app)
    other = await make_kader(app, identity="tg-kader-2", name="Yuli Astuti")
    mother = Chat(other.engine, identity="ibu-1")
    await mother.send("/start")
    for chat in (other, mother):
        await chat.tap(f"a:mb.erase_for:{siti}")
        assert "Hapus data Siti Aminah?" not in chat.text
    assert STAFF_ONLY in mother.text
    async with app.sessions() as s:
        assert not (await s.get_one(Member, siti)).erased
