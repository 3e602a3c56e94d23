"""The screen and the choice. The buttons carry the member they are about
("a:ch.set:<member>:whatsapp"), checked against this chat on every tap (her own chat or
her household's), so a forged or old id changes nobody's choice."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.menu import show_menu
from handlers.core.types import Choice, action
from handlers.parse.ids import arg_id
from models.people.channels import member_channels, set_preferred_channel
from models.people.members import household_member

LAST = "last"


def app_name(ctx: Ctx, channel: str) -> str:
    key = f"saluran.app.{channel}"
    return ctx.t(key) if channel in ("whatsapp", "telegram", "console") else channel


async def show(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    member = ctx.member
    if member is None or not ctx.registered:
        await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
        return
    channels = await member_channels(ctx.session, member.id)
    chosen = member.preferred_channel if member.preferred_channel in channels else None
    lines = [ctx.t("saluran.intro", name=member.full_name or "-")]
    if chosen is None:
        lines.append(ctx.t("saluran.now_last"))
    else:
        lines.append(ctx.t("saluran.now_chosen", app=app_name(ctx, chosen)))
    choices: list[Choice] = []
    if len(channels) > 1:
        lines.append(ctx.t("saluran.pick"))
        choices.append(Choice(action("ch.set", member.id, LAST), ctx.t("saluran.last")))
        choices += [Choice(action("ch.set", member.id, c), app_name(ctx, c)) for c in channels]
    else:
        lines.append(ctx.t("saluran.only_one", app=app_name(ctx, ctx.identity.channel)))
    choices.append(Choice(action("core.menu"), ctx.t("menu.back")))
    ctx.show("\n".join(lines), choices)


async def choose(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    member = await household_member(ctx.session, ctx.identity.id, arg_id(args))
    wanted = args[1] if len(args) > 1 else ""
    channels = await member_channels(ctx.session, member.id) if member is not None else []
    if member is None or (wanted != LAST and wanted not in channels):
        await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
        return
    channel = None if wanted == LAST else wanted
    await set_preferred_channel(
        ctx.session, member, channel, actor=f"{ctx.identity.channel}-identity:{ctx.identity.id}"
    )
    if channel is None:
        intro = ctx.t("saluran.saved_last")
    else:
        intro = ctx.t("saluran.saved", app=app_name(ctx, channel))
    await show_menu(ctx, intro=intro)
