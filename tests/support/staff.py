"""Kader and admins for stories: a registered member made kader of a kampung directly in
the database (roles are granted, never typed in chat), and an admin's chat."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.app import App
from models import ChannelIdentity, IdentityMember, Member
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.chat import Chat, register
from tests.support.fakes.outbox import kampung_ids


async def member_id(app: App, name: str) -> int:
    async with app.sessions() as s:
        found = await s.scalar(select(Member.id).where(Member.full_name == name))
    assert found is not None, name
    return found


async def make_kader(
    app: App, identity: str = "tg-kader", name: str = "Ani Lestari", kampung: str = "Sumberan"
) -> Chat:
    """A mother who registered in chat, then made kader of `kampung`."""
    chat = Chat(app.engine, identity=identity)
    await register(chat, name=name, phone="0813-1111-2222")
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        await s.execute(
            update(Member)
            .where(Member.full_name == name)
            .values(role="kader", kampung_id=places[kampung])
        )
    return chat


async def set_role(app: App, name: str, role: str) -> None:
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.full_name == name).values(role=role))


async def admin_chat(app: App, identity: str = "tg-admin") -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", identity, actor="test")
    return Chat(app.engine, identity=identity)


async def chat_links(app: App, member: int) -> list[str]:
    """External ids of the chats a member is linked to (identity_members)."""
    async with app.sessions() as s:
        rows = await s.scalars(
            select(ChannelIdentity.external_id)
            .join(IdentityMember, IdentityMember.identity_id == ChannelIdentity.id)
            .where(IdentityMember.member_id == member)
        )
        return list(rows)
