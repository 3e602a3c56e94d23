"""Which chat reaches a mother who has none of her own: her kader's most recently seen
reachable chat, for every path a message takes (reminder sweeps, personal notices,
broadcast audiences, deadline reminders), each naming her; and nobody's once her kader
no longer serves her."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from handlers.core.delivery import render_outbox
from models import ChannelIdentity, Member, OutboxMessage
from models.base import transaction, utcnow
from models.deadlines import DeadlineDraft, DeadlinePlan, create_deadline, resolve_audience
from models.kegiatan.admin import cancel_kegiatan
from models.kegiatan.signups import sign_up
from models.outbox.broadcasts import (
    audience_recipients,
    count_audience,
    create_broadcast,
    member_chat,
    via_kader_count,
)
from models.reminders.chats import member_chats
from scheduler.sweeps import deadline_reminders_once
from tests.support.fakes.kegiatan import NOW, new_kegiatan
from tests.support.fakes.outbox import add_member, kampung_ids, link
from tests.support.staff import admin_chat

WIB = ZoneInfo("Asia/Jakarta")


@dataclass
class Kampung:
    """Sumberan: kader K (two reachable chats and a blocked one), mother A with her own
    chat, S1 and S2 reached through K; Cibening: mother C with her own chat."""

    kader: int
    k_chat: int  # K's most recently seen reachable chat
    a: int
    a_chat: int
    s1: int
    s2: int
    c: int
    sumberan: int


async def mother_via(s: AsyncSession, name: str, kader: int, kampung: int) -> int:
    member = Member(
        full_name=name,
        role="ibu",
        kampung_id=kampung,
        language="id",
        consent_method="spoken",
        consent_at=utcnow(),
        reached_via_kader_id=kader,
        registered_by_member_id=kader,
    )
    s.add(member)
    await s.flush()
    return member.id


async def kampung(app: App) -> Kampung:
    now = utcnow()
    async with transaction(app.sessions) as s:
        place = await kampung_ids(s)
        sumberan = place["Sumberan"]
        kader, _ = await add_member(
            s, "k-old", role="kader", kampung_id=sumberan, seen_at=now - timedelta(days=2)
        )
        k_chat = await link(s, kader, "k-mid", seen_at=now - timedelta(days=1))
        blocked = await link(s, kader, "k-new", seen_at=now - timedelta(hours=1))
        await s.execute(
            update(ChannelIdentity).where(ChannelIdentity.id == blocked).values(unreachable=True)
        )
        await s.execute(
            update(ChannelIdentity).where(ChannelIdentity.id == k_chat).values(language="en")
        )
        a, a_chat = await add_member(s, "a", kampung_id=sumberan, seen_at=now)
        s1 = await mother_via(s, "Siti Aminah", kader, sumberan)
        s2 = await mother_via(s, "Sri Wahyuni", kader, sumberan)
        c, _ = await add_member(s, "c", kampung_id=place["Cibening"], seen_at=now)
    return Kampung(kader, k_chat, a, a_chat, s1, s2, c, sumberan)


async def set_member(app: App, member: int, **values: object) -> None:
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.id == member).values(**values))


async def test_her_chat_is_her_kaders_most_recent_reachable_one_named(app: App) -> None:
    k = await kampung(app)
    async with app.sessions() as s:
        chats = await member_chats(s, [k.s1, k.s2, k.a, k.kader])
        single = await member_chat(s, k.s1)
    siti = chats[k.s1]
    assert (siti.identity_id, siti.language, siti.name) == (k.k_chat, "en", "Siti Aminah")
    assert siti.shared and siti.via_kader  # messages name her
    assert chats[k.s2].identity_id == k.k_chat and chats[k.s2].name == "Sri Wahyuni"
    assert not chats[k.kader].via_kader and not chats[k.kader].shared
    assert chats[k.a].identity_id == k.a_chat and not chats[k.a].via_kader
    assert single is not None and single.identity_id == k.k_chat and single.via_kader
    assert single.member_id == k.s1


async def test_her_own_chat_wins_and_a_kader_who_no_longer_serves_reaches_nobody(
    app: App,
) -> None:
    k = await kampung(app)
    async with transaction(app.sessions) as s:
        own = await link(s, k.s2, "s2-own")
    async with app.sessions() as s:
        assert (await member_chats(s, [k.s2]))[k.s2].identity_id == own
    async with app.sessions() as s:
        place = await kampung_ids(s)
    for change in (
        {"role": "ibu"},  # lost the role
        {"erased_at": utcnow()},  # erased
        {"kampung_id": place["Cibening"]},  # a kader of another kampung now
    ):
        await set_member(app, k.kader, **change)
        async with app.sessions() as s:
            assert await member_chats(s, [k.s1]) == {}, change
            assert await member_chat(s, k.s1) is None, change
            recipients = await audience_recipients(s, {"kind": "all"})
            assert via_kader_count(recipients) == 0, change
        await set_member(app, k.kader, role="kader", erased_at=None, kampung_id=k.sumberan)
    # An admin who registered a mother serves her whatever the kampung.
    await set_member(app, k.kader, role="admin", kampung_id=None)
    async with app.sessions() as s:
        assert (await member_chats(s, [k.s1]))[k.s1].identity_id == k.k_chat


async def test_an_announcement_reaches_her_through_her_kader_once_per_chat(app: App) -> None:
    k = await kampung(app)
    async with app.sessions() as s:
        place = await kampung_ids(s)
        mothers_only = await audience_recipients(s, {"kind": "ibu"})
        sumberan = await audience_recipients(s, {"kind": "kampung", "kampung_ids": [k.sumberan]})
        kader_only = await audience_recipients(s, {"kind": "kader"})
        cibening = await count_audience(s, {"kind": "kampung", "kampung_ids": [place["Cibening"]]})
    # The kader is not a mother: her chat is in the count for Siti and Sri, once.
    via = next(r for r in mothers_only if r.identity_id == k.k_chat)
    assert len(mothers_only) == 3  # A, C and the kader's chat
    assert via.member_id == k.s1 and via.for_names == ("Siti Aminah", "Sri Wahyuni")
    assert via_kader_count(mothers_only) == 2
    # In Sumberan the kader is in the audience herself: still one message, naming them.
    assert len(sumberan) == 2
    mine = next(r for r in sumberan if r.identity_id == k.k_chat)
    assert mine.member_id == k.kader and mine.for_names == ("Siti Aminah", "Sri Wahyuni")
    assert [r.for_names for r in kader_only] == [()]
    assert cibening == 1

    async with transaction(app.sessions) as s:
        b = await create_broadcast(s, text="Posyandu Sabtu", audience={"kind": "ibu"}, actor="t")
        rows = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.broadcast_id == b.id))
        )
    assert b.recipient_count == 3
    row = next(r for r in rows if r.identity_id == k.k_chat)
    assert row.params["for_name"] == "Siti Aminah, Sri Wahyuni"
    assert render_outbox(row).text.startswith("👤 For Siti Aminah, Sri Wahyuni\n📢")  # her "en"
    assert render_outbox(row, "id").text.startswith("👤 Untuk Ibu Siti Aminah, Sri Wahyuni\n")
    # A kader's chat that said BERHENTI gets no announcement, for herself or for them.
    async with transaction(app.sessions) as s:
        await s.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == k.k_chat)
            .values(announcements_opted_out=True)
        )
    async with app.sessions() as s:
        assert await count_audience(s, {"kind": "ibu"}) == 2


async def test_participants_of_a_kegiatan_and_its_cancellation_notice_name_each(
    app: App,
) -> None:
    k = await kampung(app)
    kid = await new_kegiatan(app, "Kelas gizi", kuota=5)
    async with transaction(app.sessions) as s:
        for member in (k.s1, k.s2, k.a):
            assert (await sign_up(s, kid, member, NOW)).outcome == "registered"
    async with app.sessions() as s:
        audience = {"kind": "kegiatan", "kegiatan_id": kid}
        [via] = [r for r in await audience_recipients(s, audience) if r.identity_id == k.k_chat]
    assert via.for_names == ("Siti Aminah", "Sri Wahyuni")
    async with transaction(app.sessions) as s:
        await cancel_kegiatan(s, kid, now=NOW, actor="test")
        rows = list(
            await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "kegiatan_cancelled")
                .order_by(OutboxMessage.id)
            )
        )
    by_member = {r.member_id: r for r in rows}
    assert set(by_member) == {k.s1, k.s2, k.a}
    for member, name in ((k.s1, "Siti Aminah"), (k.s2, "Sri Wahyuni")):
        assert by_member[member].identity_id == k.k_chat
        assert by_member[member].params["for_name"] == name
        assert render_outbox(by_member[member]).text.startswith(f"👤 For {name}\n")  # her "en"
    assert "for_name" not in by_member[k.a].params


async def test_a_deadline_for_her_kampung_reaches_her_through_her_kader_named(app: App) -> None:
    k = await kampung(app)
    due = date(2027, 3, 15)
    async with transaction(app.sessions) as s:
        audience = await resolve_audience(s, "kampung:Sumberan")
        draft = DeadlineDraft(title="Data KK binaan", due_on=due, audience=audience, remind=(7,))
        await create_deadline(s, draft, now=datetime(2027, 1, 1, tzinfo=UTC), actor="test")
    at = datetime.combine(due - timedelta(days=7), time(8, 0), tzinfo=WIB)
    swept = await deadline_reminders_once(app.sessions, at, DeadlinePlan(tz=WIB))
    assert swept.written == 4  # the kader, A, and one for each of her mothers
    async with app.sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("dead%"))))
    on_kader = sorted(
        (r.params.get("for_name", "-") for r in rows if r.identity_id == k.k_chat), key=str
    )
    assert on_kader == ["-", "Siti Aminah", "Sri Wahyuni"]


async def test_the_broadcast_preview_counts_her(app: App) -> None:
    await kampung(app)
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Kirim pengumuman")
    await admin.send("Besok posyandu jam 9.")
    await admin.tap_label("Ibu binaan saja")
    assert "Penerima: 3 HP" in admin.text
    assert "Termasuk 2 ibu tanpa HP, lewat HP kadernya" in admin.text
