"""Reading what a chat left in the database: its conversation state, its channel identity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from models import ChannelIdentity, ConversationState, make_sessionmaker


async def state_of(app: App, identity: str) -> tuple[str | None, str | None, dict[str, Any]]:
    async with make_sessionmaker(app.db).begin() as s:
        st = await s.scalar(
            select(ConversationState)
            .join(ChannelIdentity, ChannelIdentity.id == ConversationState.identity_id)
            .where(ChannelIdentity.external_id == identity)
        )
        assert st is not None
        return st.flow, st.step, dict(st.data)


async def identity(app: App, chat_id: int | str) -> ChannelIdentity:
    async with make_sessionmaker(app.db).begin() as s:
        found = await s.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == str(chat_id))
        )
    assert found is not None
    return found
