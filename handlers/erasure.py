"""Hapus data saya ("erase my data"): the active member's personal data is erased
after a confirmation."""

from __future__ import annotations

from handlers.context import Answer, Ctx
from handlers.flow import MEMBERS, Flow, register_action, register_flow
from handlers.menu import MenuEntry, add_entry, show_menu
from models.members import erase_member, household
from models.outbox import ERASED, skip_queued
from models.people import Member
from models.signups import withdraw_member


class Erasure(Flow):
    name = "erase"
    first_step = "confirm"

    async def ask_confirm(self, ctx: Ctx) -> None:
        name = ctx.member.full_name if ctx.member else "-"
        ctx.ask(
            ctx.t("erase.confirm", name=name or "-"),
            [("yes", ctx.t("erase.yes")), ("no", ctx.t("erase.no"))],
        )

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "no":
            ctx.set_flow(None)
            await show_menu(ctx, intro=ctx.t("erase.kept"))
            return
        if ans.value != "yes":
            ctx.say(ctx.t("erase.pick"))
            await self.ask(ctx)
            return
        member_id = ctx.data.get("member_id")
        member = await ctx.session.get(Member, member_id or 0)
        # The chat may have switched to another mother since the question was asked.
        if member is None or ctx.member is None or member.id != ctx.member.id:
            ctx.set_flow(None)
            await show_menu(ctx, intro=ctx.t("common.stale_choice"))
            return
        # Her seats go to the mothers waiting, and nothing more is sent about her.
        await withdraw_member(ctx.session, member.id, ctx.now, when_text=ctx.when_text)
        await skip_queued(ctx.session, ERASED, member_id=member.id)
        await erase_member(ctx.session, member)
        remaining = await household(ctx.session, ctx.identity.id)
        ctx.member = remaining[0] if remaining else None
        ctx.state.active_member_id = ctx.member.id if ctx.member else None
        ctx.set_flow(None)
        await show_menu(ctx, intro=ctx.t("erase.done"))


ERASURE = register_flow(Erasure())


@register_action("erase", MEMBERS)
async def _erase(ctx: Ctx, _args: list[str]) -> None:
    assert ctx.member is not None
    if not ctx.registered:
        await show_menu(ctx, intro=ctx.t("common.register_first"))
        return
    await ERASURE.start(ctx, member_id=ctx.member.id)


add_entry(MenuEntry("erase", "menu.erase", MEMBERS, 98, personal=True))
