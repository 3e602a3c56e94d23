"""Hapus data saya ("erase my data"): the active member's personal data is erased
after a confirmation."""

from __future__ import annotations

from typing import Any

from handlers.core.context import Ctx
from handlers.core.flow import MEMBERS, ConfirmFlow, register_action, register_flow
from handlers.core.menu import MenuEntry, add_entry, show_menu
from models.kegiatan.signups import withdraw_member
from models.outbox.tables import ERASED, skip_queued
from models.people.members import erase_member, household
from models.people.tables import Member


class Erasure(ConfirmFlow):
    name = "erase"

    def question(self, ctx: Ctx) -> tuple[str, str, str]:
        name = (ctx.member.full_name if ctx.member else None) or "-"
        return ctx.t("erase.confirm", name=name), ctx.t("erase.yes"), ctx.t("erase.no")

    async def on_no(self, ctx: Ctx, data: dict[str, Any]) -> None:
        await show_menu(ctx, intro=ctx.t("erase.kept"))

    async def on_yes(self, ctx: Ctx, data: dict[str, Any]) -> None:
        member = await ctx.session.get(Member, data.get("member_id") or 0)
        # The chat may have switched to another mother since the question was asked.
        if member is None or ctx.member is None or member.id != ctx.member.id:
            await show_menu(ctx, intro=ctx.t("common.stale_choice"))
            return
        # Her seats go to the mothers waiting, and nothing more is sent about her.
        await withdraw_member(ctx.session, member.id, ctx.now, when_text=ctx.when_text)
        await skip_queued(ctx.session, ERASED, member_id=member.id)
        await erase_member(ctx.session, member)
        remaining = await household(ctx.session, ctx.identity.id)
        ctx.member = remaining[0] if remaining else None
        ctx.state.active_member_id = ctx.member.id if ctx.member else None
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
