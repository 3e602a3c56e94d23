"""Admin broadcasts: the table, who an audience reaches, sending now or later, cancelling,
and the delivery summary.

A scheduled broadcast is stored as `scheduled` and turned into outbox rows by a sweep at
its time (`sweep_broadcasts`), so its audience is worked out when it goes: a mother who
opted out, blocked the bot or asked to be erased in the meantime is left out, one who
registered in the meantime is included, and cancelling just flips the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    exists,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.audit import audit
from models.base import Base, check_in, utcnow
from models.outbox.tables import (
    BLOCKED,
    DONE,
    OPTED_OUT,
    PENDING,
    PRIORITY_ANNOUNCEMENT,
    PRIORITY_NOTICE,
    OutboxMessage,
    enqueue,
    enqueue_many,
    outbox_row,
    skip_queued,
)
from models.outbox.tables import CANCELLED as CANCELLED_REASON
from models.people.binaan import kader_routes
from models.people.tables import ChannelIdentity, IdentityMember, Member

S = TypeVar("S", bound=Select[*tuple[Any, ...]])
# Mothers named on one announcement to a kader's chat; the rest are counted ("+3").
FOR_NAMES_SHOWN = 10
AUDIENCE_KINDS = ("all", "ibu", "kader", "kampung", "inactive", "kegiatan")
MAX_BROADCAST_TEXT = 3000
BROADCAST_STATUSES = ("scheduled", "enqueued", "cancelled", "sent")


class Broadcast(Base):
    """An admin's announcement to an audience, sent now or at a scheduled time."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(check_in("status", BROADCAST_STATUSES), name="status_known"),
        Index("ix_broadcasts_status_scheduled", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    media_path: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[dict[str, Any]]
    scheduled_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Recipient:
    """One chat to write to, and the (first) member of the audience it reaches."""

    identity_id: int
    channel: str
    member_id: int
    language: str
    # The chat is her kader's (a personal notice to a mother without a chat of her own).
    via_kader: bool = False
    # An announcement: the mothers without a chat of their own this (kader's) chat reaches.
    for_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class BroadcastSummary:
    recipients: int
    sent: int
    failed: int
    blocked: int
    opted_out: int
    skipped: int
    queued: int


@dataclass
class SweepResult:
    enqueued: list[int] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)


def check_audience(audience: Mapping[str, Any]) -> dict[str, Any]:
    """The audience in its stored form; ValueError if it is not one we know."""
    kind = audience.get("kind")
    if kind not in AUDIENCE_KINDS:
        raise ValueError(f"audience kind must be one of {', '.join(AUDIENCE_KINDS)}")
    if kind == "kampung":
        ids = audience.get("kampung_ids")
        if not ids or not all(isinstance(i, int) for i in ids):
            raise ValueError("a kampung audience needs kampung_ids")
        return {"kind": kind, "kampung_ids": sorted(set(ids))}
    if kind == "inactive":
        days = audience.get("days")
        if not isinstance(days, int) or days < 1:
            raise ValueError("an inactive audience needs days >= 1")
        return {"kind": kind, "days": days}
    if kind == "kegiatan":
        kegiatan_id = audience.get("kegiatan_id")
        waiting = audience.get("include_waiting", False)
        if type(kegiatan_id) is not int or kegiatan_id < 1 or not isinstance(waiting, bool):
            raise ValueError("a kegiatan audience needs kegiatan_id (and include_waiting: bool)")
        return {"kind": kind, "kegiatan_id": kegiatan_id, "include_waiting": waiting}
    return {"kind": kind}


async def audience_recipients(
    session: AsyncSession, audience: Mapping[str, Any], *, now: datetime | None = None
) -> list[Recipient]:
    """One entry per chat that an announcement to this audience goes to.

    A member's chat is her most recently seen reachable one; if she opted out there, she
    gets no announcement (an older chat does not overrule what she said last). Members
    sharing a chat get one message. Erased members and blocked chats are left out.

    A mother with no chat of her own, reached through her kader, is reached at her kader's
    most recent chat: one message per chat there too (the same announcement N times would
    only bury it), naming the mothers it is also for (`for_names`), so the kader passes it
    on; a kader's chat that said BERHENTI gets none, as any chat.
    """
    audience = check_audience(audience)
    now = now or utcnow()
    stmt = _where_audience(_member_chat_rows(), audience, now)
    rows = list(await session.execute(stmt))
    chats = _one_per_chat(rows)
    # Mothers of the audience with no reachable chat of their own, reached through a kader.
    own = {row.member_id for row in rows}
    without = _where_audience(
        select(Member.id, Member.full_name).where(
            Member.erased_at.is_(None), Member.reached_via_kader_id.is_not(None)
        ),
        audience,
        now,
    )
    names = {m: n for m, n in await session.execute(without) if m not in own}
    routes = await kader_routes(session, names)
    if routes:
        kaders = sorted(set(routes.values()))
        kader_rows = await session.execute(_member_chat_rows().where(Member.id.in_(kaders)))
        kader_chat = _latest(list(kader_rows))
        for mother in sorted(routes):
            row = kader_chat.get(routes[mother])
            if row is None or row.announcements_opted_out:
                continue
            name = names[mother] or "-"
            found = chats.get(row.identity_id)
            if found is None:
                language = row.identity_language or row.member_language or "id"
                found = Recipient(row.identity_id, row.channel, mother, language)
            chats[row.identity_id] = replace(found, for_names=(*found.for_names, name))
    return sorted(chats.values(), key=lambda r: r.identity_id)


def _member_chat_rows() -> Select[
    Any, Any, int, str, str | None, datetime | None, bool, str | None
]:
    """Each (not erased) member with each of her reachable chats."""
    return (
        select(
            Member.id.label("member_id"),
            Member.language.label("member_language"),
            ChannelIdentity.id.label("identity_id"),
            ChannelIdentity.channel,
            ChannelIdentity.language.label("identity_language"),
            ChannelIdentity.last_seen_at,
            ChannelIdentity.announcements_opted_out,
            Member.preferred_channel,
        )
        .join(IdentityMember, IdentityMember.member_id == Member.id)
        .join(ChannelIdentity, ChannelIdentity.id == IdentityMember.identity_id)
        .where(Member.erased_at.is_(None), ChannelIdentity.unreachable.is_(False))
    )


def _where_audience(stmt: S, audience: Mapping[str, Any], now: datetime) -> S:
    kind = audience["kind"]
    if kind in ("ibu", "kader"):
        stmt = stmt.where(Member.role == kind)
    elif kind == "kampung":
        stmt = stmt.where(Member.kampung_id.in_(audience["kampung_ids"]))
    elif kind == "inactive":
        since = now - timedelta(days=audience["days"])
        stmt = stmt.where((Member.last_active_at.is_(None)) | (Member.last_active_at < since))
    elif kind == "kegiatan":
        # Imported here, not at the top: models.kegiatan writes outbox rows (its notices),
        # so the outbox does not import it when loaded; packages load kegiatan -> outbox.
        from models.kegiatan.tables import participant_ids

        # Taken when the message goes: whoever cancelled in the meantime is left out.
        taking_part = participant_ids(
            audience["kegiatan_id"], include_waiting=audience["include_waiting"]
        )
        stmt = stmt.where(Member.id.in_(taking_part))
    return stmt


def _recency(row: Any) -> tuple[bool, float, int]:
    """Her chosen channel first, then the most recently seen chat."""
    seen = row.last_seen_at.timestamp() if row.last_seen_at else float("-inf")
    return row.channel == row.preferred_channel, seen, row.identity_id  # a tie: the newer chat


def _latest(rows: list[Any]) -> dict[int, Any]:
    """member -> the row of her most recently seen chat."""
    latest: dict[int, Any] = {}
    for row in rows:
        current = latest.get(row.member_id)
        if current is None or _recency(row) > _recency(current):
            latest[row.member_id] = row
    return latest


def _one_per_chat(rows: list[Any]) -> dict[int, Recipient]:
    latest = _latest(rows)
    chats: dict[int, Recipient] = {}
    for member_id in sorted(latest):  # a shared chat's message names its first member
        row = latest[member_id]
        if row.announcements_opted_out or row.identity_id in chats:
            continue
        language = row.identity_language or row.member_language or "id"
        chats[row.identity_id] = Recipient(row.identity_id, row.channel, member_id, language)
    return chats


def via_kader_count(recipients: list[Recipient]) -> int:
    """How many mothers without a chat of their own the recipients' kader chats reach."""
    return sum(len(r.for_names) for r in recipients)


async def count_audience(
    session: AsyncSession, audience: Mapping[str, Any], *, now: datetime | None = None
) -> int:
    return len(await audience_recipients(session, audience, now=now))


async def member_chat(session: AsyncSession, member_id: int) -> Recipient | None:
    """The chat that reaches one member for a personal notice (opt-out does not apply): her
    own most recent one, or her kader's (`via_kader`: the notice must name her)."""
    found = await _latest_chat(session, member_id)
    if found is not None:
        return found
    routes = await kader_routes(session, [member_id])
    if member_id not in routes:
        return None
    kader = await _latest_chat(session, routes[member_id])
    if kader is None:
        return None
    return replace(kader, member_id=member_id, via_kader=True)


async def _latest_chat(session: AsyncSession, member_id: int) -> Recipient | None:
    row = (
        await session.execute(
            select(ChannelIdentity.id, ChannelIdentity.channel, ChannelIdentity.language)
            .join(IdentityMember, IdentityMember.identity_id == ChannelIdentity.id)
            .join(Member, Member.id == IdentityMember.member_id)
            .where(IdentityMember.member_id == member_id, ChannelIdentity.unreachable.is_(False))
            .order_by(
                # Her chosen channel first, then the most recently seen chat.
                (ChannelIdentity.channel == func.coalesce(Member.preferred_channel, "")).desc(),
                ChannelIdentity.last_seen_at.desc().nulls_last(),
                ChannelIdentity.id.desc(),
            )
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    language = row[2] or await session.scalar(select(Member.language).where(Member.id == member_id))
    return Recipient(row[0], row[1], member_id, language or "id")


async def create_broadcast(
    session: AsyncSession,
    *,
    text: str,
    audience: Mapping[str, Any],
    actor: str,
    created_by_member_id: int | None = None,
    media_path: str | None = None,
    scheduled_at: datetime | None = None,
    now: datetime | None = None,
) -> Broadcast:
    """Store a broadcast; one due now is written to the outbox in this same transaction."""
    now = now or utcnow()
    text = text.strip()
    if not text or len(text) > MAX_BROADCAST_TEXT:
        raise ValueError(f"broadcast text must be 1..{MAX_BROADCAST_TEXT} characters")
    broadcast = Broadcast(
        created_by_member_id=created_by_member_id,
        actor=actor,
        text=text,
        media_path=media_path,
        audience=check_audience(audience),
        scheduled_at=scheduled_at,
        status="scheduled",
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    if scheduled_at is None or scheduled_at <= now:
        await _enqueue_broadcast(session, broadcast, now)
    else:
        # The count shown at confirmation; the real one is taken when it goes.
        broadcast.recipient_count = await count_audience(session, broadcast.audience, now=now)
    await audit(
        session,
        actor=actor,
        actor_member_id=created_by_member_id,
        action="broadcast.create",
        object_type="broadcast",
        object_id=broadcast.id,
        detail={"audience": broadcast.audience, "scheduled": scheduled_at is not None},
    )
    return broadcast


async def _enqueue_broadcast(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    recipients = await audience_recipients(session, broadcast.audience, now=now)
    rows = [
        outbox_row(
            identity_id=r.identity_id,
            member_id=r.member_id,
            channel=r.channel,
            kind="announcement",
            params=_announcement_params(broadcast.text, r),
            media_path=broadcast.media_path,
            idempotency_key=f"broadcast:{broadcast.id}:{r.identity_id}",
            priority=PRIORITY_ANNOUNCEMENT,
            now=now,
            broadcast_id=broadcast.id,
            respects_quiet_hours=True,
            respects_opt_out=True,
        )
        for r in recipients
    ]
    await enqueue_many(session, rows)
    broadcast.status = "enqueued"
    broadcast.enqueued_at = now
    broadcast.recipient_count = len(recipients)


def _announcement_params(text: str, recipient: Recipient) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text, "lang": recipient.language}
    if recipient.for_names:
        # Shown first as "Untuk Ibu …": whom the kader passes it on to.
        names = recipient.for_names[:FOR_NAMES_SHOWN]
        more = len(recipient.for_names) - len(names)
        params["for_name"] = ", ".join(names) + (f" (+{more})" if more else "")
    return params


async def cancel_broadcast(
    session: AsyncSession,
    broadcast_id: int,
    *,
    actor: str,
    actor_member_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Cancel a broadcast not yet finished; what has not gone out yet stays unsent."""
    broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or broadcast.status not in ("scheduled", "enqueued"):
        return False
    if broadcast.status == "enqueued":
        await skip_queued(session, CANCELLED_REASON, broadcast_id=broadcast_id)
    broadcast.status = "cancelled"
    broadcast.cancelled_at = now or utcnow()
    await audit(
        session,
        actor=actor,
        actor_member_id=actor_member_id,
        action="broadcast.cancel",
        object_type="broadcast",
        object_id=broadcast_id,
    )
    return True


async def sweep_broadcasts(session: AsyncSession, now: datetime) -> SweepResult:
    """Enqueue scheduled broadcasts that are due; close the ones whose rows are all settled
    and send their creator the delivery summary."""
    result = SweepResult()
    due = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status == "scheduled", Broadcast.scheduled_at <= now)
        .order_by(Broadcast.scheduled_at, Broadcast.id)
        .with_for_update(skip_locked=True)
    )
    for broadcast in list(due):
        await _enqueue_broadcast(session, broadcast, now)
        result.enqueued.append(broadcast.id)
    await session.flush()
    pending = exists().where(
        OutboxMessage.broadcast_id == Broadcast.id, OutboxMessage.status.in_(PENDING)
    )
    finished = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status == "enqueued", ~pending)
        .order_by(Broadcast.id)
        .with_for_update(skip_locked=True, of=Broadcast)
    )
    for broadcast in list(finished):
        broadcast.status = "sent"
        broadcast.finished_at = now
        result.finished.append(broadcast.id)
        await _send_summary(session, broadcast, now)
    return result


async def _send_summary(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    if broadcast.created_by_member_id is None:
        return  # sent from the command line: the summary is there to ask for
    chat = await member_chat(session, broadcast.created_by_member_id)
    if chat is None:
        return
    summary = await broadcast_summary(session, broadcast.id)
    await enqueue(
        session,
        identity_id=chat.identity_id,
        channel=chat.channel,
        member_id=chat.member_id,
        kind="broadcast_summary",
        params={"broadcast_id": broadcast.id, "lang": chat.language, **summary.__dict__},
        idempotency_key=f"broadcast-summary:{broadcast.id}",
        priority=PRIORITY_NOTICE,
        respects_quiet_hours=True,
        now=now,
    )


async def broadcast_summary(session: AsyncSession, broadcast_id: int) -> BroadcastSummary:
    """How a broadcast's messages fared so far."""
    counts = await session.execute(
        select(OutboxMessage.status, OutboxMessage.last_error, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status, OutboxMessage.last_error)
    )
    tally = dict.fromkeys(("sent", "failed", "blocked", "opted_out", "skipped", "queued"), 0)
    total = 0
    for status, reason, n in counts:
        total += n
        if status in DONE:
            tally["sent"] += n
        elif status in PENDING:
            tally["queued"] += n
        elif reason == BLOCKED:
            tally["blocked"] += n
        elif reason == OPTED_OUT:
            tally["opted_out"] += n
        elif status == "failed":
            tally["failed"] += n
        else:
            tally["skipped"] += n
    return BroadcastSummary(recipients=total, **tally)


@dataclass(frozen=True)
class BroadcastLists:
    scheduled_total: int
    scheduled: list[Broadcast]  # soonest first
    recent: list[Broadcast]  # sending or sent, newest first


async def broadcast_lists(
    session: AsyncSession, now: datetime, *, limit: int, recent: timedelta
) -> BroadcastLists:
    """What an admin sees under "Pengumuman terjadwal / laporan"."""
    total = await session.scalar(
        select(func.count()).select_from(Broadcast).where(Broadcast.status == "scheduled")
    )
    scheduled = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status == "scheduled")
        .order_by(Broadcast.scheduled_at, Broadcast.id)
        .limit(limit)
    )
    sent = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status.in_(("enqueued", "sent")), Broadcast.created_at >= now - recent)
        .order_by(Broadcast.id.desc())
        .limit(limit)
    )
    return BroadcastLists(int(total or 0), list(scheduled), list(sent))
