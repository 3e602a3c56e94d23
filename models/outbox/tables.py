"""The outbox: every proactive message, one row per recipient chat, and its delivery state.

Rows are written in the caller's transaction, so a change and the messages it causes
commit together. A dispatcher claims due rows in small batches under a lease, hands them
to the channel's sender and records the result (`models.outbox.delivery`); a row left in
`sending` past its lease is claimed again, so a crash costs at worst one duplicate, never
a lost message. Broadcasts (`models.outbox.broadcasts`) are one source of rows; reminders
and notices are others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, changed, check_in, insert_ignore, utcnow
from models.people.tables import ChannelIdentity, Member

STATUSES = ("queued", "sending", "sent", "delivered", "read", "failed", "skipped")
DONE = ("sent", "delivered", "read")
PENDING = ("queued", "sending")

# Higher goes first. Personal, timely notices overtake a long announcement queue.
PRIORITY_ANNOUNCEMENT = 0
PRIORITY_NOTICE = 10
PRIORITY_URGENT = 20

# Reasons kept in last_error: short codes or platform error codes, never personal data.
BLOCKED = "blocked"
OPTED_OUT = "opted_out"
ERASED = "erased"
CANCELLED = "cancelled"
OUTSIDE_WINDOW = "outside_window"
LEASE_EXPIRED = "lease_expired"
EXPIRED = "expired"  # past its expires_at (a reminder whose kegiatan has started)
MAX_ERROR = 200


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(check_in("status", STATUSES), name="status_known"),
        Index("ix_outbox_claim", "channel", "status", "not_before"),
        Index("ix_outbox_identity_status", "identity_id", "status"),
        Index("ix_outbox_provider_message", "channel", "provider_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the chat is gone (erased, serving nobody): the row stays, anonymous.
    identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_identities.id", ondelete="SET NULL")
    )
    # The member the message concerns (for a shared chat: one of its household).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    media_path: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    priority: Mapped[int] = mapped_column(default=PRIORITY_ANNOUNCEMENT)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    lease_until: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True
    )
    respects_quiet_hours: Mapped[bool] = mapped_column(default=False)
    respects_opt_out: Mapped[bool] = mapped_column(default=False)
    # Not sent after this moment (a reminder is worthless once its kegiatan started).
    expires_at: Mapped[datetime | None]


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which announcements wait; start > end means the span crosses midnight."""

    start: time
    end: time
    tz: ZoneInfo

    def active(self, now: datetime) -> bool:
        local = now.astimezone(self.tz).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True)
class Claimed:
    row: OutboxMessage
    identity: ChannelIdentity


# --- writing rows --------------------------------------------------------------------------


def outbox_row(
    *,
    identity_id: int,
    channel: str,
    kind: str,
    params: dict[str, Any],
    idempotency_key: str,
    now: datetime,
    member_id: int | None = None,
    media_path: str | None = None,
    priority: int = PRIORITY_ANNOUNCEMENT,
    not_before: datetime | None = None,
    respects_quiet_hours: bool = False,
    respects_opt_out: bool = False,
    broadcast_id: int | None = None,
    expires_at: datetime | None = None,
) -> dict[str, Any]:
    """One queued row's values for `enqueue_many`: every column, with its defaults, so the
    sweeps that write many rows at once stay in step with the table."""
    return {
        "identity_id": identity_id,
        "member_id": member_id,
        "channel": channel,
        "kind": kind,
        "params": params,
        "media_path": media_path,
        "idempotency_key": idempotency_key,
        "priority": priority,
        "not_before": not_before or now,
        "status": "queued",
        "attempts": 0,
        "created_at": now,
        "broadcast_id": broadcast_id,
        "respects_quiet_hours": respects_quiet_hours,
        "respects_opt_out": respects_opt_out,
        "expires_at": expires_at,
    }


async def enqueue(
    session: AsyncSession,
    *,
    identity_id: int,
    channel: str,
    kind: str,
    params: dict[str, Any],
    idempotency_key: str,
    member_id: int | None = None,
    media_path: str | None = None,
    priority: int = PRIORITY_ANNOUNCEMENT,
    not_before: datetime | None = None,
    respects_quiet_hours: bool = False,
    respects_opt_out: bool = False,
    broadcast_id: int | None = None,
    now: datetime | None = None,
) -> int | None:
    """Queue one message; returns its id, or None if that idempotency key is already queued."""
    values = outbox_row(
        identity_id=identity_id,
        channel=channel,
        kind=kind,
        params=params,
        idempotency_key=idempotency_key,
        now=now or utcnow(),
        member_id=member_id,
        media_path=media_path,
        priority=priority,
        not_before=not_before,
        respects_quiet_hours=respects_quiet_hours,
        respects_opt_out=respects_opt_out,
        broadcast_id=broadcast_id,
    )
    ids = await enqueue_many(session, [values])
    return ids[0] if ids else None


async def enqueue_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert prepared rows, skipping idempotency keys already present; returns new ids."""
    ids: list[int] = []
    # Chunks keep each statement under SQLite's and asyncpg's bound-parameter limits.
    for start in range(0, len(rows), 500):
        chunk = await _with_voice(session, rows[start : start + 500])
        # executemany ("insertmanyvalues"): the statement is compiled once, not per row.
        result = await session.execute(
            insert_ignore(session, OutboxMessage, ["idempotency_key"]).returning(OutboxMessage.id),
            chunk,
        )
        ids.extend(result.scalars())
    return ids


# A row parameter: the channel sends the message with its voice note too.
VOICE = "voice"


async def _with_voice(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rows about a member who chose "Selalu kirim suara" go with a voice note (`VOICE`)."""
    members = {r["member_id"] for r in rows if r.get("member_id") is not None}
    wanted: set[int] = set()
    if members:
        found = await session.scalars(
            select(Member.id).where(Member.id.in_(members), Member.voice_always.is_(True))
        )
        wanted = set(found)
    if not wanted:
        return list(rows)
    return [
        {**r, "params": {**r["params"], VOICE: True}} if r.get("member_id") in wanted else r
        for r in rows
    ]


# --- claiming ------------------------------------------------------------------------------


async def claim_batch(
    session: AsyncSession,
    channel: str,
    now: datetime,
    limit: int,
    lease_seconds: float,
    *,
    quiet_hours: QuietHours | None = None,
    max_attempts: int | None = None,
) -> list[Claimed]:
    """Take due rows (highest priority, then oldest) and rows whose lease ran out.

    Claimed rows become `sending` with a lease and one more attempt. Rows for a chat that
    blocked the bot or opted out (announcements), or for an erased member, are skipped
    here rather than sent, since those can change after a row was queued.
    """
    m = OutboxMessage
    due = or_(
        and_(m.status == "queued", m.not_before <= now),
        and_(m.status == "sending", m.lease_until <= now),
    )
    stmt = (
        select(m, ChannelIdentity, Member.erased_at)
        .join(ChannelIdentity, ChannelIdentity.id == m.identity_id)
        .outerjoin(Member, Member.id == m.member_id)
        .where(m.channel == channel, due)
        .order_by(m.priority.desc(), m.id)
        .limit(limit)
        # Several workers on PostgreSQL: each takes rows nobody else holds, without waiting.
        .with_for_update(skip_locked=True, of=m)
    )
    if quiet_hours is not None and quiet_hours.active(now):
        stmt = stmt.where(m.respects_quiet_hours.is_(False))
    claimed: list[Claimed] = []
    for row, identity, erased_at in await session.execute(stmt):
        reason = skip_reason(row, identity, erased_at, now)
        if reason is not None:
            finish_row(row, "skipped", reason)
        elif row.status == "sending" and max_attempts and row.attempts >= max_attempts:
            finish_row(row, "failed", LEASE_EXPIRED)
        else:
            row.status = "sending"
            row.lease_until = now + timedelta(seconds=lease_seconds)
            row.attempts += 1
            claimed.append(Claimed(row=row, identity=identity))
    await session.flush()
    return claimed


def skip_reason(
    row: OutboxMessage,
    identity: ChannelIdentity,
    erased_at: datetime | None,
    now: datetime | None = None,
) -> str | None:
    """Why a due row must not go out after all (these can change after it was queued):
    the chat blocked the bot, opted out of announcements, the member was erased, or the
    row expired (held back by a pause or retry until its kegiatan started)."""
    if now is not None and row.expires_at is not None and row.expires_at <= now:
        return EXPIRED
    if identity.unreachable:
        return BLOCKED
    if row.respects_opt_out and identity.announcements_opted_out:
        return OPTED_OUT
    if erased_at is not None:
        return ERASED
    return None


async def release(session: AsyncSession, row_id: int, not_before: datetime) -> None:
    """Give a claimed row back unsent (e.g. its chat was written to a moment ago)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == "sending")
        .values(
            status="queued",
            not_before=not_before,
            lease_until=None,
            attempts=OutboxMessage.attempts - 1,  # not sent, so not an attempt
        )
    )


async def skip(session: AsyncSession, row_id: int, reason: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status.in_(PENDING))
        .values(status="skipped", last_error=reason, lease_until=None)
    )


async def skip_queued(
    session: AsyncSession,
    reason: str,
    *,
    identity_id: int | None = None,
    member_id: int | None = None,
    broadcast_id: int | None = None,
) -> int:
    """Withdraw queued rows of one chat, member or broadcast; returns how many."""
    m = OutboxMessage
    stmt = update(m).where(m.status == "queued")
    if identity_id is not None:
        stmt = stmt.where(m.identity_id == identity_id)
    if member_id is not None:
        stmt = stmt.where(m.member_id == member_id)
    if broadcast_id is not None:
        stmt = stmt.where(m.broadcast_id == broadcast_id)
    result = await session.execute(stmt.values(status="skipped", last_error=reason))
    return changed(result)


async def mark_unreachable(session: AsyncSession, identity_id: int, now: datetime) -> None:
    """The chat blocked the bot: remember it and withdraw the rest of its queue."""
    await session.execute(
        update(ChannelIdentity)
        .where(ChannelIdentity.id == identity_id, ChannelIdentity.unreachable.is_(False))
        .values(unreachable=True, unreachable_at=now)
    )
    await skip_queued(session, BLOCKED, identity_id=identity_id)


def finish_row(row: OutboxMessage, status: str, reason: str | None) -> None:
    """Settle a row (sent, failed or skipped) and drop its lease."""
    row.status = status
    row.last_error = reason[:MAX_ERROR] if reason else None
    row.lease_until = None
