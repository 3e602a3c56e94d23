"""Changing reports: drafts kept as she goes, sending to review, approving and returning.

Every change is one conditional UPDATE on the row's status (and, for her own steps, on the
reporter), so a double tap, or two admins deciding at once, changes a report only once;
the loser gets None and says so. Written in the caller's transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.base import changed
from models.reports.rules import ReportInvalid, ReportValues, check_note, report_problems
from models.reports.tables import Report, ReportPhoto

# A report she may still change: being written, or returned to her for a fix.
EDITABLE = ("draft", "needs_fix")


async def new_draft(
    session: AsyncSession, *, reporter_id: int, kampung_id: int | None, now: datetime
) -> Report:
    """A draft to fill in; an untouched draft of hers (nothing answered) is reused."""
    empty = await session.scalar(
        select(Report)
        .where(
            Report.kader_member_id == reporter_id,
            Report.status == "draft",
            Report.jenis.is_(None),
            Report.draft.is_(None),
        )
        .order_by(Report.id.desc())
        .limit(1)
    )
    if empty is not None:
        empty.kampung_id = kampung_id
        empty.created_at = empty.updated_at = now
        return empty
    report = Report(
        kader_member_id=reporter_id,
        kampung_id=kampung_id,
        status="draft",
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    await session.flush()
    return report


async def open_draft(session: AsyncSession, reporter_id: int) -> Report | None:
    """Her newest draft with something in it: offered again when she taps Lapor."""
    return await session.scalar(
        select(Report)
        .where(
            Report.kader_member_id == reporter_id,
            Report.status == "draft",
            Report.draft.is_not(None),
        )
        .order_by(Report.updated_at.desc(), Report.id.desc())
        .limit(1)
    )


async def save_draft(
    session: AsyncSession, report_id: int, reporter_id: int, draft: dict[str, Any], now: datetime
) -> bool:
    """Keep the wizard's form with the report (while a draft, or while being fixed)."""
    result = await session.execute(
        update(Report)
        .where(
            Report.id == report_id,
            Report.kader_member_id == reporter_id,
            Report.status.in_(EDITABLE),
        )
        .values(draft=draft, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(changed(result))


async def drop_draft(session: AsyncSession, report_id: int, reporter_id: int) -> bool:
    """Delete one of her drafts (never a report already sent)."""
    result = await session.execute(
        delete(Report)
        .where(
            Report.id == report_id,
            Report.kader_member_id == reporter_id,
            Report.status == "draft",
        )
        .execution_options(synchronize_session=False)
    )
    return bool(changed(result))


async def photo_paths(session: AsyncSession, report_id: int) -> list[str]:
    rows = await session.scalars(
        select(ReportPhoto.path)
        .where(ReportPhoto.report_id == report_id)
        .order_by(ReportPhoto.position)
    )
    return list(rows)


async def submit(
    session: AsyncSession,
    report_id: int,
    reporter_id: int,
    values: ReportValues,
    *,
    today: date,
    now: datetime,
) -> Report | None:
    """Send her draft (or her fixed report) to review: the typed columns and the photos
    are written, the draft is cleared. Raises ReportInvalid; None when the report is not
    hers or no longer hers to change (sent already, approved, deleted)."""
    problems = report_problems(values, today)
    if problems:
        raise ReportInvalid(problems)
    result = await session.execute(
        update(Report)
        .where(
            Report.id == report_id,
            Report.kader_member_id == reporter_id,
            Report.status.in_(EDITABLE),
        )
        .values(
            status="submitted",
            kampung_id=values.kampung_id,
            jenis=values.jenis,
            kegiatan_id=values.kegiatan_id,
            title=values.title.strip(),
            held_on=values.held_on,
            opd=values.opd.strip(),
            women=values.women,
            men=values.men,
            ringkasan=values.ringkasan.strip(),
            kendala=(values.kendala or "").strip() or None,
            tindak_lanjut=(values.tindak_lanjut or "").strip() or None,
            # SQL NULL, not a JSON null: "has a draft" is `draft IS NOT NULL`.
            draft=null(),
            submitted_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not changed(result):
        return None
    await session.execute(delete(ReportPhoto).where(ReportPhoto.report_id == report_id))
    for position, path in enumerate(values.photos, start=1):
        session.add(ReportPhoto(report_id=report_id, position=position, path=path, created_at=now))
    await audit(
        session,
        actor=f"member:{reporter_id}",
        actor_member_id=reporter_id,
        action="report.submit",
        object_type="report",
        object_id=report_id,
        detail={"photos": len(values.photos)},
    )
    return await _fresh(session, report_id)


async def approve(
    session: AsyncSession, report_id: int, reviewer_id: int, now: datetime
) -> Report | None:
    """Approve a report waiting for review; None when it is not waiting (any more)."""
    return await _decide(session, report_id, reviewer_id, now, "approved", None)


async def return_for_fix(
    session: AsyncSession, report_id: int, reviewer_id: int, note: str, now: datetime
) -> Report | None:
    """Send a waiting report back to its kader with a note; None when it is not waiting."""
    checked = check_note(note)
    if checked is None:
        raise ReportInvalid(["bad_note"])
    return await _decide(session, report_id, reviewer_id, now, "needs_fix", checked)


async def _decide(
    session: AsyncSession,
    report_id: int,
    reviewer_id: int,
    now: datetime,
    status: str,
    note: str | None,
) -> Report | None:
    values: dict[str, Any] = {
        "status": status,
        "reviewed_by_member_id": reviewer_id,
        "reviewed_at": now,
        "updated_at": now,
    }
    if note is not None:
        values["review_note"] = note
    result = await session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status == "submitted")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not changed(result):
        return None
    await audit(
        session,
        actor=f"member:{reviewer_id}",
        actor_member_id=reviewer_id,
        action="report.approve" if status == "approved" else "report.return",
        object_type="report",
        object_id=report_id,
    )
    return await _fresh(session, report_id)


async def _fresh(session: AsyncSession, report_id: int) -> Report | None:
    return await session.get(Report, report_id, populate_existing=True)
