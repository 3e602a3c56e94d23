"""The kader's weekly nudge: which kader have sent no report in the last days (a draft
is not a report: tapping "Lapor" alone starts one). The sweep (`scheduler/kader.py`)
writes one gentle message to each, once per week (`ReminderLog` source "kader_nudge",
keyed by the Monday it is for)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.people.tables import Member
from models.reports.tables import Report

SOURCE: Final = "kader_nudge"
KIND: Final = "weekly"


async def kader_without_reports(session: AsyncSession, since: datetime) -> list[int]:
    """Kader (not erased) with no report of theirs submitted since `since` (a report
    returned for a fix still counts: she did report)."""
    recent = select(Report.kader_member_id).where(
        Report.kader_member_id.is_not(None), Report.submitted_at >= since
    )
    found = await session.scalars(
        select(Member.id)
        .where(
            Member.role == "kader",
            Member.erased_at.is_(None),
            Member.id.not_in(recent),
        )
        .order_by(Member.id)
    )
    return list(found)
