"""Laporan kegiatan for export: the reports sent in a scope (drafts are the kader's own
until she sends them, so never exported), with their photos' file names.

A photo's file name says the day and the kegiatan ("2026-11-03_penyuluhan-gizi_lap12-1.jpg"):
the same name in the laporan sheet and in the ZIP of photos, so one finds the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.exports.activities import ERASED_NAME, place_names
from models.exports.scope import Scope, slug
from models.kegiatan.tables import JENIS
from models.people.tables import Member
from models.reports.tables import Report, ReportPhoto
from models.sheets import Table, Value

REPORT_STATUS: Final = {
    "submitted": "menunggu diperiksa",
    "approved": "disetujui",
    "needs_fix": "perlu perbaikan",
}
SENT: Final = tuple(REPORT_STATUS)
LAPORAN_HEADER: Final = (
    "id", "tanggal", "jenis", "kegiatan", "id kegiatan", "OPD", "kampung", "kader",
    "peserta perempuan", "peserta laki-laki", "jumlah peserta", "ringkasan", "kendala",
    "tindak lanjut", "status", "dikirim", "diperiksa", "catatan pemeriksa", "foto",
)  # fmt: skip


@dataclass(frozen=True)
class PhotoFile:
    """A report's photo: where it is kept (under MEDIA_DIR) and its name in exports."""

    report_id: int
    stored: str
    name: str


def title_of(report: Report) -> str:
    return report.title or JENIS.get(report.jenis or "", "") or "laporan"


def photo_name(report: Report, position: int, stored: str) -> str:
    day = report.held_on.isoformat() if report.held_on else "tanpa-tanggal"
    suffix = Path(stored).suffix.lower() or ".jpg"
    return f"{day}_{slug(title_of(report))}_lap{report.id}-{position}{suffix}"


async def reports_of(session: AsyncSession, scope: Scope) -> list[Report]:
    where = [Report.status.in_(SENT), *scope.days(Report.held_on)]
    if scope.kampung_id is not None:
        where.append(Report.kampung_id == scope.kampung_id)
    found = await session.scalars(select(Report).where(*where).order_by(Report.held_on, Report.id))
    return list(found)


async def photos_of(session: AsyncSession, found: Sequence[Report]) -> list[PhotoFile]:
    by_id = {r.id: r for r in found}
    out: list[PhotoFile] = []
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        rows = await session.scalars(
            select(ReportPhoto)
            .where(ReportPhoto.report_id.in_(ids[start : start + 500]))
            .order_by(ReportPhoto.report_id, ReportPhoto.position)
        )
        for p in rows:
            report = by_id[p.report_id]
            out.append(PhotoFile(p.report_id, p.path, photo_name(report, p.position, p.path)))
    return out


async def kader_names(session: AsyncSession, found: Sequence[Report]) -> dict[int, str]:
    ids = sorted({r.kader_member_id for r in found if r.kader_member_id is not None})
    names: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(Member.id, Member.full_name, Member.erased_at).where(
                Member.id.in_(ids[start : start + 500])
            )
        )
        for member_id, name, erased_at in rows:
            names[int(member_id)] = ERASED_NAME if erased_at is not None else (name or "-")
    return names


@dataclass(frozen=True)
class LaporanSheet:
    table: Table
    photos: list[PhotoFile]
    reports: list[Report]


async def laporan_sheet(session: AsyncSession, scope: Scope) -> LaporanSheet:
    found = await reports_of(session, scope)
    photos = await photos_of(session, found)
    places = await place_names(session)
    kader = await kader_names(session, found)
    names: dict[int, list[str]] = {}
    for p in photos:
        names.setdefault(p.report_id, []).append(p.name)
    rows: list[list[Value]] = []
    for r in found:
        total = None if r.women is None and r.men is None else (r.women or 0) + (r.men or 0)
        rows.append([
            r.id, r.held_on, JENIS.get(r.jenis or "", r.jenis or "-"), r.title, r.kegiatan_id,
            r.opd, places.get(r.kampung_id or 0, "-"), kader.get(r.kader_member_id or 0, "-"),
            r.women, r.men, total, r.ringkasan, r.kendala, r.tindak_lanjut,
            REPORT_STATUS.get(r.status, r.status), r.submitted_at, r.reviewed_at,
            r.review_note, ", ".join(names.get(r.id, [])),
        ])  # fmt: skip
    return LaporanSheet(Table("Laporan", LAPORAN_HEADER, rows), photos, found)
