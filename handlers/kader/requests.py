"""Asking to be a kader, and the admins' decision.

A registered mother asks under "Lainnya" > "Jadi kader" (for her own kampung, asked once
more before it is sent); the admins get a notice with "Setujui" and "Tolak", and see
every waiting request under "Permintaan kader". Both buttons carry the request id; the
role is checked by the router and again by the model, and a request decided already
(by another admin, or a second tap) is only described.
"""

from __future__ import annotations

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.labels import shorten
from handlers.core.menu import end_flow
from handlers.core.steps import Menu, Option
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard
from handlers.kader.invite import place_label
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id
from models.kader import KaderRequest, decide_request, pending_request, pending_requests
from models.kader import request_kader as ask_model
from models.people.rules import format_rt_rw
from models.people.tables import Member

IBU = frozenset({"ibu"})
# Rows on one screen: WhatsApp lists hold 10, one is "Menu".
SHOWN = 9


class AskForm(BaseModel):
    kampung: str = "-"


async def ask(ctx: Ctx, _args: list[str]) -> None:
    """ "Jadi kader": unless a request of hers is waiting, ask once more, then send."""
    member = ctx.member
    if member is None or not ctx.registered or member.kampung_id is None:
        await end_flow(ctx, ctx.t("common.register_first"))
        return
    waiting = await pending_request(ctx.session, member.id)
    if waiting is not None:
        await end_flow(ctx, ctx.t("kader.ask_pending", when=ctx.when(waiting.created_at)))
        return
    await ASK.start(ctx, AskForm(kampung=await place_label(ctx, member.kampung_id)))


async def _send(ctx: Ctx, form: AskForm) -> str | None:
    assert ctx.member is not None
    asked = await ask_model(ctx.session, ctx.member, ctx.now)
    if asked.outcome == "sent":
        await end_flow(ctx, ctx.t("kader.ask_sent", kampung=form.kampung))
    elif asked.outcome == "pending" and asked.request is not None:
        await end_flow(ctx, ctx.t("kader.ask_pending", when=ctx.when(asked.request.created_at)))
    else:
        await end_flow(ctx, ctx.t("common.not_allowed"))
    return None


async def _not_now(ctx: Ctx, _form: AskForm) -> str | None:
    await end_flow(ctx, ctx.t("kader.ask_cancelled"))
    return None


ASK: Wizard[AskForm] = Wizard(
    "kd.ask",
    AskForm,
    (
        Menu(
            name="confirm",
            ask="kader.ask_confirm",
            values=lambda _ctx, form: {"kampung": form.kampung},
            choose=lambda _ctx, _form: (
                Option("send", "kader.ask_send", _send, words=("kirim", "ya")),
                Option("no", "kader.ask_no", _not_now, words=("tidak", "tidak jadi")),
            ),
        ),
    ),
    roles=IBU,
    cancelled="kader.ask_cancelled",
)


# -- the admins' side ------------------------------------------------------------------


async def _line(ctx: Ctx, request: KaderRequest, member: Member) -> str:
    kampung = await place_label(ctx, request.kampung_id)
    return shorten(f"{member.full_name or '-'} ({kampung})", 60)


async def show_requests(ctx: Ctx, intro: str | None = None) -> None:
    found = await pending_requests(ctx.session)
    if not found:
        await end_flow(ctx, "\n".join(x for x in (intro, ctx.t("kader.requests_empty")) if x))
        return
    ctx.finish()
    choices = [Choice(action("kd.request", r.id), await _line(ctx, r, m)) for r, m in found[:SHOWN]]
    choices.append(to_menu(ctx))
    title = ctx.t("kader.requests_title", count=len(found))
    if len(found) > SHOWN:
        title += "\n" + ctx.t("kader.requests_more", shown=SHOWN)
    ctx.show("\n".join(x for x in (intro, title) if x), choices)


async def list_requests(ctx: Ctx, _args: list[str]) -> None:
    await show_requests(ctx)


async def show_request(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    request = await ctx.session.get(KaderRequest, arg_id(args))
    member = await ctx.session.get(Member, request.member_id) if request is not None else None
    if request is None or member is None or member.erased:
        await show_requests(ctx, ctx.t("kader.request_not_found"))
        return
    if request.status != "pending":
        await show_requests(ctx, await decided_text(ctx, request))
        return
    text = ctx.t(
        "kader.request_detail",
        name=member.full_name or "-",
        kampung=await place_label(ctx, request.kampung_id),
        rtrw=format_rt_rw(member.rt, member.rw),
        when=ctx.when(request.created_at),
    )
    ctx.show(
        text,
        [
            Choice(action("kd.approve", request.id), ctx.t("kader.btn_approve")),
            Choice(action("kd.reject", request.id), ctx.t("kader.btn_reject")),
            Choice(action("kd.requests"), ctx.t("kader.menu_requests")),
            to_menu(ctx),
        ],
    )


async def decided_text(ctx: Ctx, request: KaderRequest) -> str:
    who = await ctx.session.get(Member, request.decided_by_member_id or 0)
    return ctx.t(
        f"kader.request_was_{request.status}",
        who=(who.full_name if who is not None else None) or ctx.t("kader.an_admin"),
        when=ctx.when(request.decided_at) if request.decided_at else "-",
    )


async def _decide(ctx: Ctx, args: list[str], *, approve: bool) -> None:
    if ctx.member is None:
        await end_flow(ctx, ctx.t("common.not_allowed"))
        return
    decision = await decide_request(
        ctx.session, arg_id(args), ctx.member, approve=approve, now=ctx.now
    )
    if decision.outcome == "not_allowed":
        await end_flow(ctx, ctx.t("common.not_allowed"))
        return
    if decision.outcome == "not_found" or decision.request is None:
        await show_requests(ctx, ctx.t("kader.request_not_found"))
        return
    if decision.outcome == "decided":
        await show_requests(ctx, await decided_text(ctx, decision.request))
        return
    name = (decision.member.full_name if decision.member else None) or "-"
    kampung = await place_label(ctx, decision.request.kampung_id)
    await show_requests(ctx, ctx.t(f"kader.done_{decision.outcome}", name=name, kampung=kampung))


async def approve(ctx: Ctx, args: list[str]) -> None:
    await _decide(ctx, args, approve=True)


async def reject(ctx: Ctx, args: list[str]) -> None:
    await _decide(ctx, args, approve=False)


__all__ = ["ASK", "approve", "ask", "list_requests", "reject", "show_request"]
