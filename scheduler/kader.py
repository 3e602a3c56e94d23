"""What the scheduler adds for kader: questions nobody answered handed to the admins, and
a gentle weekly nudge to each kader with no report in the last 7 days.

Both run in the leader's sweep (`Sweeper.extra`, wired by `bot/worker.py`) and are
idempotent. The nudge works like the daily digest: once its local time has passed on a
Monday, each kader without a report who has not had this Monday's nudge gets it (one row
in reminder_log per kader and Monday), so a restart at 08:00 neither skips nor repeats
it; downtime is caught up later the same day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import insert_ignore
from models.outbox.tables import PRIORITY_NOTICE, enqueue_many, outbox_row
from models.questions.ops import escalate_questions
from models.reminders.chats import member_chats
from models.reminders.nudge import KIND, SOURCE, kader_without_reports
from models.reminders.tables import ReminderLog
from scheduler.sweeps import Sweep, when_text_for

log = logging.getLogger(__name__)

NUDGE_KIND = "kader_nudge"
MONDAY = 0
# A kader is nudged when she has no report created or submitted within this span.
REPORT_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class QuestionPlan:
    tz: ZoneInfo
    # A question no kader answered within this long goes to the admins.
    escalate_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class NudgePlan:
    tz: ZoneInfo
    at: time = time(8, 0)
    weekday: int = MONDAY


async def sweep_questions(session: AsyncSession, now: datetime, plan: QuestionPlan) -> int:
    handed = await escalate_questions(session, now, plan.escalate_after, when_text_for(plan.tz))
    if handed:
        log.info("questions handed to the admins: %d", handed)
    return handed


async def sweep_nudge(session: AsyncSession, now: datetime, plan: NudgePlan) -> int:
    """This week's nudge to every kader without a recent report who has not had it."""
    local = now.astimezone(plan.tz)
    if local.weekday() != plan.weekday:
        return 0
    day = local.date()
    if now < datetime.combine(day, plan.at, tzinfo=plan.tz):
        return 0
    due_for = datetime.combine(day, time(0, 0), tzinfo=plan.tz).astimezone(UTC)
    kader = await kader_without_reports(session, now - REPORT_SPAN)
    if not kader:
        return 0
    had = set(
        await session.scalars(
            select(ReminderLog.member_id).where(
                ReminderLog.source == SOURCE,
                ReminderLog.kind == KIND,
                ReminderLog.due_for == due_for,
                ReminderLog.member_id.in_(kader),
            )
        )
    )
    todo = [m for m in kader if m not in had]
    if not todo:
        return 0
    chats = await member_chats(session, todo)
    logs: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for member_id in todo:
        chat = chats.get(member_id)
        logs.append(
            {
                "source": SOURCE,
                "ref_id": 0,
                "member_id": member_id,
                "kind": KIND,
                "due_for": due_for,
                "outcome": "written" if chat is not None else "no_chat",
                "created_at": now,
            }
        )
        if chat is None:
            continue
        params: dict[str, Any] = {"name": chat.name, "lang": chat.language}
        if chat.shared:
            params["for_name"] = chat.name
        rows.append(
            outbox_row(
                identity_id=chat.identity_id,
                member_id=member_id,
                channel=chat.channel,
                kind=NUDGE_KIND,
                params=params,
                idempotency_key=f"nudge:kader:m{member_id}:{day.isoformat()}",
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
        log.info("weekly kader nudge written to %d kader", written)
    return written


def kader_sweeps(
    questions: QuestionPlan | None, nudge: NudgePlan | None
) -> list[tuple[str, Sweep]]:
    """The sweeps to hand to `Sweeper(extra=...)`; None leaves one out."""
    sweeps: list[tuple[str, Sweep]] = []
    if questions is not None:
        q = questions
        sweeps.append(("question escalation", lambda s, now: sweep_questions(s, now, q)))
    if nudge is not None:
        n = nudge
        sweeps.append(("kader nudge", lambda s, now: sweep_nudge(s, now, n)))
    return sweeps
