"""Helpers for the kader stories: an admin's chat, invitations made as an admin would,
and reading back members, requests, audit rows and outbox rows."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from bot.app import App
from models import AuditEntry, KaderRequest, Member, OneTimeCode, OutboxMessage, utcnow
from models.base import transaction
from models.kader import create_invite
from models.location import Location
from models.people.roles import grant_admin
from tests.support.chat import Chat

CODE_IN_TEXT = re.compile(r"kode ([A-Z2-9]{8})\b")


async def admin_chat(app: App, identity: str = "admin-1") -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", identity, actor="test")
    return Chat(app.engine, identity=identity)


async def kampung_id(app: App, name: str) -> int:
    async with app.sessions() as s:
        found = await s.scalar(
            select(Location.id).where(Location.level == "kampung", Location.name == name)
        )
    assert found is not None, name
    return found


async def invitation(
    app: App, name: str = "Rina Marlina", kampung: str = "Sumberan", *, days: int = 7,
    now: datetime | None = None,
) -> str:  # fmt: skip
    """An invitation made as on the command line; returns its code."""
    place = await kampung_id(app, kampung)
    async with transaction(app.sessions) as s:
        invite = await create_invite(s, name=name, kampung_id=place, now=now or utcnow(), days=days)
        return invite.code.code


async def code_row(app: App, code: str) -> OneTimeCode:
    async with app.sessions() as s:
        found = await s.scalar(select(OneTimeCode).where(OneTimeCode.code == code))
    assert found is not None
    return found


async def member_named(app: App, name: str) -> Member:
    async with app.sessions() as s:
        found = await s.scalar(select(Member).where(Member.full_name == name))
    assert found is not None, name
    return found


async def audit_rows(app: App, *actions: str) -> list[AuditEntry]:
    async with app.sessions() as s:
        rows = await s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)
        )
        return list(rows)


async def requests(app: App) -> list[KaderRequest]:
    async with app.sessions() as s:
        return list(await s.scalars(select(KaderRequest).order_by(KaderRequest.id)))


async def outbox(app: App, kind: str) -> list[OutboxMessage]:
    async with app.sessions() as s:
        rows = await s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return list(rows)


async def inbox_text(app: App, chat: Chat) -> str:
    """What the outbox delivers to this chat now (as the console shows it)."""
    replies = await app.engine.take_outbox(chat.channel, chat.identity)
    return "\n".join(r.text for r in replies)
