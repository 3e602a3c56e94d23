"""Stories of a kader acting for a mother who has no phone: signing her up, her reminder
and her promotion from the waiting list arriving on the kader's chat with her name,
confirming and giving up a seat for her (recorded as done by the kader); and everyone
else refused: a mother (typed or with forged ids), another kader, a kader of another
kampung, a kader who lost the role, until a kader of her kampung takes her over."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.app import App
from handlers.core.delivery import take_due
from models import AuditEntry, Kegiatan, OutboxMessage, Signup
from models.base import transaction, utcnow
from models.reminders.confirmations import confirmed_names
from models.reminders.kegiatan import DAY_BEFORE, ReminderPlan
from scheduler.sweeps import kegiatan_reminders_once
from tests.support.chat import Chat, mothers
from tests.support.fakes.kegiatan import kegiatan
from tests.support.fakes.outbox import kampung_ids
from tests.support.lookups import identity
from tests.support.staff import admin_chat, make_kader, member_id, set_role

WIB = ZoneInfo("Asia/Jakarta")
PLAN = ReminderPlan(tz=WIB, day_before_at=time(7, 0), hours_before=2)
NOT_FOR_YOU = "pilihan itu tidak dikenal"  # common.unknown_choice
STAFF_ONLY = "hanya untuk petugas"  # common.not_allowed


async def kader_with_siti(app: App, identity_id: str = "tg-kader") -> tuple[Chat, int]:
    """Kader Ani of Sumberan, who registered Siti Aminah (no phone)."""
    kader = await make_kader(app, identity=identity_id)
    await kader.send("ibu binaan")
    await kader.tap_label("Daftarkan ibu tanpa HP")
    for answer in ("ya", "Siti Aminah", "3/5", "tidak ada hp", "simpan"):
        await kader.send(answer)
    return kader, await member_id(app, "Siti Aminah")


async def status(app: App, kid: int, member: int) -> str | None:
    async with app.sessions() as s:
        return await s.scalar(
            select(Signup.status).where(Signup.kegiatan_id == kid, Signup.member_id == member)
        )


async def audit_rows(app: App, action: str) -> list[AuditEntry]:
    async with app.sessions() as s:
        stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(await s.scalars(stmt))


async def delivered(app: App, chat: Chat) -> list[str]:
    """Deliver what the outbox holds for this chat now, as the console does."""
    async with transaction(app.sessions) as s:
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "queued")
            .values(not_before=utcnow() - timedelta(seconds=1))
        )
    replies = await take_due(app.sessions, chat.channel, chat.identity)
    chat.replies = replies
    return [r.text for r in replies]


async def test_kader_signs_her_up_and_her_reminder_comes_to_the_kader_named(app: App) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    kader, siti = await kader_with_siti(app)
    ani = await member_id(app, "Ani Lestari")
    assert "Daftarkan ke kegiatan" in kader.labels
    await kader.tap_label("Daftarkan ke kegiatan")
    assert "Untuk Ibu Siti Aminah" in kader.text
    await kader.tap_label("Posyandu balita")
    assert "Untuk Ibu Siti Aminah" in kader.text
    await kader.tap_label("Daftar")
    assert "Ibu Siti Aminah terdaftar di Posyandu balita" in kader.text
    assert "Kembali ke Ibu Siti Aminah" in kader.labels
    assert await status(app, kid, siti) == "registered"
    assert await status(app, kid, ani) is None  # the kader did not sign herself up
    [signed] = await audit_rows(app, "signup.for_mother")
    assert (signed.actor, signed.actor_member_id, signed.object_id) == (
        f"member:{ani}",
        ani,
        str(siti),
    )
    assert signed.detail == {"by": "kader", "kegiatan_id": kid, "outcome": "registered"}
    await kader.tap_label("Kembali ke Ibu Siti Aminah")
    assert "Posyandu balita (terdaftar)" in kader.text

    # The day before, the sweep writes her reminder to the kader's chat, naming her.
    async with app.sessions() as s:
        start = (await s.get_one(Kegiatan, kid)).starts_at
    swept = await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, start), PLAN)
    assert swept.written == 1 and swept.no_chat == 0
    async with app.sessions() as s:
        [row] = await s.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("kegiatan_r%")))
    assert row.member_id == siti and row.identity_id == (await identity(app, "tg-kader")).id
    [text] = await delivered(app, kader)
    assert text.startswith("👤 Untuk Ibu Siti Aminah\n") and "Posyandu balita" in text
    assert kader.labels == ["Tetap ikut", "Batal ikut"]
    await kader.tap_label("Tetap ikut")
    assert "Ibu Siti Aminah tercatat tetap ikut Posyandu balita" in kader.text
    async with app.sessions() as s:
        assert await confirmed_names(s, await s.get_one(Kegiatan, kid)) == ["Siti Aminah"]
    [confirmed] = await audit_rows(app, "signup.confirm_for_mother")
    assert (confirmed.actor_member_id, confirmed.object_id) == (ani, str(siti))


async def test_her_promotion_comes_to_the_kader_who_gives_the_seat_back_for_her(
    app: App,
) -> None:
    kid = await kegiatan(app, "Kelas gizi", kuota=1)
    [dewi] = await mothers(app, "Dewi Lestari")
    await dewi.tap(f"a:kg.signup:{kid}")
    kader, siti = await kader_with_siti(app)
    await kader.tap(f"a:kg.show:{kid}:{siti}")
    await kader.tap_label("Masuk daftar tunggu")
    assert "Ibu Siti Aminah masuk daftar tunggu nomor 1" in kader.text
    await dewi.tap(f"a:kg.unsignup:{kid}")
    await dewi.send("ya")
    assert await status(app, kid, siti) == "registered"

    [text] = await delivered(app, kader)
    assert text.startswith("👤 Untuk Ibu Siti Aminah\n") and "Kelas gizi" in text
    assert await delivered(app, dewi) == []  # nothing about Siti on anyone else's chat
    await kader.tap_label("Kembalikan tempat")
    assert "Yakin Ibu Siti Aminah batal ikut Kelas gizi?" in kader.text
    await kader.send("ya")
    assert "Pendaftaran Ibu Siti Aminah di Kelas gizi sudah dibatalkan" in kader.text
    assert await status(app, kid, siti) == "cancelled"
    ani = await member_id(app, "Ani Lestari")
    [gave_up] = await audit_rows(app, "signup.give_up_for_mother")
    assert (gave_up.actor_member_id, gave_up.object_id) == (ani, str(siti))
    assert gave_up.detail["outcome"] == "cancelled"


async def test_a_mother_cannot_act_for_her_typed_or_with_forged_ids(app: App) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    kader, siti = await kader_with_siti(app)
    [dewi] = await mothers(app, "Dewi Lestari")
    dewi_id = await member_id(app, "Dewi Lestari")
    for forged in (
        f"a:kg.signup:{kid}:{siti}",
        f"a:kg.list:0:{siti}",
        f"a:kg.show:{kid}:{siti}",
        f"a:kg.mine:{siti}",
        f"a:rm.keep:{kid}:{siti}",
        f"a:mb.use:{siti}",
    ):
        await dewi.tap(forged)
        assert NOT_FOR_YOU in dewi.text, forged
        assert "Siti" not in dewi.text, forged
    for forged in (f"a:bn.show:{siti}", "a:bn.list", "a:bn.new", f"a:bn.take:{siti}"):
        await dewi.tap(forged)
        assert STAFF_ONLY in dewi.text and "Siti" not in dewi.text, forged
    await dewi.send("ibu binaan")
    assert STAFF_ONLY in dewi.text
    assert await status(app, kid, siti) is None
    # Her own sign-up still works, for herself.
    await dewi.tap(f"a:kg.signup:{kid}:{dewi_id}")
    assert await status(app, kid, dewi_id) == "registered"

    # Her kader signed her up: a mother cannot give the seat up either.
    await kader.tap(f"a:kg.signup:{kid}:{siti}")
    await dewi.tap(f"a:kg.unsignup:{kid}:{siti}")
    assert NOT_FOR_YOU in dewi.text
    assert await status(app, kid, siti) == "registered"
    # The kader acts for her, never as her: "Ganti ibu" cannot switch the kader's chat to her.
    await kader.tap(f"a:mb.use:{siti}")
    assert NOT_FOR_YOU in kader.text
    await kader.send("menu")
    assert "Atas nama: Ani Lestari" in kader.text


async def test_scope_another_kader_and_a_kader_of_another_kampung(app: App) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    _, siti = await kader_with_siti(app)
    rina = await make_kader(app, identity="tg-rina", name="Rina Marlina")
    wati = await make_kader(app, identity="tg-wati", name="Wati Sumarni", kampung="Cibening")
    # A kader of the same kampung sees her, but only her own kader acts for her.
    await rina.tap(f"a:bn.show:{siti}")
    assert "kader Ani Lestari" in rina.text
    assert "Daftarkan ke kegiatan" not in rina.labels and "Ambil alih" not in rina.labels
    await rina.tap(f"a:kg.signup:{kid}:{siti}")
    assert NOT_FOR_YOU in rina.text
    # A kader of Cibening does not see Sumberan's mothers, typed or forged.
    await wati.send("ibu binaan")
    assert "Ibu binaan Cibening" in wati.text or "Belum ada ibu terdaftar di Cibening" in wati.text
    assert "Siti" not in wati.text + " ".join(wati.labels)
    sumberan_id = await _kampung(app, "Sumberan")
    for forged in (f"a:bn.show:{siti}", f"a:bn.list:{sumberan_id}:0", f"a:bn.take:{siti}"):
        await wati.tap(forged)
        assert "bukan warga kampung Ibu" in wati.text, forged
    await wati.tap(f"a:bn.find:{sumberan_id}")
    assert "bukan warga kampung Ibu" in wati.text
    await wati.tap(f"a:kg.signup:{kid}:{siti}")
    assert NOT_FOR_YOU in wati.text
    assert await status(app, kid, siti) is None
    # An admin sees every kampung's mothers.
    admin = await admin_chat(app)
    await admin.tap("a:bn.list")
    assert {"Sumberan (Kel. Warung Jaud)", "Cibening (Kel. Bendung)", "Semua kampung"} <= set(
        admin.labels
    )
    await admin.tap_label("Semua kampung")
    assert "Siti Aminah · RT 003/RW 005 · lewat kader" in admin.labels
    await admin.tap(f"a:bn.show:{siti}")
    assert "Ibu Siti Aminah" in admin.text and "kader Ani Lestari" in admin.text


async def _kampung(app: App, name: str) -> int:
    async with app.sessions() as s:
        return (await kampung_ids(s))[name]


async def test_a_kader_who_loses_the_role_leaves_her_mothers_unreached_until_taken_over(
    app: App,
) -> None:
    kid = await kegiatan(app, "Posyandu balita", kuota=5)
    ani, siti = await kader_with_siti(app)
    await ani.tap(f"a:kg.signup:{kid}:{siti}")
    await set_role(app, "Ani Lestari", "ibu")
    # Ani may no longer act for her; no chat reaches her now.
    await ani.tap(f"a:kg.unsignup:{kid}:{siti}")
    assert NOT_FOR_YOU in ani.text
    async with app.sessions() as s:
        start = (await s.get_one(Kegiatan, kid)).starts_at
    swept = await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, start), PLAN)
    assert (swept.written, swept.no_chat) == (0, 1)
    # Another kader of Sumberan sees it on her list and takes her over.
    rina = await make_kader(app, identity="tg-rina", name="Rina Marlina")
    await rina.send("ibu binaan")
    assert "1 ibu lewat kader yang tidak aktif lagi" in rina.text
    assert "Siti Aminah · RT 003/RW 005 · kader tidak aktif" in rina.labels
    await rina.tap_label("Siti Aminah")
    assert "kadernya (Ani Lestari) tidak aktif lagi" in rina.text
    await rina.tap_label("Ambil alih")
    assert "Sekarang Ibu kader untuk Ibu Siti Aminah" in rina.text
    assert "Daftarkan ke kegiatan" in rina.labels
    await rina.tap_label("Jadwal beliau")
    assert "Posyandu balita" in rina.text
    await rina.tap(f"a:bn.take:{siti}")  # again: she has an active kader now
    assert "masih punya kader yang aktif" in rina.text
    [taken] = await audit_rows(app, "member.kader_takeover")
    assert taken.actor_member_id == await member_id(app, "Rina Marlina")
    assert taken.detail == {"from_member_id": await member_id(app, "Ani Lestari")}
    # Ani's role back does not take her back: she now has Rina.
    await set_role(app, "Ani Lestari", "kader")
    await ani.tap(f"a:kg.unsignup:{kid}:{siti}")
    assert NOT_FOR_YOU in ani.text
