"""The one entry point every channel calls: `Engine.handle(incoming) -> replies`.

Per message: one database transaction holding its inbox row (claimed, and the replies
kept until sent), the conversation state and the domain change, so a crash mid-way
leaves everything as it was before that message. Messages from one chat are handled
strictly in order (an in-process lock per chat, plus a row lock on the state for several
workers on PostgreSQL); different chats run concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from handlers.core.config import Config
from handlers.core.context import Ctx
from handlers.core.delivery import take_due
from handlers.core.feature import Registry
from handlers.core.i18n import normalize_language, t
from handlers.core.router import route
from handlers.core.types import Incoming, Reply, reply_to_json
from models import ChannelIdentity, ConversationState, inbox, utcnow
from models.base import transaction
from models.people.members import ensure_identity, household, household_member
from models.people.roles import set_reachable, staff_chats

log = logging.getLogger(__name__)


class Engine:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: Config,
        registry: Registry | None = None,
    ) -> None:
        self.sessions = sessions
        self.config = config
        if registry is None:
            from handlers.features import default_registry

            registry = default_registry()
        self.registry = registry
        self.default_language = normalize_language(config.default_language)
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._writes = inbox.GroupCommit(sessions)

    def _lock(self, channel: str, identity: str) -> asyncio.Lock:
        key = (channel, identity)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(self, incoming: Incoming, *, keep_replies: bool = False) -> list[Reply]:
        """Her replies to one message. With `keep_replies` they are also stored with the
        state change until the adapter says they were sent (`sent`), so a crash between
        the commit and the send does not lose them (`unfinished` gives them back)."""
        lock = self._lock(incoming.channel, incoming.identity)
        async with lock:
            lang = self.default_language
            try:
                async with transaction(self.sessions) as session:
                    identity_id = await ensure_identity(
                        session, incoming.channel, incoming.identity
                    )
                async with transaction(self.sessions) as session:
                    row_id = await inbox.claim(
                        session, incoming.channel, incoming.message_id, incoming.identity
                    )
                    if row_id is None:
                        log.info("duplicate message ignored on %s", incoming.channel)
                        return []
                    ctx = await self._context(session, identity_id, incoming)
                    lang = ctx.lang
                    await route(ctx)
                    self._save(ctx)
                    kept = [reply_to_json(r) for r in ctx.replies] if keep_replies else []
                    await inbox.keep_replies(session, row_id, kept)
                    return ctx.replies
            except Exception:
                # Logged without the message text or any personal data; the transaction
                # rolled back, so her conversation state is as it was before this message.
                log.exception(
                    "handler failed on %s (kind=%s)", incoming.channel, incoming.kind.value
                )
                # The message is not tried again after a restart: she got the apology.
                await self._finish_quietly(incoming.channel, [incoming.message_id])
                return [Reply(text=t(lang, "common.error"))]

    # -- the inbox: updates stored before the platform is answered ---------------------

    async def accept(self, channel: str, arrivals: Sequence[inbox.Arrival]) -> None:
        """Store incoming updates (one transaction for the batch, shared with others
        arriving meanwhile); only then may the adapter acknowledge them to the platform."""
        await self._writes.run(lambda session: inbox.store(session, channel, arrivals))

    async def done(self, channel: str, keys: Sequence[str]) -> None:
        """These updates are finished: their replies were sent, or they needed none."""
        await self._writes.run(lambda session: inbox.finish(session, channel, keys))

    async def unfinished(self, channel: str) -> list[inbox.Unfinished]:
        """What a crash left, in arrival order: updates not handled yet (status new) and
        replies not confirmed sent (answered). Replies older than the resend window are
        dropped here instead."""
        async with transaction(self.sessions) as session:
            stale = await inbox.drop_stale_replies(session, utcnow() - self.config.reply_resend)
            rows = await inbox.unfinished(session, channel)
        if stale:
            log.info("%d unsent replies were too old to send after the restart", stale)
        return rows

    async def _finish_quietly(self, channel: str, keys: Sequence[str]) -> None:
        try:
            await self.done(channel, keys)
        except Exception:
            log.exception("could not mark a message done on %s", channel)

    # -- what channel adapters may ask besides handling a message ---------------------

    async def set_reachable(self, channel: str, external_id: str, reachable: bool) -> None:
        """The platform says the chat blocked the bot (or came back)."""
        async with transaction(self.sessions) as session:
            await set_reachable(session, channel, external_id, reachable)

    async def staff_chats(self, channel: str) -> dict[str, str]:
        """Chats acting for a kader or an admin (for per-role command menus)."""
        async with transaction(self.sessions) as session:
            return await staff_chats(session, channel)

    async def take_outbox(self, channel: str, external_id: str) -> list[Reply]:
        """Due outbox messages for one chat, rendered and marked sent: for a channel
        that shows them when its user is next at the keyboard (the console)."""
        return await take_due(
            self.sessions, channel, external_id, quiet_hours=self.config.quiet_hours
        )

    async def _context(self, session: AsyncSession, identity_id: int, incoming: Incoming) -> Ctx:
        identity = await session.get_one(ChannelIdentity, identity_id)
        state = await session.get_one(ConversationState, identity_id, with_for_update=True)
        member = None
        if state.active_member_id is not None:
            member = await household_member(session, identity_id, state.active_member_id)
        if member is None:
            members = await household(session, identity_id)
            member = members[0] if members else None
            state.active_member_id = member.id if member else None
        now = utcnow()
        identity.last_seen_at = now
        if identity.unreachable:
            # She wrote to us, so the chat works again (she unblocked the bot).
            identity.unreachable = False
            identity.unreachable_at = None
        if member is not None:
            member.last_active_at = now
        return Ctx(
            session=session,
            incoming=incoming,
            identity=identity,
            state=state,
            member=member,
            config=self.config,
            registry=self.registry,
        )

    @staticmethod
    def _save(ctx: Ctx) -> None:
        state = ctx.state
        flag_modified(state, "data")
        flag_modified(state, "offered")
        state.version += 1
        state.updated_at = utcnow()
