""" "Selalu kirim suara" under "Lainnya": every message to her also as a voice note. Her
kader sets it for a mother she reaches or registered, from that mother's screen ("Ibu
binaan"). The buttons name the member ("a:vc.always:<member>:<1|0>"), checked against this
chat on every tap, so a forged or old id changes nobody's setting."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.menu import show_menu
from handlers.core.types import Choice, action
from handlers.parse.ids import arg_id
from models.people.tables import Member
from models.voice import set_voice_always, voice_settable

ALWAYS = "vc.always"
# The last argument of a kader's button: back to the mother's screen ("Ibu binaan").
FROM_BINAAN = "b"
MOTHER_SCREEN = "bn.show"


async def show(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    member = ctx.member
    if member is None or not ctx.registered:
        await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
        return
    on = member.voice_always
    lines = [ctx.t("voice.setting_intro"), ctx.t("voice.now_on" if on else "voice.now_off")]
    choices = [
        Choice(action(ALWAYS, member.id, 0 if on else 1), ctx.t(_toggle_key(on))),
        Choice(action("core.menu"), ctx.t("menu.back")),
    ]
    ctx.show("\n".join(lines), choices)


def _toggle_key(on: bool) -> str:
    return "voice.turn_off" if on else "voice.turn_on"


async def choose(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    member = await voice_settable(ctx.session, ctx.identity.id, ctx.member, arg_id(args))
    wanted = args[1] if len(args) > 1 else ""
    if member is None or wanted not in ("0", "1"):
        await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
        return
    on = wanted == "1"
    await set_voice_always(
        ctx.session, member, on, actor=f"{ctx.identity.channel}-identity:{ctx.identity.id}",
        actor_member_id=ctx.member.id if ctx.member is not None else None,
    )  # fmt: skip
    mine = ctx.member is not None and member.id == ctx.member.id
    key = ("voice.saved_on" if on else "voice.saved_off") + ("" if mine else "_for")
    intro = ctx.t(key, name=member.full_name or "-")
    screen = ctx.registry.action(MOTHER_SCREEN)
    if len(args) > 2 and args[2] == FROM_BINAAN and screen is not None:
        ctx.say(intro)
        await screen.handler(ctx, [str(member.id)])
        return
    await show_menu(ctx, intro=intro)


async def kader_choice(ctx: Ctx, mother: Member) -> Choice | None:
    """The button on a mother's screen for her kader, if this chat may set it for her."""
    if await voice_settable(ctx.session, ctx.identity.id, ctx.member, mother.id) is None:
        return None
    on = mother.voice_always
    key = "voice.btn_for_off" if on else "voice.btn_for_on"
    return Choice(action(ALWAYS, mother.id, 0 if on else 1, FROM_BINAAN), ctx.t(key))
