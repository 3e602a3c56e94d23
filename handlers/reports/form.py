"""What a kader has given so far for one laporan kegiatan: the wizard's typed form, how it
is kept with the report as a draft, and how a sent report becomes a form again (to fix it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from models.location import Location
from models.reports import Report, ReportValues, photo_paths

# The "Lainnya" choice on the kegiatan and OPD menus: then the name is typed.
OTHER = "other"


class ReportForm(BaseModel):
    report_id: int = 0
    # Admins report for any kampung and choose it first; a kader's is her own.
    choose_kampung: bool = False
    kampung_id: int | None = None
    kampung_name: str | None = None
    jenis: str | None = None
    # Kegiatan of that jenis took place lately in the kampung: the kegiatan menu is shown.
    has_recent: bool = False
    # "k<id>" or OTHER.
    kegiatan: str | None = None
    kegiatan_id: int | None = None
    kegiatan_opd: str | None = None
    kegiatan_day: date | None = None
    title: str | None = None
    held_on: date | None = None
    # More than LONG_AGO_DAYS back: asked once more.
    long_ago: bool = False
    opd: str | None = None
    women: int | None = None
    men: int | None = None
    ringkasan: str | None = None
    photos: list[str] = []
    kendala: str | None = None
    tindak_lanjut: str | None = None
    # The admin's note when the report came back for a fix (shown above the summary).
    review_note: str | None = None

    def values(self) -> ReportValues | None:
        """The report as `models.reports` checks it, or None while something is missing."""
        needed = (
            self.kampung_id,
            self.jenis,
            self.title,
            self.held_on,
            self.opd,
            self.women,
            self.men,
            self.ringkasan,
        )
        if any(v is None for v in needed) or self.opd == OTHER:
            return None
        assert self.kampung_id is not None and self.jenis and self.title and self.held_on
        assert self.opd and self.women is not None and self.men is not None and self.ringkasan
        return ReportValues(
            kampung_id=self.kampung_id,
            jenis=self.jenis,
            title=self.title,
            held_on=self.held_on,
            opd=self.opd,
            women=self.women,
            men=self.men,
            ringkasan=self.ringkasan,
            kegiatan_id=self.kegiatan_id,
            kendala=self.kendala,
            tindak_lanjut=self.tindak_lanjut,
            photos=tuple(self.photos),
        )


def draft_of(form: ReportForm, step: str | None, data: dict[str, Any]) -> dict[str, Any]:
    """What is kept in `Report.draft`: the form and where she was."""
    return {
        "form": form.model_dump(mode="json"),
        "step": step,
        "answered": list(data.get("answered", [])),
        "review": bool(data.get("review", False)),
    }


def form_of_draft(report: Report) -> tuple[ReportForm, str | None, list[str], bool] | None:
    """The form and position kept with a draft; None when it cannot be read any more."""
    draft = report.draft or {}
    try:
        form = ReportForm.model_validate(draft.get("form") or {})
    except ValidationError:
        return None
    form.report_id = report.id
    answered = [str(a) for a in draft.get("answered") or []]
    step = draft.get("step")
    return form, (str(step) if step else None), answered, bool(draft.get("review"))


async def form_of_report(session: AsyncSession, report: Report, *, admin: bool) -> ReportForm:
    """A sent report as the wizard's form (to fix it): every field as it was sent."""
    place = await session.get(Location, report.kampung_id) if report.kampung_id else None
    return ReportForm(
        report_id=report.id,
        choose_kampung=admin,
        kampung_id=report.kampung_id,
        kampung_name=place.name if place else None,
        jenis=report.jenis,
        has_recent=report.kegiatan_id is not None,
        kegiatan=f"k{report.kegiatan_id}" if report.kegiatan_id else OTHER,
        kegiatan_id=report.kegiatan_id,
        title=report.title,
        held_on=report.held_on,
        opd=report.opd,
        women=report.women,
        men=report.men,
        ringkasan=report.ringkasan,
        photos=await photo_paths(session, report.id),
        kendala=report.kendala,
        tindak_lanjut=report.tindak_lanjut,
        review_note=report.review_note,
    )
