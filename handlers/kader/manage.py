"""Admins see the kader per kampung ("Daftar kader") and remove the role, after a fresh
confirmation. She is told through the outbox; she stays a member of her kampung."""

from __future__ import annotations

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.feature import ADMIN
from handlers.core.labels import kampung_label, shorten
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Confirm, Option
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard, back_out
from handlers.kader.invite import place_label
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id
from models.kader import kader_since, list_kader, remove_kader
from models.location import Location, active_kampung
from models.people.tables import Member

# Rows on one screen: WhatsApp lists hold 10.
SHOWN = 8


async def list_places(ctx: Ctx, _args: list[str]) -> None:
    """Every kampung with its number of kader."""
    ctx.finish()
    kader = await list_kader(ctx.session)
    counts: dict[int, int] = {}
    for m in kader:
        counts[m.kampung_id or 0] = counts.get(m.kampung_id or 0, 0) + 1
    places = await active_kampung(ctx.session)
    choices = [
        Choice(
            action("kd.kampung", p.id),
            ctx.t(
                "kader.place_line", kampung=kampung_label(ctx.lang, p), count=counts.get(p.id, 0)
            ),
        )
        for p in places[:SHOWN]
    ]
    choices.append(Choice(action("kd.invite"), ctx.t("kader.menu_invite")))
    choices.append(to_menu(ctx))
    ctx.show(ctx.t("kader.list_title", count=len(kader)), choices)


async def list_place(ctx: Ctx, args: list[str]) -> None:
    """The kader of one kampung."""
    ctx.finish()
    place = await ctx.session.get(Location, arg_id(args))
    if place is None or place.level != "kampung":
        await show_menu(ctx, intro=ctx.t("kader.kampung_not_found"))
        return
    kader = await list_kader(ctx.session, place.id)
    label = kampung_label(ctx.lang, place)
    choices = [
        Choice(action("kd.member", m.id), shorten(m.full_name or "-", 40)) for m in kader[:SHOWN]
    ]
    choices.append(Choice(action("kd.list"), ctx.t("kader.menu_list")))
    choices.append(to_menu(ctx))
    key = "kader.place_title" if kader else "kader.place_empty"
    ctx.show(ctx.t(key, kampung=label, count=len(kader)), choices)


async def _kader(ctx: Ctx, args: list[str]) -> Member | None:
    member = await ctx.session.get(Member, arg_id(args))
    if member is None or member.erased or member.role != "kader":
        return None
    return member


async def show_kader(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    member = await _kader(ctx, args)
    if member is None:
        await show_menu(ctx, intro=ctx.t("kader.not_kader"))
        return
    since = await kader_since(ctx.session, member.id)
    text = ctx.t(
        "kader.detail",
        name=member.full_name or "-",
        kampung=await place_label(ctx, member.kampung_id),
        since=ctx.when(since) if since else "-",
    )
    ctx.show(
        text,
        [
            Choice(action("kd.remove", member.id), ctx.t("kader.remove")),
            Choice(action("kd.kampung", member.kampung_id or 0), ctx.t("kader.back")),
            to_menu(ctx),
        ],
    )


class RemoveForm(BaseModel):
    member_id: int = 0
    name: str = "-"
    kampung: str = "-"


async def _remove(ctx: Ctx, form: RemoveForm) -> str | None:
    assert ctx.member is not None
    ctx.finish()
    gone = await remove_kader(
        ctx.session, form.member_id, actor_member_id=ctx.member.id, now=ctx.now
    )
    key = "kader.removed" if gone is not None else "kader.not_kader"
    await show_menu(ctx, intro=ctx.t(key, name=form.name, kampung=form.kampung))
    return None


async def _page(ctx: Ctx, form: RemoveForm) -> None:
    """Her page, where "Cabut peran kader" was chosen: "Jangan" or "batal" go back there."""
    await show_kader(ctx, [str(form.member_id)])


REMOVE: Wizard[RemoveForm] = Wizard(
    "kd.remove",
    RemoveForm,
    (
        Confirm(
            name="confirm",
            ask="kader.confirm_remove",
            values=lambda _ctx, form: {"name": form.name, "kampung": form.kampung},
            yes=Option("yes", "kader.yes_remove", _remove, words=("cabut", "ya cabut")),
            no=Option("no", "kader.no_keep", back_out, words=("jangan", "tetap")),
        ),
    ),
    roles=ADMIN,
    cancelled="kader.remove_kept",
    back=_page,
)


async def ask_remove(ctx: Ctx, args: list[str]) -> None:
    member = await _kader(ctx, args)
    if member is None:
        await end_flow(ctx, ctx.t("kader.not_kader"))
        return
    form = RemoveForm(
        member_id=member.id,
        name=member.full_name or "-",
        kampung=await place_label(ctx, member.kampung_id),
    )
    await REMOVE.start(ctx, form)
