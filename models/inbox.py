"""The inbox: every incoming platform update, written before the platform is told it
arrived, and the replies to it until they are confirmed sent.

One row per (channel, update key), channel-neutral: the adapter stores the update as it
came (raw JSON) and reads it back itself. A row goes through three states:

- ``new``: stored, not yet handled (after a crash these are handled at start, once);
- ``answered``: handled in the transaction that changed her state; ``payload`` now holds
  the replies, until the adapter confirms them sent (after a crash they are sent again
  at start, unless they are older than the resend window: then her state is marked
  `UNSEEN` and her next message shows her current screen again);
- ``done``: only the key is kept (``payload`` is NULL), to recognise a redelivered
  update; housekeeping deletes done rows after a week.

Rows are written in batches: one transaction per fetched batch of updates (polling), and
webhook requests arriving together share one (`GroupCommit`), and so do the marks of
replies sent.

Several workers (PostgreSQL): a row belongs to the worker that stored it (``owner``) for a
lease it renews while it lives (`renew`); a row whose lease ran out (its worker was killed)
is claimed by a live worker (`claim`, ``FOR UPDATE SKIP LOCKED``) and handled or sent there.
Handling stays once: `settle` marks a row handled only while it is ``new``.

One chat's updates are handled in the platform's order (``seq``: Telegram's update_id,
WhatsApp's message timestamp), whichever worker holds them: `settle` refuses a row while
an earlier row of the same chat is still ``new`` or its replies unsent (`NOT_YET`: the
caller tries again after it), and tells a row that comes after a later one of hers was
handled (`LATE`). A row finished without being handled (dropped) has no place in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    Insert,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from models.base import Base, changed, check_in, insert_ignore, one_of, utcnow
from models.conversation import ConversationState
from models.people.tables import ChannelIdentity

log = logging.getLogger(__name__)

Write = Callable[[AsyncSession], Awaitable[object]]

NEW, ANSWERED, DONE = "new", "answered", "done"
STATUSES = (NEW, ANSWERED, DONE)
# A key in her state's `offered`: the replies that showed her this screen were never sent.
UNSEEN = "unseen"

_T = TypeVar("_T")


class InboxMessage(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_key", name="uq_inbox_channel_key"),
        Index("ix_inbox_status_id", "status", "id"),
        # Her rows by status in update order: the order checks of `settle` are short
        # range scans however many done rows she has.
        Index("ix_inbox_chat_seq", "channel", "chat", "status", "seq"),
        CheckConstraint(check_in("status", STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_key: Mapped[str] = mapped_column(String(128))
    # The platform chat it came from (None when the update has none).
    chat: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=NEW)
    # new: the update as the platform sent it; answered: {"replies": [...]}; done: NULL.
    payload: Mapped[dict[str, Any] | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    # The platform's order of updates (Telegram: update_id); None where there is none.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    # The worker holding the row (stored it, or claimed it) and until when.
    owner: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]


@dataclass(frozen=True)
class Arrival:
    """One update to store: its key, its chat and the update itself."""

    key: str
    chat: str | None
    payload: dict[str, Any]
    seq: int | None = None


@dataclass(frozen=True)
class Lease:
    """A worker's hold on the rows it stores: its name and until when."""

    owner: str
    until: datetime


async def store(
    session: AsyncSession, channel: str, arrivals: Sequence[Arrival], lease: Lease | None = None
) -> None:
    """Write new rows for these updates (one statement), held under `lease`; a key already
    stored is skipped."""
    if not arrivals:
        return
    now = utcnow()
    owner, until = (lease.owner, lease.until) if lease else (None, None)
    rows = [
        {
            "channel": channel, "update_key": a.key, "chat": a.chat, "status": NEW,
            "payload": a.payload, "received_at": now, "seq": a.seq, "owner": owner,
            "lease_until": until,
        }
        # In key order: two workers storing the same keys lock them alike.
        for a in sorted(arrivals, key=lambda a: a.key)
    ]  # fmt: skip
    connection = await session.connection()
    insert = _STORE.get(connection.dialect.name)
    if insert is None:
        # Built once per dialect, run with each batch's rows (no statement built per batch).
        insert = _STORE[connection.dialect.name] = insert_ignore(
            session, InboxMessage, ["channel", "update_key"]
        )
    await connection.execute(insert, rows)


_STORE: dict[str, Insert] = {}


# What `settle` found.
SETTLED = "settled"
REDELIVERED = "redelivered"  # handled before: roll back
NOT_YET = "not_yet"  # an earlier update of the same chat is still new: roll back, try later
LATE = "late"  # a later update of the same chat was handled already


def settle(
    session: Session,
    channel: str,
    key: str,
    chat: str | None,
    replies: list[dict[str, Any]],
    *,
    late_ok: bool = False,
    lease: Lease | None = None,
) -> str:
    """Mark an update handled in this transaction (the update itself is dropped), keeping
    its replies until they are sent; with none, the row is done at once. A message that
    never went through the inbox (the console, tests) gets its row now. Anything but
    `SETTLED` means the caller rolls its transaction back (see the constants); `late_ok`
    settles a late update (handled knowing it is late). The row is then held by the
    worker that handled it (`lease`): its replies are that worker's to send.

    Synchronous, in a block of the session (`AsyncSession.run_sync`) shared with the
    engine's write of her state: one hop between the event loop and SQLAlchemy's
    greenlet for both."""
    values = {
        "b_status": ANSWERED if replies else DONE,
        "b_payload": {"replies": replies} if replies else None,
        "b_now": utcnow(),
        "b_owner": lease.owner if lease else None,
        "b_lease": lease.until if lease else None,
    }
    # Plain statements on the connection, built once: this runs for every message. The
    # order checks are part of the UPDATE (no round trip more), and run after her state's
    # row lock was taken, so they see what the worker before held.
    connection = session.connection()
    found = connection.execute(
        _SETTLE_LATE if late_ok else _SETTLE, {"b_channel": channel, "b_key": key, **values}
    )
    if changed(found):
        return SETTLED
    why = (connection.execute(_WHY, {"b_channel": channel, "b_key": key})).first()
    if why is not None:
        status, earlier, later = why
        if status != NEW:
            return REDELIVERED
        if earlier:
            return NOT_YET
        # Late, or (rarely) the rows changed between the two statements: try again.
        return LATE if later and not late_ok else NOT_YET
    insert = _SETTLE_NEW.get(connection.dialect.name)
    if insert is None:
        insert = _SETTLE_NEW[connection.dialect.name] = (
            insert_ignore(session, InboxMessage, ["channel", "update_key"])
            .values(
                channel=bindparam("b_channel"), update_key=bindparam("b_key"),
                chat=bindparam("b_chat"), status=bindparam("b_status"),
                payload=bindparam("b_payload"), received_at=bindparam("b_now"),
                handled_at=bindparam("b_now"),
            )
        )  # fmt: skip
    params = {"b_channel": channel, "b_key": key, "b_chat": chat, **values}
    del params["b_owner"], params["b_lease"]
    return SETTLED if changed(connection.execute(insert, params)) else REDELIVERED


_other = aliased(InboxMessage, name="other")
_same_chat = (_other.channel == InboxMessage.channel, _other.chat == InboxMessage.chat)
# An earlier update of the same chat not handled yet, or its replies not sent yet (so her
# replies reach her in her order too, whichever worker sends them); a later one handled.
_EARLIER_NEW = exists().where(
    *_same_chat, one_of(_other.status, (NEW, ANSWERED)), _other.seq < InboxMessage.seq
)
_LATER_HANDLED = exists().where(
    *_same_chat, one_of(_other.status, (ANSWERED, DONE)), _other.seq > InboxMessage.seq
)
_THIS = (
    InboxMessage.channel == bindparam("b_channel"),
    InboxMessage.update_key == bindparam("b_key"),
)
_SETTLE_LATE = (
    update(InboxMessage)
    .where(*_THIS, InboxMessage.status == NEW)
    .values(
        status=bindparam("b_status"), payload=bindparam("b_payload"),
        handled_at=bindparam("b_now"), owner=bindparam("b_owner"),
        lease_until=bindparam("b_lease"),
    )
)  # fmt: skip
_SETTLE = _SETTLE_LATE.where(~_EARLIER_NEW, ~_LATER_HANDLED)
_WHY = select(InboxMessage.status, _EARLIER_NEW, _LATER_HANDLED).where(*_THIS)
# The INSERT … ON CONFLICT DO NOTHING differs by dialect: built at its first use.
_SETTLE_NEW: dict[str, Insert] = {}


async def finish(session: AsyncSession, channel: str, keys: Sequence[str]) -> None:
    """These updates are done (replies sent, or nothing to do): keep only their keys."""
    if not keys:
        return
    connection = await session.connection()
    await connection.execute(
        _FINISH, {"b_channel": channel, "b_keys": list(keys), "b_now": utcnow()}
    )


# Built once, on the table (no ORM bulk update: nothing of the inbox is in a session).
_INBOX = cast(Table, InboxMessage.__table__)
_FINISH = (
    update(_INBOX)
    .where(
        _INBOX.c.channel == bindparam("b_channel"),
        _INBOX.c.update_key.in_(bindparam("b_keys", expanding=True)),
    )
    .values(
        status=DONE, payload=None, handled_at=bindparam("b_now"), owner=None,
        lease_until=None,
        # Never handled (dropped by flood control, not a message for us): no place in her
        # order, or her messages still queued before it would look late (a later one
        # "handled") and get only her screen again instead of their answer.
        seq=case((_INBOX.c.status == NEW, None), else_=_INBOX.c.seq),
    )
)  # fmt: skip


@dataclass(frozen=True)
class Unfinished:
    key: str
    chat: str | None
    status: str
    payload: dict[str, Any]
    handled_at: datetime | None


async def unfinished(session: AsyncSession, channel: str) -> list[Unfinished]:
    """Rows a crash left behind, in arrival order: updates not handled, replies not sent."""
    rows = await session.execute(
        select(
            InboxMessage.update_key,
            InboxMessage.chat,
            InboxMessage.status,
            InboxMessage.payload,
            InboxMessage.handled_at,
        )
        .where(InboxMessage.channel == channel, InboxMessage.status.in_((NEW, ANSWERED)))
        .order_by(InboxMessage.id)
    )
    return [Unfinished(k, c, s, p or {}, h) for k, c, s, p, h in rows]


async def claim(
    session: AsyncSession, channel: str, lease: Lease, *, everything: bool = False,
    limit: int = 200,
) -> list[Unfinished]:  # fmt: skip
    """Take over rows whose worker let their lease run out (killed, or stopped), or with
    `everything` all unfinished rows (a lone worker at its start): the oldest first, each
    row once (``SKIP LOCKED``: two workers claiming together share them out)."""
    m = InboxMessage
    query = (
        select(m.id, m.update_key, m.chat, m.status, m.payload, m.handled_at)
        .where(m.channel == channel, m.status.in_((NEW, ANSWERED)))
        .order_by(m.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if not everything:
        # Not its own: those are in its queues already (only late in renewing them).
        query = query.where(
            or_(m.lease_until.is_(None), m.lease_until < utcnow()),
            or_(m.owner.is_(None), m.owner != lease.owner),
        )
    rows = (await session.execute(query)).all()
    if rows:
        await session.execute(
            update(m)
            .where(m.id.in_([row.id for row in rows]))
            .values(owner=lease.owner, lease_until=lease.until)
        )
    return [Unfinished(r.update_key, r.chat, r.status, r.payload or {}, r.handled_at) for r in rows]


async def hold(session: AsyncSession, channel: str, key: str, lease: Lease) -> bool:
    """Renew the lease on one answered row if this worker still holds it (its replies
    are then its own to send); False when another worker took it over. A row this worker
    settled done (nothing kept in it) but has not marked yet is its own too: no worker
    takes a done row over, and what it sends for it (a voice note made after the commit,
    for "Dengarkan") would else go to nobody."""
    result = await session.execute(
        update(InboxMessage)
        .where(
            InboxMessage.channel == channel, InboxMessage.update_key == key,
            InboxMessage.owner == lease.owner, one_of(InboxMessage.status, (ANSWERED, DONE)),
        )
        .values(lease_until=lease.until)
    )  # fmt: skip
    return bool(changed(result))


async def renew(session: AsyncSession, lease: Lease) -> int:
    """The worker lives: its unfinished rows stay its own until `lease.until`."""
    result = await session.execute(
        update(InboxMessage)
        .where(InboxMessage.owner == lease.owner, InboxMessage.status.in_((NEW, ANSWERED)))
        .values(lease_until=lease.until)
    )
    return changed(result)


async def release(session: AsyncSession, owner: str) -> int:
    """A worker stopping: its unfinished rows may be taken over at once."""
    result = await session.execute(
        update(InboxMessage)
        .where(InboxMessage.owner == owner, InboxMessage.status.in_((NEW, ANSWERED)))
        .values(lease_until=utcnow())
    )
    return changed(result)


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget done rows handled before `before` (a redelivery comes within a day)."""
    result = await session.execute(
        delete(InboxMessage).where(InboxMessage.status == DONE, InboxMessage.handled_at < before)
    )
    return changed(result)


async def drop_stale_replies(session: AsyncSession, before: datetime) -> int:
    """Replies still unsent that were made before `before` are not sent any more. Each
    chat left without the screen it is on (no fresher replies wait to be sent) has her
    state marked `UNSEEN`, so her next message shows that screen again first."""
    m = InboxMessage
    stale = (
        await session.execute(
            select(m.id, m.channel, m.chat).where(m.status == ANSWERED, m.handled_at < before)
        )
    ).all()
    if not stale:
        return 0
    for ids in _chunks([row.id for row in stale]):
        await session.execute(update(m).where(m.id.in_(ids)).values(status=DONE, payload=None))
    # Her latest dropped reply, against her latest reply still to be sent.
    latest: dict[tuple[str, str], int] = {}
    for row in stale:
        if row.chat is not None:
            latest[(row.channel, row.chat)] = max(row.id, latest.get((row.channel, row.chat), 0))
    waiting = await session.execute(
        select(m.channel, m.chat, func.max(m.id))
        .where(m.status == ANSWERED, m.chat.is_not(None))
        .group_by(m.channel, m.chat)
    )
    fresher = {(channel, chat): newest for channel, chat, newest in waiting}
    lost = {chat for chat, dropped in latest.items() if fresher.get(chat, 0) < dropped}
    await _mark_unseen(session, lost)
    return len(stale)


async def _mark_unseen(session: AsyncSession, chats: set[tuple[str, str]]) -> None:
    by_channel: dict[str, list[str]] = {}
    for channel, chat in chats:
        by_channel.setdefault(channel, []).append(chat)
    for channel, external_ids in by_channel.items():
        for some in _chunks(sorted(external_ids)):
            states = await session.scalars(
                select(ConversationState)
                .join(ChannelIdentity, ChannelIdentity.id == ConversationState.identity_id)
                .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id.in_(some))
            )
            for state in states:
                state.offered = {**(state.offered or {}), UNSEEN: True}


def _chunks(values: list[_T], size: int = 500) -> list[list[_T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


# A deadlock or a serialization failure: the transaction may simply be run again.
RETRYABLE = ("40P01", "40001")
RETRIES = 3


def _sqlstate(exc: DBAPIError) -> str | None:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return str(code) if code else None


@dataclass(frozen=True)
class Stored:
    """A `GroupCommit` write storing updates (merged with the others of its commit)."""

    channel: str
    arrivals: Sequence[Arrival]
    lease: Lease | None = None

    async def __call__(self, session: AsyncSession) -> None:
        await store(session, self.channel, self.arrivals, self.lease)


@dataclass(frozen=True)
class Marked:
    """A `GroupCommit` write marking updates done (merged with the others of its commit)."""

    channel: str
    keys: Sequence[str]

    async def __call__(self, session: AsyncSession) -> None:
        await finish(session, self.channel, self.keys)


class GroupCommit:
    """Writes that arrive while one is under way share the next transaction (one commit
    for a burst of webhook requests or of sent replies). `run` returns once its write is
    committed, and raises what the transaction raised."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, gate: asyncio.Lock | None = None
    ) -> None:
        self.sessions = sessions
        # Held around each transaction when given (the engine's SQLite writer gate).
        self.gate = gate
        self._waiting: list[tuple[Write, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def run(self, write: Write) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())
        await future

    async def _write(self, batch: list[tuple[Write, asyncio.Future[None]]]) -> None:
        # Stores, and done marks, of one channel go as one statement each: a busy moment
        # has a dozen of each per commit, and a statement costs more than its rows.
        stored: dict[str, list[Stored]] = {}
        marked: dict[str, list[str]] = {}
        others: list[Write] = []
        for write, _future in batch:
            if isinstance(write, Stored):
                stored.setdefault(write.channel, []).append(write)
            elif isinstance(write, Marked):
                marked.setdefault(write.channel, []).extend(write.keys)
            else:
                others.append(write)
        # The gate is let go at the commit, before the connection is reset.
        async with (
            self.sessions() as session,
            self.gate or contextlib.nullcontext(),
            session.begin(),
        ):
            for channel, writes in stored.items():
                arrivals = [a for w in writes for a in w.arrivals]
                # The latest lease of the batch: the same worker, held the longest.
                await store(session, channel, arrivals, writes[-1].lease)
            for write in others:
                await write(session)
            for channel, keys in marked.items():
                await finish(session, channel, keys)

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                for attempt in range(1, RETRIES + 1):
                    try:
                        await self._write(batch)
                        break
                    except DBAPIError as exc:
                        # Two workers' batches taking the same keys in another order
                        # (a redelivery posted to both): PostgreSQL ends one; again.
                        if attempt == RETRIES or _sqlstate(exc) not in RETRYABLE:
                            raise
            except Exception as exc:
                for _write, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _write, future in batch:
                    if not future.done():
                        future.set_result(None)
