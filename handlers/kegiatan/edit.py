"""Changing a kegiatan in chat (time, place or quota) and cancelling it, for admins.

A change is read, shown back the way it was understood ("Kamis, 3 Desember 2026 pukul
10.00 WIB") and saved only when the admin says so; then every registered and waiting
mother is told through the outbox (models.kegiatan.admin writes those rows in the same
transaction as the change). Cancelling is a fresh confirmation with a one-time token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.feature import ADMIN
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Confirm, Menu, Option, Text
from handlers.core.wizard import Wizard, back_out
from handlers.kegiatan.manage import AdminWhen, kuota_step, manage
from handlers.parse.ids import arg_id
from models.kegiatan.admin import cancel_kegiatan, edit_kegiatan
from models.kegiatan.queries import participants
from models.kegiatan.tables import MAX_TEMPAT, Kegiatan

What = Literal["time", "place", "kuota"]
STEP_OF: dict[str, str] = {"time": "time", "place": "place", "kuota": "kuota"}


class EditForm(BaseModel):
    kegiatan_id: int = 0
    judul: str = "-"
    what: What = "time"
    starts_at: datetime | None = None
    tempat: str | None = None
    kuota: int | None = None


async def _render_change(ctx: Ctx, form: EditForm) -> str:
    if form.what == "time" and form.starts_at is not None:
        change = ctx.t("kgm.new_time_is", when=ctx.when(form.starts_at))
    elif form.what == "place":
        change = ctx.t("kgm.new_place_is", tempat=form.tempat or "-")
    else:
        change = ctx.t("kgm.new_kuota_is", kuota=form.kuota or ctx.t("kgm.no_limit"))
    told = len(await participants(ctx.session, form.kegiatan_id, include_waiting=True))
    return ctx.t("kgm.confirm_change", judul=form.judul, change=change, count=told)


async def _save(ctx: Ctx, form: EditForm) -> str | None:
    assert ctx.member is not None
    # Only the field being changed is passed; the others keep their value.
    changes: dict[str, Any] = {}
    if form.what == "time" and form.starts_at is not None:
        changes["starts_at"] = form.starts_at
    elif form.what == "place" and form.tempat:
        changes["tempat"] = form.tempat
    elif form.what == "kuota":
        changes["kuota"] = form.kuota
    result = await edit_kegiatan(
        ctx.session,
        form.kegiatan_id,
        now=ctx.now,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
        when_text=ctx.when_text,
        **changes,
    )
    if result.outcome == "invalid":
        ctx.say(ctx.t("kgm.invalid", problems=", ".join(result.problems)))
        return STEP_OF[form.what]
    ctx.finish()
    key = "kgm.changed" if result.outcome in ("ok", "unchanged") else "kgm.not_editable"
    await show_menu(ctx, intro=ctx.t(key, judul=form.judul, notified=result.notified))
    return None


async def _again(_ctx: Ctx, form: EditForm) -> str | None:
    return STEP_OF[form.what]


async def _page(ctx: Ctx, form: EditForm | CancelForm) -> None:
    """The kegiatan's page, where a change or the cancelling was chosen: "batal", "gak
    jadi" or "Jangan …" go back there, nothing changed (the main menu would lose her place)."""
    await manage(ctx, [str(form.kegiatan_id)])


EDIT: Wizard[EditForm] = Wizard(
    "kga.edit",
    EditForm,
    (
        AdminWhen(
            name="time", field="starts_at", ask="kgm.ask_new_time", when=lambda f: f.what == "time"
        ),
        Text(
            name="place",
            field="tempat",
            ask="kgm.ask_new_place",
            max_len=MAX_TEMPAT,
            when=lambda f: f.what == "place",
        ),
        kuota_step("kuota", "kgm.ask_new_kuota", when=lambda f: f.what == "kuota"),
        Menu(
            name="confirm",
            ask="kgm.confirm_change",
            render=_render_change,
            choose=lambda _ctx, _form: (
                Option("save", "kgm.save_and_tell", _save, words=("simpan",)),
                Option("again", "kgm.change_again", _again),
                Option("no", "kgm.dont_change", back_out, words=("jangan",)),
            ),
        ),
    ),
    roles=ADMIN,
    cancelled="kgm.change_dropped",
    back=_page,
)


class CancelForm(BaseModel):
    kegiatan_id: int = 0
    judul: str = "-"


async def _cancel_it(ctx: Ctx, form: CancelForm) -> str | None:
    assert ctx.member is not None
    ctx.finish()
    result = await cancel_kegiatan(
        ctx.session,
        form.kegiatan_id,
        now=ctx.now,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
        when_text=ctx.when_text,
    )
    key = "kgm.cancelled" if result.outcome in ("ok", "unchanged") else "kgm.not_editable"
    await show_menu(ctx, intro=ctx.t(key, judul=form.judul, notified=result.notified))
    return None


CANCEL: Wizard[CancelForm] = Wizard(
    "kga.cancel",
    CancelForm,
    (
        Confirm(
            name="confirm",
            ask="kgm.confirm_cancel",
            values=lambda _ctx, form: {"judul": form.judul},
            yes=Option("yes", "kgm.yes_cancel", _cancel_it, words=("batalkan", "ya batalkan")),
            no=Option("no", "kgm.no_cancel", back_out, words=("jangan batalkan",)),
        ),
    ),
    roles=ADMIN,
    cancelled="kgm.kept",
    back=_page,
)


async def edit(ctx: Ctx, args: list[str]) -> None:
    what = args[1] if len(args) > 1 else ""
    k = await ctx.session.get(Kegiatan, arg_id(args))
    if k is None or what not in STEP_OF:
        await end_flow(ctx, ctx.t("kegiatan.not_found"))
        return
    await EDIT.start(ctx, EditForm(kegiatan_id=k.id, judul=k.judul, what=what))  # type: ignore[arg-type]


async def cancel(ctx: Ctx, args: list[str]) -> None:
    k = await ctx.session.get(Kegiatan, arg_id(args))
    if k is None:
        await end_flow(ctx, ctx.t("kegiatan.not_found"))
        return
    await CANCEL.start(ctx, CancelForm(kegiatan_id=k.id, judul=k.judul))
