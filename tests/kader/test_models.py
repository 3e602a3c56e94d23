"""The kader rules in models/kader, below the chat: a code works once even when two chats
open it at the same moment, one pending request per member, only admins decide."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App
from models import Member, utcnow
from models.base import transaction
from models.kader import decide_request, request_kader
from tests.support.chat import Chat, register
from tests.support.kader import code_row, invitation, member_named, outbox, requests


async def test_two_chats_opening_one_invitation_at_once_make_one_kader(app: App) -> None:
    code = await invitation(app, "Rina Marlina")
    chats = [Chat(app.engine, identity=f"tg-{i}") for i in range(4)]
    await asyncio.gather(*(c.send(f"kode {code}") for c in chats))
    await asyncio.gather(*(c.send("setuju") for c in chats))
    welcomed = [c for c in chats if "Ibu sekarang kader" in c.text]
    refused = [c for c in chats if "sudah dipakai" in c.text]
    assert len(welcomed) == 1 and len(refused) == 3
    async with app.sessions() as s:
        kader = await s.scalar(select(func.count()).where(Member.role == "kader"))
    assert kader == 1
    assert (await code_row(app, code)).used_at is not None


async def test_one_pending_request_per_member_and_only_admins_decide(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    siti = await member_named(app, "Siti Aminah")
    async with transaction(app.sessions) as s:
        member = await s.get_one(Member, siti.id)
        first = await request_kader(s, member, utcnow())
        again = await request_kader(s, member, utcnow())
    assert first.outcome == "sent" and again.outcome == "pending"
    assert first.request is not None and again.request is not None
    assert again.request.id == first.request.id
    assert len(await requests(app)) == 1
    assert await outbox(app, "kader_request") == []  # no admin yet: nobody to tell

    async with transaction(app.sessions) as s:
        member = await s.get_one(Member, siti.id)
        decided = await decide_request(s, first.request.id, member, approve=True, now=utcnow())
    assert decided.outcome == "not_allowed"
    assert (await requests(app))[0].status == "pending"
