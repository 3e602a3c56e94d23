"""The daftar hadir by hand: an admin, or a kader for her own kampung, opens a kegiatan's
list (seats, waiting list, walk-ins; a page at a time, with the counts), taps a name to
mark her present or absent, and rotates the check-in code. "Daftar hadir" on the menu
lists the kegiatan she takes attendance for (from a week back to a day ahead).

Every action names the kegiatan (and the person) in its button and checks on every use
that this kader or admin takes attendance for that kegiatan and may see that person: a
kader's forged or old id of another kampung is refused, as is any from a mother's chat.
"""

from __future__ import annotations

from handlers.attendance.common import (
    ADMIN_ROLE,
    clock,
    kegiatan_label,
    scope_of,
    staff,
    staff_kegiatan,
    to_menu,
    window,
)
from handlers.core.context import Ctx
from handlers.core.labels import shorten
from handlers.core.menu import show_menu
from handlers.core.types import Choice, action
from handlers.parse.ids import arg_id
from models.attendance.codes import code_of, rotate_code
from models.attendance.ops import toggle_line, toggle_member
from models.attendance.queries import Line, daftar_hadir, for_attendance, tally_of
from models.attendance.tables import Attendance
from models.kegiatan.tables import Kegiatan
from models.people.binaan import in_scope
from models.people.tables import Member

PAGE = 8
NAME_LIMIT = 24
SHOWS_CODE = ("open", "closed")


async def today(ctx: Ctx, _args: list[str]) -> None:
    """ "Daftar hadir" on the menu: the kegiatan she takes attendance for."""
    viewer = staff(ctx)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    found = await for_attendance(ctx.session, scope_of(viewer), ctx.now)
    ctx.finish()
    if not found:
        await show_menu(ctx, intro=ctx.t("attendance.none_recent"))
        return
    choices = [Choice(action("hd.list", k.id, 0), kegiatan_label(ctx, k)) for k in found]
    ctx.show(ctx.t("attendance.pick_kegiatan"), [*choices, to_menu(ctx)])


async def open_list(ctx: Ctx, args: list[str]) -> None:
    """ "a:hd.list:42:0": the list of one kegiatan, from this offset."""
    found = await staff_kegiatan(ctx, args)
    if found is not None:
        await show_list(ctx, *found, arg_id(args, 1))


async def show_list(ctx: Ctx, viewer: Member, k: Kegiatan, offset: int) -> None:
    lines = await daftar_hadir(ctx.session, k.id, scope_of(viewer))
    counts = tally_of(lines)
    offset = min(max(0, offset), max(0, (len(lines) - 1) // PAGE * PAGE))
    text = [ctx.t("attendance.list_title", judul=k.judul, when=ctx.when(k.starts_at))]
    if k.status in SHOWS_CODE and window(ctx).state(k, ctx.now) != "ended":
        code = await code_of(ctx.session, k.id, ctx.now, viewer.id)
        text.append(ctx.t("attendance.list_code", code=code))
    text.append(
        ctx.t(
            "attendance.counts",
            registered=counts.registered,
            present=counts.present,
            walk_ins=counts.walk_ins,
            absent=counts.absent,
        )
    )
    marking = window(ctx).hand_list_open(k, ctx.now)
    if not lines:
        text.append(ctx.t("attendance.list_empty"))
    elif marking:
        text.append(ctx.t("attendance.list_hint"))
    else:
        opens = ctx.when(window(ctx).opens_at(k))
        text.append(ctx.t("attendance.list_not_yet", opens=opens))
    page = lines[offset : offset + PAGE]
    choices = [Choice(_mark_id(k, line, offset), _label(ctx, line)) for line in page]
    if offset + PAGE < len(lines):
        choices.append(Choice(action("hd.list", k.id, offset + PAGE), ctx.t("kegiatan.next")))
    if offset > 0:
        back = action("hd.list", k.id, max(0, offset - PAGE))
        choices.append(Choice(back, ctx.t("kegiatan.prev")))
    if marking:
        choices.append(Choice(action("hd.add", k.id), ctx.t("attendance.btn_walk_in")))
    if k.status in SHOWS_CODE and window(ctx).state(k, ctx.now) != "ended":
        choices.append(Choice(action("hd.rotate", k.id), ctx.t("attendance.btn_rotate")))
    screen = "kga.show" if viewer.role == ADMIN_ROLE else "kg.show"
    choices.append(Choice(action(screen, k.id), ctx.t("attendance.back_to_kegiatan")))
    choices.append(to_menu(ctx))
    ctx.finish()
    ctx.show("\n".join(text), choices)


def _mark_id(k: Kegiatan, line: Line, offset: int) -> str:
    if line.member_id is not None:
        return action("hd.mark", k.id, line.member_id, offset)
    return action("hd.markn", k.id, line.line_id or 0, offset)


def _label(ctx: Ctx, line: Line) -> str:
    """ "✅ Siti Aminah · terdaftar", "⬜ Dewi Lestari · tunggu", "✅ Bu Ijah · datang langsung"."""
    mark = "✅" if line.present else "⬜"
    if line.signup == "registered":
        note = ctx.t("attendance.note_registered")
    elif line.signup == "waiting":
        note = ctx.t("attendance.note_waiting")
    else:
        note = ctx.t("attendance.note_walk_in")
    return f"{mark} {shorten(line.name, NAME_LIMIT)} · {note}"


async def _markable(ctx: Ctx, args: list[str]) -> tuple[Member, Kegiatan, int] | None:
    found = await staff_kegiatan(ctx, args)
    if found is None:
        return None
    viewer, k = found
    offset = arg_id(args, 2)
    if not window(ctx).hand_list_open(k, ctx.now):
        ctx.say(ctx.t("attendance.list_not_yet", opens=ctx.when(window(ctx).opens_at(k))))
        await show_list(ctx, viewer, k, offset)
        return None
    return viewer, k, offset


async def mark(ctx: Ctx, args: list[str]) -> None:
    """ "a:hd.mark:42:7:0": present or absent in turn."""
    found = await _markable(ctx, args)
    if found is None:
        return
    viewer, k, offset = found
    member = await ctx.session.get(Member, arg_id(args, 1))
    if member is None or member.erased or not in_scope(viewer, member):
        # Another kampung's mother (a forged or old id): not hers to mark.
        ctx.say(ctx.t("attendance.not_in_scope"))
        await show_list(ctx, viewer, k, offset)
        return
    line = await toggle_member(ctx.session, k.id, member.id, ctx.now, viewer.id)
    ctx.say(_marked(ctx, member.full_name or "-", line))
    await show_list(ctx, viewer, k, offset)


async def mark_name(ctx: Ctx, args: list[str]) -> None:
    """ "a:hd.markn:42:13:0": a name-only line (someone without a phone), in turn."""
    found = await _markable(ctx, args)
    if found is None:
        return
    viewer, k, offset = found
    line = await ctx.session.get(Attendance, arg_id(args, 1))
    scope = scope_of(viewer)
    if (
        line is None
        or line.kegiatan_id != k.id
        or line.member_id is not None
        or (scope is not None and line.kampung_id != scope)
    ):
        ctx.say(ctx.t("attendance.not_in_scope"))
        await show_list(ctx, viewer, k, offset)
        return
    await toggle_line(ctx.session, line, ctx.now, viewer.id)
    ctx.say(_marked(ctx, line.name or "-", line))
    await show_list(ctx, viewer, k, offset)


def _marked(ctx: Ctx, name: str, line: Attendance) -> str:
    if line.status == "present" and line.present_at is not None:
        return ctx.t("attendance.marked_present", name=name, time=clock(ctx, line.present_at))
    return ctx.t("attendance.marked_absent", name=name)


async def rotate(ctx: Ctx, args: list[str]) -> None:
    """ "Ganti kode hadir": a new code at once (the old one was passed around)."""
    found = await staff_kegiatan(ctx, args)
    if found is None:
        return
    viewer, k = found
    if k.status not in SHOWS_CODE or window(ctx).state(k, ctx.now) == "ended":
        ctx.say(ctx.t("attendance.rotate_refused", judul=k.judul))
    else:
        code = await rotate_code(ctx.session, k.id, ctx.now, viewer.id)
        ctx.say(ctx.t("attendance.rotated", judul=k.judul, code=code))
    await show_list(ctx, viewer, k, 0)
