"""'Tetap ikut': the button on a kegiatan reminder names the kegiatan and the mother it is
for ("a:rm.keep:42:7"); it acts only if this chat may act for her (her own chat, a
shared household chat, or her kader's chat: then recorded as done by the kader), never for
"whoever is active"."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.menu import show_menu
from handlers.kegiatan.acting import kader_did, whom
from handlers.parse.ids import arg_id
from models.kegiatan.tables import Kegiatan, has_ended
from models.people.members import acting_member
from models.reminders.confirmations import confirm_attendance


async def keep(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    k = await ctx.session.get(Kegiatan, arg_id(args))
    member = (
        await acting_member(ctx.session, ctx.identity.id, arg_id(args, 1))
        if len(args) > 1
        else None
    )
    if k is None or k.status == "draft" or member is None:
        await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
        return
    if k.status == "cancelled":
        await show_menu(ctx, intro=ctx.t("kegiatan.is_cancelled"))
        return
    if has_ended(k, ctx.now) or k.status == "done":
        await show_menu(ctx, intro=ctx.t("kegiatan.is_finished"))
        return
    values = {"whom": await whom(ctx, member), "judul": k.judul, "when": ctx.when(k.starts_at)}
    if await confirm_attendance(ctx.session, k, member.id, ctx.now):
        await kader_did(ctx, member, "signup.confirm_for_mother", kegiatan_id=k.id)
        await show_menu(ctx, intro=ctx.t("reminders.kept", **values))
    else:
        await show_menu(ctx, intro=ctx.t("reminders.no_seat", **values))
