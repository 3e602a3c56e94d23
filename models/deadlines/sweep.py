"""Deadline reminders, written by the sweep: at a local hour (08:00) a number of days
before each due date (default 30, 7 and 1), to the deadline's audience, one message per
chat. Keyed in `ReminderLog` by (deadline, member, "d<days>", the due date), so each is
written once and every month of a recurring deadline gets its own. After downtime a
reminder is still sent while its due date has not passed (only the nearest of several
caught up at once); after that it is dropped and counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import insert_ignore
from models.deadlines.ops import audience_members
from models.deadlines.rules import due_dates, parse_remind
from models.deadlines.tables import Deadline
from models.outbox.tables import PRIORITY_NOTICE, enqueue_many, outbox_row
from models.reminders.chats import member_chats
from models.reminders.tables import ReminderLog

SOURCE: Final = "deadline"
KIND: Final = "deadline_reminder"
DateText = Callable[[datetime, str], str]


@dataclass(frozen=True)
class DeadlinePlan:
    tz: ZoneInfo
    at: time = time(8, 0)
    # Reminders of due dates at most this many days past are counted as dropped.
    lookback_days: int = 2


@dataclass
class DeadlineSweep:
    written: int = 0
    dropped: int = 0
    superseded: int = 0


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


async def sweep_deadline_reminders(
    session: AsyncSession, now: datetime, plan: DeadlinePlan, date_text: DateText
) -> DeadlineSweep:
    result = DeadlineSweep()
    today = now.astimezone(plan.tz).date()
    deadlines = await session.scalars(
        select(Deadline)
        .where(
            Deadline.monthly_day.is_not(None)
            | (Deadline.due_on >= today - timedelta(days=plan.lookback_days))
        )
        .order_by(Deadline.id)
    )
    for d in list(deadlines):
        days = parse_remind(d.remind_days)
        start = today - timedelta(days=plan.lookback_days)
        for due in due_dates(d.due_on, d.monthly_day, start, today + timedelta(days=max(days))):
            await _occurrence(session, d, due, days, now, plan, date_text, result)
    return result


async def _occurrence(
    session: AsyncSession,
    d: Deadline,
    due: date,
    days: tuple[int, ...],
    now: datetime,
    plan: DeadlinePlan,
    date_text: DateText,
    result: DeadlineSweep,
) -> None:
    when = {o: datetime.combine(due - timedelta(days=o), plan.at, tzinfo=plan.tz) for o in days}
    ready = [o for o in days if when[o] <= now]
    if not ready:
        return
    due_for = _local_midnight(due, plan.tz)
    end = _local_midnight(due + timedelta(days=1), plan.tz)
    members = await audience_members(session, d.audience)
    if not members:
        return
    kinds = [f"d{o}" for o in ready]
    log = ReminderLog
    done = set(
        await session.execute(
            select(log.member_id, log.kind).where(
                log.source == SOURCE,
                log.ref_id == d.id,
                log.due_for == due_for,
                log.kind.in_(kinds),
            )
        )
    )
    nearest = min(ready)
    chats = await member_chats(session, members)
    seen_chats: set[int] = set()
    logs: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for member_id in members:
        chat = chats.get(member_id)
        if chat is None:
            continue
        # One message per chat (a shared phone gets one); a mother reached through her
        # kader gets her own on the kader's chat, naming her.
        if not chat.via_kader:
            if chat.identity_id in seen_chats:
                continue
            seen_chats.add(chat.identity_id)
        for o in ready:
            if (member_id, f"d{o}") in done:
                continue
            if now >= end:
                outcome = "dropped"
            elif o != nearest:
                outcome = "superseded"
            else:
                outcome = "written"
            logs.append(
                {
                    "source": SOURCE,
                    "ref_id": d.id,
                    "member_id": member_id,
                    "kind": f"d{o}",
                    "due_for": due_for,
                    "outcome": outcome,
                    "created_at": now,
                }
            )
            if outcome == "dropped":
                result.dropped += 1
                continue
            if outcome == "superseded":
                result.superseded += 1
                continue
            if chat.language not in texts:
                texts[chat.language] = date_text(due_for, chat.language)
            left = (due - now.astimezone(plan.tz).date()).days
            outbox.append(
                outbox_row(
                    identity_id=chat.identity_id,
                    member_id=member_id,
                    channel=chat.channel,
                    kind=KIND,
                    params={
                        "deadline_id": d.id,
                        "title": d.title,
                        "due": texts[chat.language],
                        "days": max(0, left),
                        "prepare": d.prepare or "-",
                        "lang": chat.language,
                        # Her kader's chat (she has none): "Untuk Ibu …".
                        **({"for_name": chat.name} if chat.via_kader else {}),
                    },
                    idempotency_key=(
                        f"reminder:deadline:{d.id}:d{o}:m{member_id}:{due.isoformat()}"
                    ),
                    priority=PRIORITY_NOTICE,
                    now=now,
                    respects_opt_out=d.audience not in ("admin", "kader"),
                    expires_at=end,
                )
            )
    if logs:
        await session.execute(
            insert_ignore(session, log, ["source", "ref_id", "member_id", "kind", "due_for"]),
            logs,
        )
    if outbox:
        result.written += len(await enqueue_many(session, outbox))
