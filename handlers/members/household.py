"""Several mothers on one phone: "Ganti ibu" lists the members this chat acts for, and
choosing one acts for her from now on. Every button names its member ("a:mb.use:12")
and is checked against this chat, so an old or forged one cannot reach anyone else."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.menu import end_flow, show_menu
from handlers.core.types import Choice, action
from handlers.parse.ids import arg_id
from models.people.members import household, household_member
from models.people.tables import Member


async def choose_member(ctx: Ctx, _args: list[str]) -> None:
    members = await household(ctx.session, ctx.identity.id)
    choices = tuple(Choice(action("mb.use", m.id), m.full_name or "-") for m in members)
    ctx.finish()
    ctx.show(ctx.t("household.choose"), choices)


async def use_member(ctx: Ctx, args: list[str]) -> None:
    member = await household_member(ctx.session, ctx.identity.id, arg_id(args))
    if member is None:
        ctx.say(ctx.t("common.unknown_choice"))
        await show_menu(ctx)
        return
    await switch_to(ctx, member)


async def switch_to(ctx: Ctx, member: Member) -> None:
    """Act for another mother of this chat's household from now on."""
    ctx.member = member
    ctx.state.active_member_id = member.id
    await end_flow(ctx, ctx.t("household.switched", name=member.full_name or "-"))
