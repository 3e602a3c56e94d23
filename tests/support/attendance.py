"""Set-up for the attendance stories: a kegiatan whose check-in window is open (or moved
into the past, as time passing would), its code as the kader sees it, a household of two
mothers on one phone, and reading back lines, sign-ups and outbox rows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.app import App
from models import Attendance, ChannelIdentity, IdentityMember, Kegiatan, OutboxMessage, Signup
from models.attendance import Tally, code_of, tally
from models.base import transaction, utcnow
from models.kegiatan.admin import create_kegiatan, publish
from models.people.binaan import register_spoken
from models.people.members import MemberDetails
from models.people.tables import Member
from tests.support.chat import Chat, register
from tests.support.fakes.kegiatan import draft
from tests.support.fakes.outbox import kampung_ids

CODE_SHOWN = re.compile(r"Kode hadir: ([A-Z0-9]{5})\b")


async def kegiatan_soon(
    app: App,
    judul: str = "Penyuluhan gizi balita",
    *,
    kuota: int | None = 5,
    kampung: tuple[str, ...] = ("Sumberan",),
    starts_in: timedelta = timedelta(minutes=30),
    hours: float = 2,
) -> int:
    """A published kegiatan starting in `starts_in` (check-in opens an hour before)."""
    now = utcnow()
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        spec = draft(
            judul,
            kuota=kuota,
            starts_at=now + starts_in,
            hours=hours,
            sasaran=tuple(places[k] for k in kampung),
        )
        k = await create_kegiatan(s, spec, now=now, actor="test")
        await publish(s, k.id, now=now, actor="test")
        return k.id


async def move(app: App, kegiatan_id: int, starts_at: datetime, ends_at: datetime) -> None:
    """Time passing: the kegiatan now lies at these times (no notices)."""
    async with transaction(app.sessions) as s:
        await s.execute(
            update(Kegiatan)
            .where(Kegiatan.id == kegiatan_id)
            .values(starts_at=starts_at, ends_at=ends_at)
        )


async def ended(app: App, kegiatan_id: int, ago: timedelta = timedelta(minutes=5)) -> datetime:
    """The kegiatan ended `ago`; returns its end."""
    end = utcnow() - ago
    await move(app, kegiatan_id, end - timedelta(hours=2), end)
    return end


async def set_status(app: App, kegiatan_id: int, status: str) -> None:
    async with transaction(app.sessions) as s:
        await s.execute(update(Kegiatan).where(Kegiatan.id == kegiatan_id).values(status=status))


async def code(app: App, kegiatan_id: int) -> str:
    """The kegiatan's check-in code (made now if nobody looked yet)."""
    async with transaction(app.sessions) as s:
        return await code_of(s, kegiatan_id, utcnow())


def code_in(text: str) -> str:
    found = CODE_SHOWN.search(text)
    assert found is not None, text
    return found.group(1)


async def lines(app: App, kegiatan_id: int) -> list[Attendance]:
    async with app.sessions() as s:
        rows = await s.scalars(
            select(Attendance).where(Attendance.kegiatan_id == kegiatan_id).order_by(Attendance.id)
        )
        return list(rows)


async def counts(app: App, kegiatan_id: int) -> Tally:
    async with app.sessions() as s:
        return await tally(s, kegiatan_id)


async def signups(app: App, kegiatan_id: int) -> dict[int, str]:
    async with app.sessions() as s:
        rows = await s.execute(
            select(Signup.member_id, Signup.status).where(Signup.kegiatan_id == kegiatan_id)
        )
        return {int(m): str(st) for m, st in rows}


async def load(app: App, kegiatan_id: int) -> Kegiatan:
    async with app.sessions() as s:
        return await s.get_one(Kegiatan, kegiatan_id)


async def rows_of(app: App, kind: str) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list(await s.scalars(stmt))


async def household_of_two(chat: Chat, first: str, second: str) -> None:
    """Two mothers of Sumberan registered on one shared phone."""
    await register(chat, name=first)
    await chat.send("daftar")
    await chat.tap_label("Ibu lain")
    for answer in ("ya", second, "Sumberan", "2/2", "Tidak punya HP sendiri", "simpan"):
        await chat.send(answer)


async def mother_without_phone(app: App, kader: str, name: str) -> int:
    """A mother of the kader's kampung registered by her kader (spoken consent), reached
    through the kader's chat, as "Daftarkan ibu tanpa HP" does; returns her id."""
    async with transaction(app.sessions) as s:
        found = await s.scalar(select(Member).where(Member.full_name == kader))
        assert found is not None and found.kampung_id is not None, kader
        details = MemberDetails(name, found.kampung_id, 3, 5, None, False, "id")
        return (await register_spoken(s, found, details, utcnow())).id


async def chat_member(app: App, chat: Chat) -> int:
    """The member a chat acts for (its first): an admin's staff account, say."""
    async with app.sessions() as s:
        found = await s.scalar(
            select(IdentityMember.member_id)
            .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
            .where(ChannelIdentity.external_id == chat.identity)
            .order_by(IdentityMember.created_at)
            .limit(1)
        )
    assert found is not None, chat.identity
    return int(found)
