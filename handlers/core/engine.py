"""The one entry point every channel calls: `Engine.handle(incoming) -> replies`.

Per message: one database transaction holding her identity (made at her first message),
her conversation state, the domain change and the inbox row (marked handled, with the
replies kept until sent), so a crash mid-way leaves everything as it was before that
message. Messages from one chat are handled strictly in order (an in-process lock per
chat, plus a row lock on the state for several workers on PostgreSQL); different chats
run concurrently (on SQLite their transactions take turns, as SQLite's writers do).

Across workers one chat's updates go in the platform's order (see `models.inbox`): an
update whose earlier one is still waiting raises `NotYet` (the adapter tries it again
after the earlier one), and one that comes after a later one was handled is taken as the
answer to a screen she no longer sees (it counts only if it means the same anywhere,
else her current screen is shown again). A database that cannot be reached gets her
"sedang sibuk, coba lagi sebentar": her message is dropped (marked done as soon as the
database answers again), nothing of it written.

The path is kept short because every statement costs a round trip (on SQLite, several
hops to the driver's thread): her identity, state and active member come in one
statement, the state is written once at the end, and "last seen" only when it is a
minute old.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, raiseload

from handlers.core.codes import typed_code
from handlers.core.config import Config
from handlers.core.context import Ctx
from handlers.core.delivery import take_due
from handlers.core.feature import Registry
from handlers.core.i18n import normalize_language, t
from handlers.core.menu import reprompt
from handlers.core.router import escape_of, route
from handlers.core.types import ACTION_PREFIX, Incoming, Kind, Reply, reply_to_json
from handlers.parse.words import norm
from models import ChannelIdentity, ConversationState, Member, inbox, utcnow
from models.base import transaction, writes
from models.conversation import Conversation
from models.outbox.delivery import latest_delivered_id, remember_latest_delivered
from models.people.members import ensure_identity
from models.people.roles import set_reachable, staff_chats
from models.people.tables import IdentityMember

log = logging.getLogger(__name__)

# "Last seen" and "last active" are written again only when older than this.
ACTIVITY_RESOLUTION = timedelta(minutes=1)
# How long a worker holds the inbox rows it stored without renewing them (see `keep_alive`).
INBOX_LEASE = timedelta(seconds=30)


class NotYet(Exception):
    """An earlier update of the same chat is still waiting (in this worker or another):
    nothing was done; try this one again after it."""


def unavailable(exc: BaseException) -> bool:
    """Whether an error means the database cannot be reached right now (down, restarting,
    the connection cut, the pool exhausted), as opposed to a fault in the code."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    # ConnectionError, TimeoutError: a connection refused, reset or not made in time
    # (asyncpg raises these as they are when connecting).
    return isinstance(
        exc, (OperationalError, InterfaceError, PoolTimeout, ConnectionError, TimeoutError)
    )


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
        bind = sessions.kw.get("bind")
        sqlite = isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite"
        self._write_gate = asyncio.Lock() if sqlite else None
        self._writes = inbox.GroupCommit(sessions, gate=self._write_gate)
        # This worker's name on the inbox rows it holds, and for how long it holds them.
        self.worker = uuid.uuid4().hex[:16]
        self.inbox_lease = INBOX_LEASE
        # Rows to mark done once the database answers again (per channel).
        self._unmarked: dict[str, set[str]] = {}
        # When this worker last renewed its hold on all its rows (monotonic seconds).
        self._renewed = time.monotonic()

    @property
    def sqlite(self) -> bool:
        return self._write_gate is not None

    def _lock(self, channel: str, identity: str) -> asyncio.Lock:
        key = (channel, identity)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(
        self, incoming: Incoming, *, keep_replies: bool = False, in_order: bool = True
    ) -> list[Reply]:
        """Her replies to one message. With `keep_replies` they are also stored with the
        state change until the adapter says they were sent (`done`), so a crash between
        the commit and the send does not lose them (`unfinished` gives them back). Raises
        `NotYet` while an earlier update of her chat waits (unless not `in_order`: the
        adapter waited long enough)."""
        lock = self._lock(incoming.channel, incoming.identity)
        async with lock:
            found = {"lang": self.default_language}  # hers, once her state is read
            late = False
            while True:
                try:
                    replies, later = await self._handle_once(
                        incoming, keep_replies, late, ordered=in_order, found=found
                    )
                    break
                except _Late:
                    late = True  # again, as the answer to a screen she no longer sees
                except _Redelivered:
                    log.info("duplicate message ignored on %s", incoming.channel)
                    return []
                except NotYet:
                    raise
                except Exception as exc:
                    # The transaction rolled back, so her conversation state is as it was
                    # before this message. The message is not tried again (after a restart
                    # either): she was told to send it again.
                    if unavailable(exc):
                        # No stack trace: nothing is wrong with the code.
                        log.warning("database unreachable on %s (%s): asked to try again",
                                    incoming.channel, exc.__class__.__name__)  # fmt: skip
                        await self._finish_quietly(incoming.channel, [incoming.message_id])
                        return [Reply(text=t(found["lang"], "workers.busy"))]
                    # Logged without the message text or any personal data.
                    log.exception(
                        "handler failed on %s (kind=%s)", incoming.channel, incoming.kind.value
                    )
                    await self._finish_quietly(incoming.channel, [incoming.message_id])
                    return [Reply(text=t(found["lang"], "common.error"))]
            # After the commit, holding no database connection nor the SQLite writer gate,
            # so other chats go on meanwhile (a voice note being made); still in her order.
            for step in later:
                try:
                    replies = await step(replies)
                except Exception:
                    log.exception("work after the commit failed on %s", incoming.channel)
            return replies

    async def _handle_once(
        self,
        incoming: Incoming,
        keep_replies: bool,
        late: bool,
        *,
        ordered: bool,
        found: dict[str, str],
    ) -> tuple[list[Reply], list[Any]]:
        # The writer gate is let go at the commit, before the connection is reset for its
        # pool (one round trip less while every other chat waits).
        async with self.sessions() as session, self._writing(), session.begin():
            ctx = await self._context(session, incoming)
            found["lang"] = ctx.lang
            saved: Conversation | None = None
            if not await self._aside(ctx):
                await self._answer(ctx, late=late)
                for after in self.registry.afters:
                    await after(ctx)
                saved = ctx.state
            kept = [reply_to_json(r) for r in ctx.replies] if keep_replies else []
            # Marked handled last, in the same transaction: an update handled before (a
            # redelivery), or not in her order, rolls all of this back.
            outcome = await session.run_sync(
                _finish, saved, incoming, kept, late_ok=late or not ordered, lease=self._lease()
            )
            if outcome == inbox.REDELIVERED:
                raise _Redelivered
            if outcome == inbox.NOT_YET:
                raise NotYet
            if outcome == inbox.LATE:
                raise _Late
            return ctx.replies, list(ctx.after_commit)

    async def _aside(self, ctx: Ctx) -> bool:
        """A message that is no answer ("Dengarkan"): a feature's hook takes it, and her
        state is not saved, so no flow moves on and a pending confirmation stays fresh."""
        for aside in self.registry.asides:
            if await aside(ctx):
                return True
        return False

    async def _answer(self, ctx: Ctx, *, late: bool = False) -> None:
        """Route her message, unless the replies that showed her the current screen were
        never sent (a crash, then too old to send), or her message is late (a later one
        was handled already): then that screen comes again first, and her message counts
        only if it means the same on any screen (an escape word, a menu button, a code);
        "1" is no answer to a question she never saw."""
        offered = ctx.state.offered or {}
        if inbox.UNSEEN not in offered and not late:
            await route(ctx)
            return
        if inbox.UNSEEN in offered:
            ctx.state.offered = {k: v for k, v in offered.items() if k != inbox.UNSEEN}
        if _means_the_same_anywhere(ctx.incoming, self.registry) or self._flow_expired(ctx):
            await route(ctx)
            return
        await reprompt(ctx)

    def _flow_expired(self, ctx: Ctx) -> bool:
        updated = ctx.state.updated_at
        return bool(ctx.state.flow) and ctx.now - updated > self.config.flow_idle

    # -- the inbox: updates stored before the platform is answered ---------------------

    def _lease(self) -> inbox.Lease:
        return inbox.Lease(self.worker, utcnow() + self.inbox_lease)

    def lease(self) -> inbox.Lease:
        """This worker's hold on rows an adapter stores itself (WhatsApp)."""
        return self._lease()

    async def accept(self, channel: str, arrivals: Sequence[inbox.Arrival]) -> None:
        """Store incoming updates (one transaction for the batch, shared with others
        arriving meanwhile), held by this worker; only then may the adapter acknowledge
        them to the platform."""
        lease = self._lease()
        await self._writes.run(inbox.Stored(channel, arrivals, lease))

    async def done(self, channel: str, keys: Sequence[str]) -> None:
        """These updates are finished: their replies were sent, or they needed none. When
        the database cannot be reached they are marked at the next `keep_alive`."""
        try:
            await self._writes.run(inbox.Marked(channel, keys))
        except Exception as exc:
            if unavailable(exc):
                self._unmarked.setdefault(channel, set()).update(keys)
            raise

    async def take_over(self, channel: str, *, at_start: bool = False) -> list[inbox.Unfinished]:
        """Inbox rows to finish here, in arrival order: those of a worker that stopped
        renewing its lease (killed), and at the start of a lone worker (SQLite: one
        process) everything a crash left. Replies older than the resend window are
        dropped at the start instead."""
        async with self._writing(), transaction(self.sessions) as session:
            stale = 0
            if at_start:
                stale = await inbox.drop_stale_replies(session, utcnow() - self.config.reply_resend)
            rows = await inbox.claim(
                session, channel, self._lease(), everything=at_start and self.sqlite
            )
        if stale:
            log.info("%d unsent replies were too old to send after the restart", stale)
        return rows

    async def keep_alive(self) -> None:
        """Renew this worker's hold on its inbox rows (call it well within the lease), and
        mark done what could not be marked while the database was unreachable."""
        for channel in list(self._unmarked):
            keys = self._unmarked.pop(channel)
            try:
                await self._writes.run(inbox.Marked(channel, sorted(keys)))
            except BaseException:
                self._unmarked.setdefault(channel, set()).update(keys)
                raise
        started = time.monotonic()
        lease = self._lease()
        async with self._writing(), transaction(self.sessions) as session:
            await inbox.renew(session, lease)
        self._renewed = started

    async def still_mine(self, channel: str, key: str) -> bool:
        """Whether this worker may send the replies it kept in this row: surely while
        its last renewal is fresh; else only if no other worker took the row over
        meanwhile (a worker too busy to renew in time; the row's lease is then renewed).
        When the database cannot say, they are sent: at worst twice, never lost."""
        if time.monotonic() - self._renewed < self.inbox_lease.total_seconds() / 2:
            return True
        try:
            async with self._writing(), transaction(self.sessions) as session:
                return await inbox.hold(session, channel, key, self._lease())
        except Exception as exc:
            if not unavailable(exc):
                raise
            return True

    async def release(self) -> None:
        """A worker stopping: what it holds may be taken over by another at once."""
        async with self._writing(), transaction(self.sessions) as session:
            await inbox.release(session, self.worker)

    async def unfinished(self, channel: str) -> list[inbox.Unfinished]:
        """What a crash left, in arrival order: updates not handled yet (status new) and
        replies not confirmed sent (answered). Replies older than the resend window are
        dropped here instead."""
        async with self._writing(), transaction(self.sessions) as session:
            stale = await inbox.drop_stale_replies(session, utcnow() - self.config.reply_resend)
            rows = await inbox.unfinished(session, channel)
        if stale:
            log.info("%d unsent replies were too old to send after the restart", stale)
        return rows

    async def _finish_quietly(self, channel: str, keys: Sequence[str]) -> None:
        try:
            await self.done(channel, keys)
        except Exception as exc:
            if unavailable(exc):  # marked at the next keep_alive
                log.warning("could not mark a message done on %s yet", channel)
            else:
                log.exception("could not mark a message done on %s", channel)

    # -- what channel adapters may ask besides handling a message ---------------------

    async def set_reachable(self, channel: str, external_id: str, reachable: bool) -> None:
        """The platform says the chat blocked the bot (or came back)."""
        async with self._writing(), transaction(self.sessions) as session:
            await set_reachable(session, channel, external_id, reachable)

    async def staff_chats(self, channel: str) -> dict[str, str]:
        """Chats acting for a kader or an admin (for per-role command menus)."""
        async with self._writing(), transaction(self.sessions) as session:
            return await staff_chats(session, channel)

    async def take_outbox(self, channel: str, external_id: str) -> list[Reply]:
        """Due outbox messages for one chat, rendered and marked sent: for a channel
        that shows them when its user is next at the keyboard (the console)."""
        return await take_due(
            self.sessions, channel, external_id, quiet_hours=self.config.quiet_hours
        )

    def _writing(self) -> contextlib.AbstractAsyncContextManager[object]:
        """On SQLite, one writing transaction of this process at a time, handed over in
        arrival order: SQLite lets one writer in anyway, and a writer refused the lock
        sleeps in SQLite's busy handler (up to 100 ms a try) while the lock may long be
        free again. On PostgreSQL nothing is held: chats write concurrently."""
        return self._write_gate if self._write_gate is not None else contextlib.nullcontext()

    async def _context(self, session: AsyncSession, incoming: Incoming) -> Ctx:
        """Her identity, state (row-locked on PostgreSQL) and active member, read in one
        statement; a chat seen for the first time gets its rows here, in the same
        transaction. The state is not in the session (read as columns) until `_save`, so
        that the queries a handler makes do not flush it half-changed (it is written once)."""
        chat = {"channel": incoming.channel, "external_id": incoming.identity}
        found = (await session.execute(_KNOWN, chat)).first()
        if found is None:
            await ensure_identity(session, incoming.channel, incoming.identity)
            found = (await session.execute(_KNOWN, chat)).first()
            assert found is not None
        identity: ChannelIdentity = found[0]
        # Plain values in the order of `_STATE_KEYS` (no ORM instance): written once, by
        # `_save`, so nothing of the unit of work is needed for it.
        state = Conversation(*found[1:_MEMBER])
        # Outer-joined: None when she has no active member, or no member at all.
        member: Member | None = found[_MEMBER]
        first_member: int | None = found[_MEMBER + 1]
        remember_latest_delivered(session, identity.id, state.updated_at, found[_MEMBER + 2])
        if member is None:
            # Her active member is gone (erased, or no longer served from this chat):
            # the household's first, if any.
            member = await session.get(Member, first_member) if first_member else None
            if state.active_member_id != first_member:
                state.active_member_id = first_member
        now = utcnow()
        if _stale(identity.last_seen_at, now):
            identity.last_seen_at = now
        if identity.unreachable:
            # She wrote to us, so the chat works again (she unblocked the bot).
            identity.unreachable = False
            identity.unreachable_at = None
        if member is not None and _stale(member.last_active_at, now):
            member.last_active_at = now
        return Ctx(
            session=session,
            incoming=incoming,
            identity=identity,
            state=state,
            member=member,
            config=self.config,
            registry=self.registry,
            household=(int(found[_MEMBER + 3]), writes(session)),
        )


def _stale(seen: datetime | None, now: datetime) -> bool:
    """Whether a "last seen" time is worth writing again: to the minute is enough for
    what reads it (inactive audiences, the most recently used chat), and most messages
    then change no identity or member row at all."""
    return seen is None or now - seen >= ACTIVITY_RESOLUTION


class _Redelivered(Exception):
    """The update was handled before: what this transaction did is rolled back."""


class _Late(Exception):
    """A later update of her chat was handled before this one: rolled back, to be
    handled again as late."""


def _means_the_same_anywhere(incoming: Incoming, registry: Registry) -> bool:
    if incoming.kind is Kind.CHOICE:
        return (incoming.choice or "").startswith(ACTION_PREFIX)
    text = incoming.text or ""
    return (
        escape_of(norm(text)) is not None
        or typed_code(text) is not None
        or registry.command(text) is not None
    )


# Her state's columns, by attribute; in `_KNOWN` after the identity, then her member.
_STATE_KEYS = list(Conversation.__dataclass_fields__)
_STATE_ATTRS = [getattr(ConversationState, key) for key in _STATE_KEYS]
_MEMBER = 1 + len(_STATE_KEYS)


def _known() -> Select[Any]:
    """A chat's identity, its state, its active member if this chat still acts for her
    (a forged or old id, or an erased member, gives None), the household's first member
    (for when the active one is gone), the newest outbox message she got since her last
    answer (the screen typed numbers then refer to, see the router) and the household's
    size (the menu's question)."""
    household = (
        select(IdentityMember.member_id)
        .join(Member, Member.id == IdentityMember.member_id)
        .where(IdentityMember.identity_id == ChannelIdentity.id, Member.erased_at.is_(None))
        .correlate(ChannelIdentity)
    )
    first_member = (
        household.order_by(IdentityMember.created_at, Member.id).limit(1).scalar_subquery()
    )
    size = household.with_only_columns(func.count()).scalar_subquery()
    notice = latest_delivered_id(ChannelIdentity.id, ConversationState.updated_at).correlate(
        ChannelIdentity, ConversationState
    )
    return (
        select(ChannelIdentity, *_STATE_ATTRS, Member, first_member, notice, size)
        .join(ConversationState, ConversationState.identity_id == ChannelIdentity.id)
        .outerjoin(
            IdentityMember,
            (IdentityMember.identity_id == ChannelIdentity.id)
            & (IdentityMember.member_id == ConversationState.active_member_id),
        )
        .outerjoin(Member, (Member.id == IdentityMember.member_id) & Member.erased_at.is_(None))
        .where(
            ChannelIdentity.channel == bindparam("channel"),
            ChannelIdentity.external_id == bindparam("external_id"),
        )
        .with_for_update(of=ConversationState)
        # Not her kampung with its kelurahan, kecamatan and kota (joined by default): four
        # rows more to load on every message, for the few screens that show it, which
        # read it by its id (an access here would raise, not load in secret).
        .options(raiseload(Member.kampung))
    )


# Built once: building a statement, and its cache key, costs more than running it.
_KNOWN = _known()
_STATE = cast(Table, ConversationState.__table__)
_STATE_COLUMNS = [c for c in _STATE.columns if not c.primary_key]
_SAVE_STATE = (
    update(_STATE)
    .where(_STATE.c.identity_id == bindparam("b_identity_id"))
    .values({c.name: bindparam(f"b_{c.name}") for c in _STATE_COLUMNS})
)


def _finish(
    session: Session,
    state: Conversation | None,
    incoming: Incoming,
    kept: list[dict[str, Any]],
    *,
    late_ok: bool,
    lease: inbox.Lease,
) -> str:
    """Her state written (unless an aside left it as it was), then the update settled
    (`inbox.settle`): in one synchronous block of the session, so one hop between the
    event loop and SQLAlchemy's greenlet for the flush and both statements."""
    if state is not None:
        _save(session, state)
    return inbox.settle(
        session, incoming.channel, incoming.message_id, incoming.identity, kept,
        late_ok=late_ok, lease=lease,
    )  # fmt: skip


def _save(session: Session, state: Conversation) -> None:
    """Write her state once, every column, after the domain rows (one plain UPDATE: the
    state is plain values, so no unit of work has to find out what changed)."""
    state.version = (state.version or 0) + 1
    state.updated_at = utcnow()
    session.flush()
    values = {f"b_{c.name}": getattr(state, c.key) for c in _STATE_COLUMNS}
    session.connection().execute(_SAVE_STATE, {"b_identity_id": state.identity_id, **values})
