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

from sqlalchemy.ext.asyncio import AsyncSession

from models.questions.ops import escalate_questions
from models.reminders.chats import MemberChat
from models.reminders.daily import Daily, not_yet_had, write_daily
from models.reminders.nudge import KIND, SOURCE, kader_without_reports
from scheduler.sweeps import Sweep, when_text_for

log = logging.getLogger(__name__)

NUDGE_KIND = "kader_nudge"
MONDAY = 0
# A kader is nudged when she sent no report within this span.
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
    daily = Daily(SOURCE, KIND, due_for, NUDGE_KIND, "nudge:kader", day.isoformat())
    todo = await not_yet_had(
        session, daily, await kader_without_reports(session, now - REPORT_SPAN)
    )
    if not todo:
        return 0

    def params(chat: MemberChat) -> dict[str, Any]:
        return {"name": chat.name, **({"for_name": chat.name} if chat.shared else {})}

    written = await write_daily(session, daily, todo, params, now)
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
