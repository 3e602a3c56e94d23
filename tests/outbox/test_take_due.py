"""The console takes its outbox messages at the prompt by the dispatcher's rules: an
announcement to a chat that said BERHENTI, or about an erased mother, is skipped."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.app import App
from models import ChannelIdentity, OutboxMessage, make_sessionmaker
from models.people.members import ensure_identity


async def queue(app: App, external_id: str, *, opted_out: bool) -> None:
    async with make_sessionmaker(app.db).begin() as s:
        identity_id = await ensure_identity(s, "console", external_id)
        identity = await s.get_one(ChannelIdentity, identity_id)
        identity.announcements_opted_out = opted_out
        s.add(
            OutboxMessage(
                identity_id=identity_id,
                channel="console",
                kind="announcement",
                params={"text": "Posyandu besok", "lang": "id"},
                idempotency_key=uuid.uuid4().hex,
                respects_opt_out=True,
            )
        )


async def statuses(app: App) -> list[tuple[str, str | None]]:
    async with make_sessionmaker(app.db).begin() as s:
        rows = await s.execute(select(OutboxMessage.status, OutboxMessage.last_error))
        return [(status, error) for status, error in rows]


async def test_an_announcement_to_a_chat_that_said_berhenti_is_skipped(app: App) -> None:
    await queue(app, "ibu-1", opted_out=True)
    assert await app.engine.take_outbox("console", "ibu-1") == []
    assert await statuses(app) == [("skipped", "opted_out")]


async def test_an_announcement_to_a_chat_that_did_not_is_shown(app: App) -> None:
    await queue(app, "ibu-2", opted_out=False)
    [reply] = await app.engine.take_outbox("console", "ibu-2")
    assert "Posyandu besok" in reply.text
    assert await statuses(app) == [("sent", None)]
