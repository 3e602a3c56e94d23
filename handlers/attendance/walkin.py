"""Adding a walk-in (datang langsung) by hand: the kader types a name, picks the mother
of her kampung it finds (an admin: of any kampung), or records the name only, for
someone with no phone who is not registered. A walk-in takes no seat.

The scope is checked again when the answer comes (a role or a kampung may have changed
meanwhile), and the picked id must be one the search offered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from handlers.attendance.common import ADMIN_ROLE, quiet_scope, scope_of, staff_kegiatan, window
from handlers.attendance.hand import show_list
from handlers.core.context import Ctx
from handlers.core.feature import STAFF
from handlers.core.labels import shorten
from handlers.core.steps import Pick, Problem, Text
from handlers.core.wizard import Wizard
from handlers.parse.ids import read_id
from models.attendance.ops import add_by_name, check_in
from models.kegiatan.queries import sasaran
from models.people.binaan import in_scope, mothers_page
from models.people.rules import check_name, format_rt_rw
from models.people.tables import Member

FOUND = 6
NAME_ONLY = "_name"
AGAIN = "_again"
RETYPED = "_retyped"


class WalkInForm(BaseModel):
    kegiatan_id: int = 0
    name: str | None = None
    who: str | None = None


def _read_name(text: str) -> Any:
    checked = check_name(text)
    return Problem(f"reg.name_{checked.error}") if checked.error else checked.value


async def _found(ctx: Ctx, form: WalkInForm) -> list[tuple[str, str]]:
    found = await quiet_scope(ctx, form.kegiatan_id)
    options: list[tuple[str, str]] = []
    if found is not None:
        viewer, _k = found
        lines, _total = await mothers_page(
            ctx.session, scope_of(viewer), 0, FOUND, name=form.name or ""
        )
        options = [(f"m{line.member.id}", _mother_label(line.member)) for line in lines]
    name = shorten(form.name or "-", 24)
    options.append((NAME_ONLY, ctx.t("attendance.walk_in_name_only", name=name)))
    options.append((AGAIN, ctx.t("attendance.walk_in_again")))
    return options


def _mother_label(m: Member) -> str:
    return f"{shorten(m.full_name or '-', 24)} · {format_rt_rw(m.rt, m.rw)}"


async def _typed(ctx: Ctx, text: str, form: WalkInForm) -> Any:
    """Another name typed instead of a pick: search again with it."""
    name = _read_name(text)
    if isinstance(name, Problem):
        return name
    form.name = name
    return RETYPED


async def _record(ctx: Ctx, form: WalkInForm) -> str | None:
    if form.who in (AGAIN, RETYPED):
        if form.who == AGAIN:
            form.name = None
        form.who = None
        WALK_IN.store(ctx, form)
        return "who" if form.name else "name"
    found = await staff_kegiatan(ctx, [str(form.kegiatan_id)])
    if found is None:
        return None
    viewer, k = found
    if not window(ctx).hand_list_open(k, ctx.now):
        ctx.say(ctx.t("attendance.list_not_yet", opens=ctx.when(window(ctx).opens_at(k))))
    elif form.who == NAME_ONLY and form.name:
        kampung = viewer.kampung_id if viewer.role != ADMIN_ROLE else await _only_kampung(ctx, k.id)
        await add_by_name(ctx.session, k.id, form.name, kampung, ctx.now, viewer.id)
        ctx.say(ctx.t("attendance.walk_in_added", name=form.name))
    else:
        member = await ctx.session.get(Member, read_id((form.who or "")[1:]) or 0)
        if member is None or not in_scope(viewer, member):
            ctx.say(ctx.t("attendance.not_in_scope"))
        else:
            result = await check_in(
                ctx.session, k.id, member.id, ctx.now, method="hand", by_member_id=viewer.id
            )
            key = "attendance.walk_in_already" if result.outcome == "already" else (
                "attendance.walk_in_added" if result.walk_in else "attendance.walk_in_seated"
            )  # fmt: skip
            ctx.say(ctx.t(key, name=member.full_name or "-"))
    await show_list(ctx, viewer, k, 0)
    return None


async def _only_kampung(ctx: Ctx, kegiatan_id: int) -> int | None:
    """The kampung of a name added by an admin: the kegiatan's, when it has one."""
    places = await sasaran(ctx.session, kegiatan_id)
    return places[0].id if len(places) == 1 else None


async def _attendance_list(ctx: Ctx, form: WalkInForm) -> None:
    """The kegiatan's daftar hadir, where "Tambah yang datang langsung" was chosen:
    "batal" goes back there to go on with the list."""
    found = await staff_kegiatan(ctx, [str(form.kegiatan_id)])
    if found is not None:
        viewer, k = found
        await show_list(ctx, viewer, k, 0)


WALK_IN: Wizard[WalkInForm] = Wizard(
    "hd.add",
    WalkInForm,
    (
        Text(name="name", ask="attendance.ask_walk_in_name", max_len=100, clean=_read_name),
        Pick(
            name="who",
            ask="attendance.ask_walk_in_who",
            values=lambda _ctx, form: {"name": form.name or "-"},
            choices=_found,
            typed=_typed,
        ),
    ),
    roles=STAFF,
    done=_record,
    cancelled="attendance.walk_in_cancelled",
    back=_attendance_list,
)


async def start(ctx: Ctx, args: list[str]) -> None:
    """ "Tambah yang datang langsung" ("a:hd.add:42")."""
    found = await staff_kegiatan(ctx, args)
    if found is None:
        return
    viewer, k = found
    if not window(ctx).hand_list_open(k, ctx.now):
        ctx.say(ctx.t("attendance.list_not_yet", opens=ctx.when(window(ctx).opens_at(k))))
        await show_list(ctx, viewer, k, 0)
        return
    await WALK_IN.start(ctx, WalkInForm(kegiatan_id=k.id))
