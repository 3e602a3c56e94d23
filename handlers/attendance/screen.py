"""What the kegiatan screens show about attendance.

On a kegiatan's screen (`handlers/kegiatan`: the mothers' and kader's "kg.show", the
admins' "kga.show"): a mother sees "Hadir" while check-in is open, or that she was
checked in; the kader of its kampung and admins see the check-in code (made at the first
look) with "Daftar hadir" and "Ganti kode hadir". Kept here so the kegiatan screens only
add what these functions give.
"""

from __future__ import annotations

from handlers.attendance.common import clock, staff, takes_attendance, window
from handlers.core.context import Ctx
from handlers.core.types import Choice, action
from models.attendance.codes import code_of
from models.attendance.ops import line_of
from models.kegiatan.tables import Kegiatan
from models.people.tables import Member

HADIR_WORDS = ("hadir", "saya hadir", "absen")
# The code is shown (and can be rotated) while the kegiatan is still to take place.
SHOWS_CODE = ("open", "closed")


async def for_mother(
    ctx: Ctx, k: Kegiatan, member: Member | None
) -> tuple[list[str], list[Choice]]:
    """Her line and button on the kegiatan's screen: checked in already, or "Hadir"."""
    if member is None or member.erased or member.consent_at is None:
        return [], []
    line = await line_of(ctx.session, k.id, member.id)
    if line is not None and line.status == "present" and line.present_at is not None:
        return [ctx.t("attendance.is_present", time=clock(ctx, line.present_at))], []
    if window(ctx).is_open(k, ctx.now):
        hadir = Choice(
            action("hd.ask", k.id, member.id), ctx.t("attendance.btn_hadir"), HADIR_WORDS
        )
        return [ctx.t("attendance.open_hint")], [hadir]
    return [], []


async def for_staff(ctx: Ctx, k: Kegiatan) -> tuple[list[str], list[Choice]]:
    """The code and the attendance buttons, for the kader of its kampung and admins."""
    viewer = staff(ctx)
    if viewer is None or k.status not in SHOWS_CODE or not await takes_attendance(ctx, viewer, k):
        return [], []
    code = await code_of(ctx.session, k.id, ctx.now, viewer.id)
    opens = ctx.when(window(ctx).opens_at(k))
    lines = [ctx.t("attendance.code_line", code=code, opens=opens)]
    choices = [
        Choice(action("hd.list", k.id, 0), ctx.t("attendance.btn_list")),
        Choice(action("hd.rotate", k.id), ctx.t("attendance.btn_rotate")),
    ]
    return lines, choices
