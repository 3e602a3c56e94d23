"""Reading reports for the chat: recent kegiatan to report on, the OPDs to offer, what waits
for review per kampung, a kader's own reports, a report's photos."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.kegiatan.queries import for_kampung
from models.kegiatan.tables import Kegiatan
from models.location import Location
from models.reports.rules import COMMON_OPDS, LONG_AGO_DAYS
from models.reports.tables import Report, ReportPhoto

# Kegiatan that took place (or are under way): what a kader reports on.
HELD = ("open", "closed", "done")


async def recent_kegiatan(
    session: AsyncSession,
    kampung_id: int | None,
    jenis: str,
    now: datetime,
    *,
    days: int = LONG_AGO_DAYS,
    limit: int = 5,
) -> list[Kegiatan]:
    """Kegiatan of this jenis for her kampung that started in the last `days`, newest
    first (an all-kampung kegiatan counts for every kampung)."""
    rows = await session.scalars(
        select(Kegiatan)
        .where(
            Kegiatan.jenis == jenis,
            Kegiatan.status.in_(HELD),
            Kegiatan.starts_at <= now,
            Kegiatan.starts_at >= now - timedelta(days=days),
            for_kampung(kampung_id),
        )
        .order_by(Kegiatan.starts_at.desc(), Kegiatan.id.desc())
        .limit(limit)
    )
    return list(rows)


async def opd_names(session: AsyncSession, first: str | None = None, limit: int = 7) -> list[str]:
    """OPDs to offer: `first` (the kegiatan's own), those named on kegiatan (most recent
    first), then the common ones; each once, whatever its case, and a short name not
    beside a longer one it begins."""
    named = await session.execute(
        select(Kegiatan.opd, func.max(Kegiatan.starts_at).label("last"))
        .group_by(Kegiatan.opd)
        .order_by(func.max(Kegiatan.starts_at).desc())
        .limit(limit)
    )
    out: list[str] = []
    seen: list[list[str]] = []
    for name in [first or "", *(row[0] for row in named), *COMMON_OPDS]:
        words = name.casefold().split()
        # "Puskesmas" is not offered beside "Puskesmas Kasemen": the full name says it.
        if words and not any(have[: len(words)] == words for have in seen):
            seen.append(words)
            out.append(" ".join(name.split()))
    return out[:limit]


async def waiting_by_kampung(session: AsyncSession) -> list[tuple[int, str, int]]:
    """(kampung id, name, reports waiting for review) for every kampung with any."""
    rows = await session.execute(
        select(Location.id, Location.name, func.count(Report.id))
        .join(Report, Report.kampung_id == Location.id)
        .where(Report.status == "submitted")
        .group_by(Location.id, Location.name)
        .order_by(Location.name)
    )
    return [(int(i), str(n), int(c)) for i, n, c in rows]


async def count_waiting(session: AsyncSession) -> int:
    """Reports waiting for an admin's review (for digests)."""
    found = await session.scalar(
        select(func.count()).select_from(Report).where(Report.status == "submitted")
    )
    return int(found or 0)


async def waiting_in(session: AsyncSession, kampung_id: int, limit: int = 10) -> list[Report]:
    """Reports of one kampung waiting for review, newest first."""
    rows = await session.scalars(
        select(Report)
        .where(Report.kampung_id == kampung_id, Report.status == "submitted")
        .order_by(Report.submitted_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(rows)


async def reports_of(session: AsyncSession, reporter_id: int, limit: int = 10) -> list[Report]:
    """Her own reports, newest first; a draft with nothing in it is not listed."""
    rows = await session.scalars(
        select(Report)
        .where(
            Report.kader_member_id == reporter_id,
            (Report.status != "draft") | Report.draft.is_not(None),
        )
        .order_by(Report.updated_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(rows)


async def photos_of(session: AsyncSession, report_id: int) -> list[ReportPhoto]:
    rows = await session.scalars(
        select(ReportPhoto).where(ReportPhoto.report_id == report_id).order_by(ReportPhoto.position)
    )
    return list(rows)
