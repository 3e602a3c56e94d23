"""Changing a kegiatan in chat (time, place or quota) and cancelling it, for admins.

Every registered and waiting mother is told through the outbox; models.kegiatan.admin
writes those rows in the same transaction as the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.core.context import Answer, Ctx
from handlers.core.flow import ConfirmFlow, Flow, register_action, register_flow
from handlers.core.menu import show_menu
from handlers.kegiatan.manage import ADMIN, _id, read_kuota, read_start
from models.kegiatan.admin import KEEP, cancel_kegiatan, edit_kegiatan
from models.kegiatan.admin import Keep as _Keep
from models.kegiatan.tables import MAX_TEMPAT, Kegiatan


class EditKegiatan(Flow):
    """One change (time, place or quota) to one kegiatan, then a confirmation."""

    name = "kg_edit"
    first_step = "value"

    async def ask_value(self, ctx: Ctx) -> None:
        what = ctx.data["what"]
        options = [("none", ctx.t("kgm.no_limit"))] if what == "kuota" else []
        ctx.ask(ctx.t(f"kgm.ask_new_{what}"), options)

    async def on_value(self, ctx: Ctx, ans: Answer) -> None:
        k = await ctx.session.get(Kegiatan, ctx.data["kegiatan_id"])
        if k is None:
            ctx.set_flow(None)
            await show_menu(ctx, intro=ctx.t("kegiatan.not_found"))
            return
        what = ctx.data["what"]
        starts_at: datetime | _Keep = KEEP
        tempat: str | _Keep = KEEP
        kuota: int | _Keep | None = KEEP
        problem: str | None = None
        if what == "time":
            start = read_start(ctx, ans.text)
            problem, starts_at = (start, KEEP) if isinstance(start, str) else (None, start)
        elif what == "place":
            text = ans.text.strip()
            ok = bool(text) and len(text) <= MAX_TEMPAT
            problem, tempat = (None, text) if ok else ("kgm.need_text", KEEP)
        else:
            wanted = read_kuota(ans.text, ans.value)
            problem, kuota = (wanted, KEEP) if isinstance(wanted, str) else (None, wanted)
        if problem:
            ctx.say(ctx.t(problem))
            await self.ask(ctx)
            return
        assert ctx.member is not None
        result = await edit_kegiatan(
            ctx.session,
            k.id,
            now=ctx.now,
            actor=f"member:{ctx.member.id}",
            actor_member_id=ctx.member.id,
            when_text=ctx.when_text,
            starts_at=starts_at,
            tempat=tempat,
            kuota=kuota,
        )
        if result.outcome == "invalid":
            ctx.say(ctx.t("kgm.invalid", problems=", ".join(result.problems)))
            await self.ask(ctx)
            return
        ctx.set_flow(None)
        key = "kgm.changed" if result.outcome in ("ok", "unchanged") else "kgm.not_editable"
        await show_menu(ctx, intro=ctx.t(key, judul=k.judul, notified=result.notified))


EDIT = register_flow(EditKegiatan())


class CancelKegiatan(ConfirmFlow):
    name = "kg_cancel"

    def question(self, ctx: Ctx) -> tuple[str, str, str]:
        text = ctx.t("kgm.confirm_cancel", judul=ctx.data.get("judul", "-"))
        return text, ctx.t("kgm.yes_cancel"), ctx.t("erase.no")

    async def on_no(self, ctx: Ctx, data: dict[str, Any]) -> None:
        await show_menu(ctx, intro=ctx.t("kgm.kept"))

    async def on_yes(self, ctx: Ctx, data: dict[str, Any]) -> None:
        assert ctx.member is not None
        result = await cancel_kegiatan(
            ctx.session,
            data["kegiatan_id"],
            now=ctx.now,
            actor=f"member:{ctx.member.id}",
            actor_member_id=ctx.member.id,
            when_text=ctx.when_text,
        )
        key = "kgm.cancelled" if result.outcome in ("ok", "unchanged") else "kgm.not_editable"
        notified = result.notified
        await show_menu(ctx, intro=ctx.t(key, judul=data.get("judul", "-"), notified=notified))


CANCEL = register_flow(CancelKegiatan())


@register_action("kgm_edit", ADMIN)
async def _edit(ctx: Ctx, args: list[str]) -> None:
    what = args[1] if len(args) > 1 else ""
    k = await ctx.session.get(Kegiatan, _id(args))
    if k is None or what not in ("time", "place", "kuota"):
        await show_menu(ctx, intro=ctx.t("kegiatan.not_found"))
        return
    await EDIT.start(ctx, kegiatan_id=k.id, what=what)


@register_action("kgm_cancel", ADMIN)
async def _cancel(ctx: Ctx, args: list[str]) -> None:
    k = await ctx.session.get(Kegiatan, _id(args))
    if k is None:
        await show_menu(ctx, intro=ctx.t("kegiatan.not_found"))
        return
    await CANCEL.start(ctx, kegiatan_id=k.id, judul=k.judul)
