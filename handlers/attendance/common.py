"""What the attendance screens share: the check-in window from the configuration, who
may take attendance for a kegiatan (an admin for every kegiatan, a kader for those of
her kampung, checked on every action, a forged button id included), and short texts."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from handlers.core.context import Ctx
from handlers.core.i18n import format_time_local
from handlers.core.labels import shorten
from handlers.core.menu import show_menu
from handlers.core.types import Choice, action
from handlers.parse.ids import arg_id
from models.attendance.rules import CheckinWindow
from models.kegiatan.signups import is_for_kampung
from models.kegiatan.tables import Kegiatan
from models.people.tables import Member

ADMIN_ROLE = "admin"
LABEL_LIMIT = 44


def window(ctx: Ctx) -> CheckinWindow:
    return CheckinWindow(ctx.config.checkin_before)


def staff(ctx: Ctx) -> Member | None:
    """The kader or admin this chat acts as; None for anyone else."""
    if ctx.member is None or ctx.member.erased or ctx.role not in ("kader", ADMIN_ROLE):
        return None
    return ctx.member


def scope_of(viewer: Member) -> int | None:
    """The kampung whose people she sees on a list: her own; None for an admin (all)."""
    return None if viewer.role == ADMIN_ROLE else (viewer.kampung_id or -1)


async def takes_attendance(ctx: Ctx, viewer: Member, k: Kegiatan) -> bool:
    """An admin for every kegiatan; a kader for those of her kampung (or of all kampung)."""
    if viewer.role == ADMIN_ROLE:
        return True
    return viewer.kampung_id is not None and await is_for_kampung(
        ctx.session, k.id, viewer.kampung_id
    )


async def staff_kegiatan(ctx: Ctx, args: list[str]) -> tuple[Member, Kegiatan] | None:
    """The kader or admin and the kegiatan a button names, if she takes its attendance;
    otherwise say why and show the menu."""
    viewer = staff(ctx)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return None
    k = await ctx.session.get(Kegiatan, arg_id(args))
    if k is None or k.status == "draft":
        await show_menu(ctx, intro=ctx.t("kegiatan.not_found"))
        return None
    if not await takes_attendance(ctx, viewer, k):
        await show_menu(ctx, intro=ctx.t("attendance.other_kampung"))
        return None
    return viewer, k


async def quiet_scope(ctx: Ctx, kegiatan_id: int) -> tuple[Member, Kegiatan] | None:
    """Like `staff_kegiatan`, without a word: for building a step's options (the answer
    is checked again, and then says why)."""
    viewer = staff(ctx)
    k = await ctx.session.get(Kegiatan, kegiatan_id) if kegiatan_id else None
    if viewer is None or k is None or not await takes_attendance(ctx, viewer, k):
        return None
    return viewer, k


def clock(ctx: Ctx, moment: datetime) -> str:
    """ "10.05 WIB"."""
    return format_time_local(moment, ctx.lang, ctx.tz)


def kegiatan_label(ctx: Ctx, k: Kegiatan) -> str:
    """ "Kam 3 Des 10.00 · Penyuluhan gizi balita", short enough for a button."""
    local = k.starts_at.astimezone(ctx.tz)
    when = format_datetime(local, ctx.t("kegiatan.fmt_line"), tzinfo=ctx.tz, locale=ctx.lang)
    return shorten(f"{when} · {k.judul}", LABEL_LIMIT)


def to_menu(ctx: Ctx) -> Choice:
    return Choice(action("core.menu"), ctx.t("kegiatan.to_menu"))
