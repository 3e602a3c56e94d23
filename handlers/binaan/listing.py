""" "Ibu binaan": the mothers of the kader's kampung, a page at a time, by name (an admin
first picks a kampung, or all); one mother's screen; finding one by name; taking over a
mother whose kader no longer serves her.

Ids come from buttons ("a:bn.list:<kampung>:<offset>", "a:bn.show:<member>") and are
checked against the scope on every use: a kader's forged or old id of another kampung is
refused, as is any of these from a chat that is no kader's or admin's.
"""

from __future__ import annotations

from pydantic import BaseModel

from handlers.binaan.common import ADMIN_ROLE, line_label, mother_for, show_mother, staff
from handlers.core.context import Ctx
from handlers.core.feature import STAFF
from handlers.core.labels import kampung_label
from handlers.core.menu import show_menu
from handlers.core.steps import Text
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id, read_id
from models.location import Location, active_kampung
from models.people.binaan import mothers_page, take_over, unserved
from models.people.tables import Member

PAGE = 8
ALL = 0  # "every kampung", for admins


async def _kampung(ctx: Ctx, viewer: Member, args: list[str]) -> int | None:
    """The kampung a list is of: a kader's own (another one is refused), an admin's pick.
    None: a screen was shown instead."""
    wanted = read_id(args[0]) if args else None
    if viewer.role == ADMIN_ROLE:
        if not args:
            await _pick_kampung(ctx)
            return None
        return wanted or ALL
    if viewer.kampung_id is None:
        await show_menu(ctx, intro=ctx.t("binaan.no_kampung"))
        return None
    if args and wanted != viewer.kampung_id:
        await show_menu(ctx, intro=ctx.t("binaan.other_kampung"))
        return None
    return viewer.kampung_id


async def _pick_kampung(ctx: Ctx) -> None:
    choices = [
        Choice(action("bn.list", p.id, 0), kampung_label(ctx.lang, p))
        for p in await active_kampung(ctx.session)
    ]
    choices.append(Choice(action("bn.list", ALL, 0), ctx.t("binaan.all_kampung")))
    choices.append(to_menu(ctx))
    ctx.finish()
    ctx.show(ctx.t("binaan.pick_kampung"), choices)


async def list_mothers(ctx: Ctx, args: list[str]) -> None:
    viewer = staff(ctx)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    kampung = await _kampung(ctx, viewer, args)
    if kampung is None:
        return
    offset = arg_id(args, 1)
    await _page(ctx, kampung, offset)


async def _page(ctx: Ctx, kampung: int, offset: int, name: str | None = None) -> None:
    viewer = staff(ctx)
    assert viewer is not None
    lines, total = await mothers_page(ctx.session, kampung or None, offset, PAGE, name=name or None)
    place = await ctx.session.get(Location, kampung) if kampung else None
    where = place.name if place else ctx.t("binaan.all_kampung")
    if name:
        text = ctx.t("binaan.found", count=total, name=name)
    elif not lines:
        text = ctx.t("binaan.empty", kampung=where)
    else:
        last = offset + len(lines)
        text = ctx.t("binaan.list_title", kampung=where, first=offset + 1, last=last, total=total)
    orphans = await unserved(ctx.session, kampung or None)
    if orphans and not name:
        text += "\n" + ctx.t("binaan.unserved", count=orphans)
    choices = [Choice(action("bn.show", line.member.id), line_label(ctx, line)) for line in lines]
    if not name:
        if offset + PAGE < total:
            nxt = action("bn.list", kampung, offset + PAGE)
            choices.append(Choice(nxt, ctx.t("kegiatan.next")))
        if offset > 0:
            back = action("bn.list", kampung, max(0, offset - PAGE))
            choices.append(Choice(back, ctx.t("kegiatan.prev")))
    elif total > len(lines):
        text += "\n" + ctx.t("binaan.found_more")
    choices.append(Choice(action("bn.find", kampung), ctx.t("binaan.btn_find")))
    choices.append(Choice(action("bn.new"), ctx.t("binaan.btn_new")))
    choices.append(to_menu(ctx))
    ctx.finish()
    ctx.show(text, choices)


async def show(ctx: Ctx, args: list[str]) -> None:
    mother = await mother_for(ctx, args[0] if args else None)
    if mother is not None:
        await show_mother(ctx, mother)


async def take(ctx: Ctx, args: list[str]) -> None:
    """ "Ambil alih": her kader no longer serves her; this kader (or admin) becomes hers."""
    mother = await mother_for(ctx, args[0] if args else None)
    viewer = staff(ctx)
    if mother is None or viewer is None:
        return
    if await take_over(ctx.session, viewer, mother):
        ctx.say(ctx.t("binaan.taken", name=mother.full_name or "-"))
    else:
        ctx.say(ctx.t("binaan.take_refused"))
    await show_mother(ctx, mother)


# -- finding a mother by name ------------------------------------------------------------------


class FindForm(BaseModel):
    kampung: int = ALL
    name: str | None = None


async def _found(ctx: Ctx, form: FindForm) -> str | None:
    viewer = staff(ctx)
    if viewer is None:  # the wizard checks roles; a kader's kampung may have changed
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return None
    kampung = form.kampung if viewer.role == ADMIN_ROLE else (viewer.kampung_id or -1)
    await _page(ctx, kampung, 0, form.name)
    return None


async def _the_list(ctx: Ctx, form: FindForm) -> None:
    """ "batal": the list of mothers, where "Cari nama" was chosen."""
    viewer = staff(ctx)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    await _page(ctx, form.kampung if viewer.role == ADMIN_ROLE else (viewer.kampung_id or -1), 0)


FIND: Wizard[FindForm] = Wizard(
    "bn.find",
    FindForm,
    (Text(name="name", ask="binaan.ask_find", max_len=80),),
    roles=STAFF,
    done=_found,
    cancelled="binaan.find_cancelled",
    back=_the_list,
)


async def find(ctx: Ctx, args: list[str]) -> None:
    viewer = staff(ctx)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    if viewer.role == ADMIN_ROLE and not args:
        kampung: int | None = ALL
    else:
        kampung = await _kampung(ctx, viewer, args[:1])
    if kampung is None:
        return
    await FIND.start(ctx, FindForm(kampung=kampung))
