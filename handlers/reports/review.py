"""Admins review reports: what waits per kampung, a kampung's waiting reports (newest
first), approving one, or returning it with a note ("Foto kurang jelas") that reaches the
kader through the outbox with a button to fix it.

Approve and return are admin-only, checked by the router on the button and by the return
wizard on every answer; the report's status is checked by the database (a conditional
UPDATE), so two admins deciding at once decide once.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.feature import ADMIN
from handlers.core.i18n import format_date_local
from handlers.core.menu import end_flow
from handlers.core.steps import Pick, Problem, day_text
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id
from handlers.reports.show import line, load, refuse, show
from models.location import Location
from models.reports import (
    MAX_NOTE,
    Report,
    approve,
    return_for_fix,
    waiting_by_kampung,
    waiting_in,
)
from models.reports.notices import DayText, notify_approved, notify_returned


def _day_text(ctx: Ctx) -> DayText:
    """For notices in the kader's language: "Selasa, 12 Agustus 2026"."""

    def render(day: date, lang: str) -> str:
        noon = datetime.combine(day, time(12, 0), tzinfo=ctx.tz)
        return format_date_local(noon, lang, ctx.tz)

    return render


async def inbox(ctx: Ctx, _args: list[str]) -> None:
    """ "Periksa laporan": how many reports wait in each kampung."""
    ctx.finish()
    waiting = await waiting_by_kampung(ctx.session)
    choices = [
        Choice(action("lp.list", kampung_id), ctx.t("lapor.kampung_waiting", name=name, count=n))
        for kampung_id, name, n in waiting
    ]
    choices.append(to_menu(ctx))
    total = sum(n for _, _, n in waiting)
    ctx.show(ctx.t("lapor.inbox_title" if waiting else "lapor.inbox_empty", count=total), choices)


async def list_waiting(ctx: Ctx, args: list[str]) -> None:
    """One kampung's reports waiting for review, newest first."""
    ctx.finish()
    place = await ctx.session.get(Location, arg_id(args))
    if place is None:
        await refuse(ctx, "lapor.not_found")
        return
    found = await waiting_in(ctx.session, place.id)
    choices = [Choice(action("lp.show", r.id), line(ctx, r)) for r in found]
    choices += [Choice(action("lp.inbox"), ctx.t("lapor.btn_inbox")), to_menu(ctx)]
    key = "lapor.list_title" if found else "lapor.list_empty"
    ctx.show(ctx.t(key, name=place.name, count=len(found)), choices)


def _after_decision(ctx: Ctx, report: Report) -> list[Choice]:
    choices = []
    if report.kampung_id is not None:
        choices.append(Choice(action("lp.list", report.kampung_id), ctx.t("lapor.btn_waiting")))
    return [*choices, Choice(action("lp.inbox"), ctx.t("lapor.btn_inbox")), to_menu(ctx)]


async def approve_report(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    report = await load(ctx, args)
    if report is None:
        await refuse(ctx, "lapor.not_found")
        return
    done = await approve(ctx.session, report.id, ctx.member.id, ctx.now)
    if done is None:
        await refuse(ctx, "lapor.not_waiting")
        return
    await notify_approved(ctx.session, done, ctx.now, _day_text(ctx))
    ctx.finish()
    ctx.show(
        ctx.t("lapor.approved", id=done.id, title=done.title or "-"), _after_decision(ctx, done)
    )


# --- returning with a note ---------------------------------------------------------------------


class ReturnForm(BaseModel):
    report_id: int = 0
    title: str = "-"
    note: str | None = None


QUICK_NOTES = ("photo", "count", "ringkasan", "day")


async def note_options(ctx: Ctx, _form: ReturnForm) -> list[tuple[str, str]]:
    return [(n, ctx.t(f"lapor.note.{n}")) for n in QUICK_NOTES]


async def note_of(ctx: Ctx, value: str) -> Any:
    return ctx.t(f"lapor.note.{value}")


async def typed_note(_ctx: Ctx, text: str, _form: ReturnForm) -> Any:
    note = text.strip()
    if len(note) < 3:
        return Problem("lapor.note_short")
    if len(note) > MAX_NOTE:
        return Problem("kit.too_long", {"limit": MAX_NOTE, "length": len(note)})
    return note


async def _return(ctx: Ctx, form: ReturnForm) -> str | None:
    assert ctx.member is not None and form.note
    done = await return_for_fix(ctx.session, form.report_id, ctx.member.id, form.note, ctx.now)
    if done is None:
        await end_flow(ctx, ctx.t("lapor.not_waiting"))
        return None
    await notify_returned(ctx.session, done, ctx.now, _day_text(ctx))
    ctx.finish()
    text = ctx.t("lapor.returned", id=done.id, title=done.title or "-", note=form.note)
    ctx.show(text, _after_decision(ctx, done))
    return None


async def _report_page(ctx: Ctx, form: ReturnForm) -> None:
    """The report's page, where "Kembalikan" was chosen: "batal" goes back there to
    approve it or look again (it still waits for review)."""
    await show(ctx, [str(form.report_id)])


RETURN: Wizard[ReturnForm] = Wizard(
    "lp.return",
    ReturnForm,
    (
        Pick(
            name="note",
            ask="lapor.ask_note",
            values=lambda _ctx, f: {"id": f.report_id, "title": f.title},
            choices=note_options,
            convert=note_of,
            typed=typed_note,
        ),
    ),
    roles=ADMIN,
    done=_return,
    cancelled="lapor.return_cancelled",
    back=_report_page,
)


async def ask_return(ctx: Ctx, args: list[str]) -> None:
    """ "Kembalikan": ask for the note (a quick one by tap, or typed)."""
    report = await load(ctx, args)
    if report is None:
        await refuse(ctx, "lapor.not_found")
        return
    if report.status != "submitted":
        await refuse(ctx, "lapor.not_waiting")
        return
    title = report.title or "-"
    if report.held_on:
        title = f"{title}, {day_text(ctx, report.held_on)}"
    await RETURN.start(ctx, ReturnForm(report_id=report.id, title=title))
