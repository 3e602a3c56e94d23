"""The daily admin digest sweep: once the local DIGEST_AT has passed today, each admin
who has not had today's digest gets it (one outbox row, in her language). Written by the
leader's sweep like the reminders; unique per (kind, recipient, date) in reminder_log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import format_date_local, format_datetime_local, t
from models.reminders.chats import MemberChat
from models.reminders.daily import Daily, not_yet_had, write_daily
from models.reminders.digest import (
    KIND,
    SOURCE,
    DigestLine,
    DigestWindow,
    admins,
    digest_lines,
)

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
    daily = Daily(
        SOURCE, KIND, _local(today, time(0, 0), plan.tz), OUTBOX_KIND, "digest:daily",
        today.isoformat(),
    )  # fmt: skip
    todo = await not_yet_had(session, daily, await admins(session))
    if not todo:
        return 0
    window = DigestWindow(since=due - timedelta(days=1), now=now, today=today, tz=plan.tz)
    lines = await digest_lines(session, window)
    bodies: dict[str, str] = {}

    def params(chat: MemberChat) -> dict[str, Any]:
        if chat.language not in bodies:
            bodies[chat.language] = render_lines(lines, chat.language, plan.tz)
        return {
            "date": format_date_local(due, chat.language, plan.tz),
            "body": bodies[chat.language],
        }

    written = await write_daily(session, daily, todo, params, now)
    if written:
        log.info("admin digest written to %d admin(s)", written)
    return written
