"""Seeing reports: one report in full (every field, its photos as photo replies, the
buttons that fit who is looking), "Laporan saya", and who may see or change which report.

Scope: an admin sees every report; a kader sees her own reports and the sent reports of
her own kampung, and changes only her own. Buttons carry the report id and every action
checks this again, so a forged id gets a plain refusal and her open form stays as it was.
"""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.labels import shorten
from handlers.core.menu import reprompt
from handlers.core.photos import media_path
from handlers.core.steps import day_text
from handlers.core.types import Choice, Reply, action
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id
from handlers.reports.steps import jenis_label
from models.location import Location
from models.reports import Report, photos_of, reports_of


def is_admin(ctx: Ctx) -> bool:
    return ctx.role == "admin"


def is_own(ctx: Ctx, report: Report) -> bool:
    return ctx.member is not None and report.kader_member_id == ctx.member.id


def refusal(ctx: Ctx, report: Report | None) -> str | None:
    """Why she may not see this report (a catalog key), or None when she may."""
    if report is None:
        return "lapor.not_found"
    if is_admin(ctx) or is_own(ctx, report):
        return None
    member = ctx.member
    if member is None or report.kampung_id != member.kampung_id:
        return "lapor.other_kampung"
    return "lapor.not_yours" if report.status == "draft" else None


async def load(ctx: Ctx, args: list[str]) -> Report | None:
    return await ctx.session.get(Report, arg_id(args))


async def refuse(ctx: Ctx, key: str) -> None:
    """Say no, then show again what she was doing (her open report loses nothing)."""
    ctx.say(ctx.t(key))
    await reprompt(ctx)


def status_label(ctx: Ctx, status: str) -> str:
    return ctx.t(f"lapor.status.{status}")


def what(ctx: Ctx, report: Report) -> str:
    """Its title, else its jenis (a draft keeps both in its form until it is sent)."""
    form = (report.draft or {}).get("form") or {}
    title = report.title or form.get("title")
    jenis = report.jenis or form.get("jenis")
    if title:
        return str(title)
    return jenis_label(ctx, str(jenis)) if jenis else ctx.t("lapor.untitled")


def line(ctx: Ctx, report: Report) -> str:
    """ "#12 Penyuluhan gizi · Perlu perbaikan" for lists and buttons."""
    return ctx.t(
        "lapor.line",
        id=report.id,
        title=shorten(what(ctx, report), 36),
        status=status_label(ctx, report.status),
    )


async def detail_text(ctx: Ctx, report: Report) -> str:
    if report.status == "draft":
        return ctx.t(
            "lapor.draft_detail",
            id=report.id,
            what=what(ctx, report),
            when=ctx.when(report.updated_at),
        )
    place = await ctx.session.get(Location, report.kampung_id) if report.kampung_id else None
    text = ctx.t(
        "lapor.detail",
        id=report.id,
        status=status_label(ctx, report.status),
        kampung=place.name if place else "-",
        jenis=jenis_label(ctx, report.jenis),
        title=report.title or "-",
        day=day_text(ctx, report.held_on) if report.held_on else "-",
        opd=report.opd or "-",
        women="-" if report.women is None else report.women,
        men="-" if report.men is None else report.men,
        ringkasan=report.ringkasan or "-",
        kendala=report.kendala or "-",
        tindak_lanjut=report.tindak_lanjut or "-",
        sent=ctx.when(report.submitted_at) if report.submitted_at else "-",
    )
    if report.review_note and report.status in ("needs_fix", "submitted"):
        text += "\n" + ctx.t("lapor.detail_note", note=report.review_note)
    return text


async def show(ctx: Ctx, args: list[str]) -> None:
    """One report in full, its photos after it, and what the viewer may do with it."""
    report = await load(ctx, args)
    key = refusal(ctx, report)
    if key is not None or report is None:
        await refuse(ctx, key or "lapor.not_found")
        return
    ctx.finish()
    ctx.say(await detail_text(ctx, report))
    photos = await photos_of(ctx.session, report.id)
    for i, photo in enumerate(photos, start=1):
        path = media_path(ctx.media_dir, photo.path)
        if path.is_file():
            caption = ctx.t("lapor.photo_caption", n=i, count=len(photos), id=report.id)
            ctx.replies.append(Reply(text=caption, photo=path))
        else:
            ctx.say(ctx.t("lapor.photo_missing", n=i))
    ctx.show(ctx.t("lapor.detail_next"), buttons(ctx, report))


def buttons(ctx: Ctx, report: Report) -> list[Choice]:
    out: list[Choice] = []
    if is_admin(ctx) and report.status == "submitted":
        out.append(Choice(action("lp.approve", report.id), ctx.t("lapor.btn_approve")))
        out.append(Choice(action("lp.return", report.id), ctx.t("lapor.btn_return")))
    if is_own(ctx, report) and report.status == "needs_fix":
        out.append(Choice(action("lp.fix", report.id), ctx.t("lapor.btn_fix")))
    if is_own(ctx, report) and report.status == "draft":
        out.append(Choice(action("lp.resume", report.id), ctx.t("lapor.btn_resume")))
        out.append(Choice(action("lp.drop", report.id), ctx.t("lapor.btn_drop")))
    if is_admin(ctx) and report.kampung_id is not None:
        out.append(Choice(action("lp.list", report.kampung_id), ctx.t("lapor.btn_waiting")))
    if is_own(ctx, report):
        out.append(Choice(action("lp.mine"), ctx.t("lapor.menu_mine")))
    out.append(to_menu(ctx))
    return out


async def mine(ctx: Ctx, _args: list[str]) -> None:
    """ "Laporan saya": her own reports, newest first, each with its status."""
    assert ctx.member is not None
    ctx.finish()
    found = await reports_of(ctx.session, ctx.member.id)
    choices = [Choice(action("lp.show", r.id), line(ctx, r)) for r in found]
    choices += [Choice(action("lp.new"), ctx.t("lapor.menu_report")), to_menu(ctx)]
    key = "lapor.mine_title" if found else "lapor.mine_empty"
    ctx.show(ctx.t(key, count=len(found)), choices)
