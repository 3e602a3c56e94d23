"""Opening the report wizard: "Lapor" (a new report, or the draft she left, offered
first), "Lanjutkan" on a draft, "Buat laporan baru", deleting a draft, and "Perbaiki" on
a report an admin returned (its summary, with every value as sent).

Each action names its report; it is checked to be hers (and in a state she may change),
so a forged id gets a plain refusal and whatever she was doing is asked again.
"""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.menu import end_flow
from handlers.core.types import Choice, action
from handlers.kegiatan.mothers import to_menu
from handlers.reports.form import ReportForm, form_of_draft, form_of_report
from handlers.reports.show import is_admin, is_own, load, refusal, refuse, what
from handlers.reports.wizard import FIELDS, REPORT
from models.location import Location
from models.reports import drop_draft, new_draft, open_draft


async def new(ctx: Ctx, _args: list[str]) -> None:
    """ "Lapor": the draft she left is offered first; otherwise a new report."""
    assert ctx.member is not None  # STAFF only
    draft = await open_draft(ctx.session, ctx.member.id)
    if draft is None:
        await _fresh(ctx)
        return
    ctx.finish()
    text = ctx.t("lapor.resume_offer", what=what(ctx, draft), when=ctx.when(draft.updated_at))
    ctx.show(
        text,
        [
            Choice(action("lp.resume", draft.id), ctx.t("lapor.btn_resume")),
            Choice(action("lp.fresh"), ctx.t("lapor.btn_fresh")),
            to_menu(ctx),
        ],
    )


async def fresh(ctx: Ctx, _args: list[str]) -> None:
    """ "Buat laporan baru": the left draft stays under "Laporan saya"."""
    await _fresh(ctx)


async def _fresh(ctx: Ctx) -> None:
    member = ctx.member
    assert member is not None
    admin = is_admin(ctx)
    if not admin and member.kampung_id is None:
        await end_flow(ctx, ctx.t("lapor.no_kampung"))
        return
    kampung_id = None if admin else member.kampung_id
    report = await new_draft(ctx.session, reporter_id=member.id, kampung_id=kampung_id, now=ctx.now)
    kampung = None if admin else await ctx.session.get(Location, kampung_id)
    place = kampung.name if kampung is not None else None
    form = ReportForm(
        report_id=report.id, choose_kampung=admin, kampung_id=kampung_id, kampung_name=place
    )
    ctx.say(ctx.t("lapor.intro"))
    await REPORT.start(ctx, form)


async def resume(ctx: Ctx, args: list[str]) -> None:
    """ "Lanjutkan": her draft, at the step she left it, with everything she gave."""
    report = await load(ctx, args)
    if report is None or not is_own(ctx, report):
        await refuse(ctx, "lapor.not_found" if report is None else "lapor.not_yours")
        return
    if report.status != "draft":
        await refuse(ctx, "lapor.not_draft")
        return
    kept = form_of_draft(report)
    if kept is None:
        await _fresh(ctx)
        return
    form, step, answered, review = kept
    at = step if step and REPORT.has_step(step) and REPORT.step(step).applies(form) else None
    ctx.say(ctx.t("lapor.resumed"))
    await REPORT.start(ctx, form, at=at, review=review, answered=answered)


async def drop(ctx: Ctx, args: list[str]) -> None:
    """Delete one of her drafts (a sent report cannot be deleted)."""
    assert ctx.member is not None
    report = await load(ctx, args)
    if report is None or not is_own(ctx, report):
        await refuse(ctx, "lapor.not_found" if report is None else "lapor.not_yours")
        return
    gone = await drop_draft(ctx.session, report.id, ctx.member.id)
    await end_flow(ctx, ctx.t("lapor.dropped" if gone else "lapor.not_draft"))


async def fix(ctx: Ctx, args: list[str]) -> None:
    """ "Perbaiki": the summary of her returned report; "Kirim" sends it back to review."""
    report = await load(ctx, args)
    if report is None or not is_own(ctx, report):
        await refuse(ctx, refusal(ctx, report) or "lapor.not_yours")
        return
    if report.status != "needs_fix":
        await refuse(ctx, f"lapor.fix_{report.status}")
        return
    kept = form_of_draft(report) if report.draft else None
    if kept is not None:  # a fix she began and left: where she was
        form, step, answered, review = kept
        form.review_note = report.review_note
    else:
        form = await form_of_report(ctx.session, report, admin=is_admin(ctx))
        step, answered, review = "summary", list(FIELDS), True
    at = step if step and REPORT.has_step(step) and REPORT.step(step).applies(form) else "summary"
    await REPORT.start(ctx, form, at=at, review=review, answered=answered)
