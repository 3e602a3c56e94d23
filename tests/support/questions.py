"""Set-up for Tanya and kader sweep stories: kader and admins with chats, mothers of a
given kampung, the outbox rows a chat got, and reports written straight into the table
(the reports feature is built elsewhere; only their counts matter here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.app import App
from handlers.core.delivery import render_outbox
from handlers.core.types import Reply
from models import ChannelIdentity, Location, Member, OutboxMessage, Question, Report
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.chat import Chat
from tests.support.fakes.outbox import link


async def kampung_id(app: App, name: str) -> int:
    async with app.sessions() as s:
        found = await s.scalar(
            select(Location.id).where(Location.level == "kampung", Location.name == name)
        )
    assert found is not None
    return found


async def kader(app: App, identity: str, name: str, kampung: str = "Sumberan") -> Chat:
    """A kader of that kampung with her own chat (the role set directly, as granted)."""
    place = await kampung_id(app, kampung)
    async with transaction(app.sessions) as s:
        member = Member(full_name=name, role="kader", kampung_id=place, language="id")
        s.add(member)
        await s.flush()
        await link(s, member.id, identity, channel="test")
    return Chat(app.engine, identity=identity)


async def admin(app: App, identity: str = "admin-1") -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", identity, actor="test")
    return Chat(app.engine, identity=identity)


async def mother(
    app: App, identity: str, name: str, kampung: str = "Sumberan", rt_rw: str = "3/5"
) -> Chat:
    """A mother registered in chat, as every story starts."""
    chat = Chat(app.engine, identity=identity)
    for answer in ("/start", "daftar", "ya", name, kampung, rt_rw, "0812-3456-7890", "simpan"):
        await chat.send(answer)
    assert "sudah terdaftar" in chat.text, chat.text
    return chat


async def member_id(app: App, name: str) -> int:
    async with app.sessions() as s:
        found = await s.scalar(select(Member.id).where(Member.full_name == name))
    assert found is not None
    return found


async def set_role(app: App, name: str, role: str) -> None:
    async with transaction(app.sessions) as s:
        found = await s.scalar(select(Member).where(Member.full_name == name))
        assert found is not None
        found.role = role


async def rows_for(app: App, identity: str, kind: str | None = None) -> list[OutboxMessage]:
    """The outbox rows written for one chat, oldest first (optionally of one kind)."""
    async with app.sessions() as s:
        stmt = (
            select(OutboxMessage)
            .join(ChannelIdentity, ChannelIdentity.id == OutboxMessage.identity_id)
            .where(ChannelIdentity.external_id == identity)
            .order_by(OutboxMessage.id)
        )
        if kind is not None:
            stmt = stmt.where(OutboxMessage.kind == kind)
        return list(await s.scalars(stmt))


async def rows_of_kind(app: App, kind: str) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == kind)
        return list(await s.scalars(stmt.order_by(OutboxMessage.id)))


def rendered(row: OutboxMessage) -> Reply:
    return render_outbox(row)


async def questions(app: App) -> list[Question]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Question).order_by(Question.id)))


async def add_report(
    app: App,
    kader_name: str,
    status: str,
    created_at: datetime,
    submitted_at: datetime | None = None,
    kampung: str | None = None,
) -> None:
    """A report of hers in that state (written as the reports feature would store it)."""
    kader_id = await member_id(app, kader_name)
    async with transaction(app.sessions) as s:
        member = await s.get_one(Member, kader_id)
        place = await kampung_id(app, kampung) if kampung else member.kampung_id
        s.add(
            Report(
                kader_member_id=kader_id,
                kampung_id=place,
                status=status,
                title="Penyuluhan gizi",
                created_at=created_at,
                updated_at=created_at,
                submitted_at=submitted_at,
            )
        )
