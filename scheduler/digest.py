"""The daily admin digest sweep: once the local DIGEST_AT has passed today, each admin
who has not had today's digest gets it (one outbox row, in her language). Written by the
leader's sweep like the reminders; unique per (kind, recipient, date) in reminder_log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import format_date_local, format_datetime_local, t
from models.base import insert_ignore
from models.outbox.tables import PRIORITY_NOTICE, enqueue_many, outbox_row
from models.reminders.chats import member_chats
from models.reminders.digest import (
    KIND,
    SOURCE,
    DigestLine,
    DigestWindow,
    admins,
    digest_lines,
)
from models.reminders.tables import ReminderLog

log = logging.getLogger(__name__)

OUTBOX_KIND = "admin_digest"


@dataclass(frozen=True)
class DigestPlan:
    tz: ZoneInfo
    at: time = time(7, 0)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def render_lines(lines: list[DigestLine], lang: str, tz: ZoneInfo) -> str:
    out: list[str] = []
    for line in lines:
        out.append(t(lang, line.key, **line.values))
        for label, when in line.items:
            if isinstance(when, datetime):
                text = format_datetime_local(when, lang, tz)
            else:
                text = format_date_local(_local(when, time(12, 0), tz), lang, tz)
            out.append(f"  • {label}: {text}")
    return "\n".join(out)


async def sweep_digest(session: AsyncSession, now: datetime, plan: DigestPlan) -> int:
    """Write today's digest to every admin who has not had it; returns how many."""
    today = now.astimezone(plan.tz).date()
    due = _local(today, plan.at, plan.tz)
    if now < due:
        return 0
    due_for = _local(today, time(0, 0), plan.tz)
    recipients = await admins(session)
    if not recipients:
        return 0
    had = set(
        await session.scalars(
            select(ReminderLog.member_id).where(
                ReminderLog.source == SOURCE,
                ReminderLog.kind == KIND,
                ReminderLog.due_for == due_for,
                ReminderLog.member_id.in_(recipients),
            )
        )
    )
    todo = [m for m in recipients if m not in had]
    if not todo:
        return 0
    window = DigestWindow(since=due - timedelta(days=1), now=now, today=today, tz=plan.tz)
    lines = await digest_lines(session, window)
    chats = await member_chats(session, todo)
    logs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    bodies: dict[str, str] = {}
    for member_id in todo:
        logs.append(
            {
                "source": SOURCE,
                "ref_id": 0,
                "member_id": member_id,
                "kind": KIND,
                "due_for": due_for,
                "outcome": "written" if member_id in chats else "no_chat",
                "created_at": now,
            }
        )
        chat = chats.get(member_id)
        if chat is None:
            continue
        if chat.language not in bodies:
            bodies[chat.language] = render_lines(lines, chat.language, plan.tz)
        rows.append(
            outbox_row(
                identity_id=chat.identity_id,
                member_id=member_id,
                channel=chat.channel,
                kind=OUTBOX_KIND,
                params={
                    "date": format_date_local(due, chat.language, plan.tz),
                    "body": bodies[chat.language],
                    "lang": chat.language,
                },
                idempotency_key=f"digest:daily:m{member_id}:{today.isoformat()}",
                priority=PRIORITY_NOTICE,
                now=now,
                respects_quiet_hours=True,
            )
        )
    await session.execute(
        insert_ignore(session, ReminderLog, ["source", "ref_id", "member_id", "kind", "due_for"]),
        logs,
    )
    written = len(await enqueue_many(session, rows))
    if written:
        log.info("admin digest written to %d admin(s)", written)
    return written
