"""UU PDP for a mother without a phone: she asks her kader to erase her data, and the
kader does it from her screen after a fresh confirmation naming her; nobody else can."""

from __future__ import annotations

from sqlalchemy import String, cast, select

from bot.app import App
from models import AuditEntry, ChannelIdentity, ConversationState, Member, OutboxMessage
from models.base import transaction
from models.outbox.tables import enqueue
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


async def test_her_kader_erasing_her_leaves_nothing_that_names_her(app: App) -> None:
    kader, siti = await kader_with_siti(app)
    async with transaction(app.sessions) as s:
        # A reminder about her, queued to her kader's chat, naming her.
        kader_chat = await s.scalar(
            select(ChannelIdentity.id).where(ChannelIdentity.external_id == "tg-kader")
        )
        assert kader_chat is not None
        await enqueue(
            s, identity_id=kader_chat, channel="test", kind="announcement", member_id=siti,
            params={"text": "Pengingat untuk Siti Aminah: posyandu besok.", "lang": "id"},
            idempotency_key="reminder-siti",
        )  # fmt: skip
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.member_id == siti)))
    assert rows and all(r.status == "queued" for r in rows)  # reaching her through the kader
    await kader.tap(f"a:bn.show:{siti}")
    await kader.tap_label("Hapus data ibu ini")
    await kader.send("ya")
    assert "sudah dihapus" in kader.text and "Siti Aminah" not in kader.text
    async with app.sessions() as s:
        kept = list(await s.scalars(select(OutboxMessage).where(
            OutboxMessage.id.in_([r.id for r in rows]))))  # fmt: skip
        named = await s.scalar(
            select(OutboxMessage.id).where(cast(OutboxMessage.params, String).contains("Siti"))
        )
        screens = await s.scalar(select(ConversationState.identity_id).where(
            cast(ConversationState.offered, String).contains("Siti Aminah")))  # fmt: skip
        entries = list(await s.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "member", AuditEntry.object_id == str(siti))))  # fmt: skip
        kader_id = await s.scalar(select(Member.id).where(Member.full_name == "Ani Lestari"))
        chat_kept = await s.get(ChannelIdentity, kader_chat)
    # Nothing more is sent about her, and what was queued no longer says whom or what.
    assert [(r.status, r.member_id, r.params) for r in kept] == [("skipped", None, {})] * len(rows)
    assert named is None and screens is None
    # The kader's chat serves the kader: it stays. The log says the kader acted, no chat.
    assert chat_kept is not None
    assert {e.actor for e in entries} == {f"member:{kader_id}"}
