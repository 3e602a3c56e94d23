"""The mothers' side of kegiatan: browse upcoming sessions for her kampung, see one,
sign up or join the waiting list, cancel, "Jadwal saya", and the .ics calendar file.

Every button here is a self-contained action naming its kegiatan ("a:signup:42"), so
buttons on old messages and on reminders keep working; each checks again that she is a
member and that the kegiatan still allows what she asks.
"""

from __future__ import annotations

from typing import Any

from handlers.core.context import Ctx
from handlers.core.flow import (
    MEMBERS,
    ConfirmFlow,
    MenuEntry,
    add_entry,
    register_action,
    register_flow,
)
from handlers.core.i18n import format_time_local
from handlers.core.labels import shorten
from handlers.core.menu import show_menu
from handlers.core.types import Choice, Reply, action
from models.kegiatan.ics import kegiatan_ics
from models.kegiatan.queries import my_schedule, overlapping, signup_status, upcoming_for_member
from models.kegiatan.signups import cancel_signup, sign_up, waitlist_position
from models.kegiatan.tables import Kegiatan, has_ended, seats_left

PAGE = 5


def _int(args: list[str], index: int = 0) -> int:
    value = args[index] if len(args) > index else ""
    return int(value) if value.isdigit() else 0


def short_line(ctx: Ctx, k: Kegiatan) -> str:
    return ctx.t("kegiatan.line", when=ctx.when(k.starts_at), judul=k.judul, tempat=k.tempat)


def seats_text(ctx: Ctx, k: Kegiatan) -> str:
    left = seats_left(k)
    if left is None:
        return ctx.t("kegiatan.seats_unlimited")
    return ctx.t("kegiatan.seats_left", left=left) if left else ctx.t("kegiatan.seats_full")


async def _kegiatan(ctx: Ctx, args: list[str]) -> Kegiatan | None:
    found = await ctx.session.get(Kegiatan, _int(args))
    if found is None or found.status == "draft":
        ctx.say(ctx.t("kegiatan.not_found"))
        await show_menu(ctx)
        return None
    return found


@register_action("kg_list", MEMBERS)
async def list_upcoming(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    offset = _int(args)
    page = await upcoming_for_member(ctx.session, ctx.member, ctx.now, offset, PAGE)
    if not page.items:
        key = "kegiatan.none" if offset == 0 else "kegiatan.no_more"
        await show_menu(ctx, intro=ctx.t(key))
        return
    lines = [
        ctx.t(
            "kegiatan.list_title", first=offset + 1, last=offset + len(page.items), total=page.total
        )
    ]
    choices = []
    for i, k in enumerate(page.items, start=1):
        lines.append(f"{i}. {short_line(ctx, k)}")
        choices.append(Choice(action("kg", k.id), shorten(k.judul)))
    if offset + PAGE < page.total:
        choices.append(Choice(action("kg_list", offset + PAGE), ctx.t("kegiatan.next")))
    if offset > 0:
        choices.append(Choice(action("kg_list", max(0, offset - PAGE)), ctx.t("kegiatan.prev")))
    choices.append(Choice(action("menu"), ctx.t("kegiatan.to_menu")))
    ctx.set_flow(None)
    ctx.offer(tuple(choices))
    ctx.say("\n".join(lines), choices=tuple(choices))


def _until(ctx: Ctx, k: Kegiatan) -> str:
    same_day = k.starts_at.astimezone(ctx.tz).date() == k.ends_at.astimezone(ctx.tz).date()
    return format_time_local(k.ends_at, ctx.lang, ctx.tz) if same_day else ctx.when(k.ends_at)


@register_action("kg", MEMBERS)
async def show_detail(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    k = await _kegiatan(ctx, args)
    if k is None:
        return
    status = await signup_status(ctx.session, k.id, ctx.member.id)
    lines = [
        ctx.t(
            "kegiatan.detail",
            judul=k.judul,
            jenis=ctx.t(f"kegiatan.jenis.{k.jenis}"),
            when=ctx.when(k.starts_at),
            until=_until(ctx, k),
            tempat=k.tempat,
            opd=k.opd,
        ),
    ]
    if k.narasumber:
        lines.append(ctx.t("kegiatan.narasumber", narasumber=k.narasumber))
    if k.description:
        lines.append(k.description)
    choices: list[Choice] = []
    if k.status == "cancelled":
        lines.append(ctx.t("kegiatan.is_cancelled"))
    elif has_ended(k, ctx.now) or k.status == "done":
        lines.append(ctx.t("kegiatan.is_finished"))
    else:
        lines.append(seats_text(ctx, k))
        if status == "registered":
            lines.append(ctx.t("kegiatan.you_registered"))
            choices.append(Choice(action("kg_ics", k.id), ctx.t("kegiatan.btn_calendar")))
            choices.append(Choice(action("unsignup", k.id), ctx.t("kegiatan.btn_unsignup")))
        elif status == "waiting":
            position = await waitlist_position(ctx.session, k.id, ctx.member.id)
            lines.append(ctx.t("kegiatan.you_waiting", position=position or "-"))
            choices.append(Choice(action("unsignup", k.id), ctx.t("kegiatan.btn_leave_waitlist")))
        elif k.status == "open":
            full = seats_left(k) == 0
            key = "kegiatan.btn_waitlist" if full else "kegiatan.btn_signup"
            choices.append(Choice(action("signup", k.id), ctx.t(key)))
        else:
            lines.append(ctx.t("kegiatan.is_closed"))
    choices.append(Choice(action("kg_list", 0), ctx.t("kegiatan.back_to_list")))
    ctx.offer(tuple(choices))
    ctx.say("\n".join(lines), choices=tuple(choices))


@register_action("signup", MEMBERS)
async def signup(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    result = await sign_up(ctx.session, _int(args), ctx.member.id, ctx.now)
    k = result.kegiatan
    outcome = result.outcome
    if k is None or outcome == "not_found":
        ctx.say(ctx.t("kegiatan.not_found"))
        await show_menu(ctx)
        return
    after = (
        Choice(action("kg_mine"), ctx.t("menu.mine")),
        Choice(action("menu"), ctx.t("kegiatan.to_menu")),
    )
    choices: tuple[Choice, ...]
    if outcome in ("registered", "already_registered"):
        text = ctx.t(
            f"kegiatan.{outcome}", judul=k.judul, when=ctx.when(k.starts_at), tempat=k.tempat
        )
        clash = await overlapping(ctx.session, ctx.member.id, k)
        if clash:
            text += "\n" + ctx.t(
                "kegiatan.overlap", judul=clash[0].judul, when=ctx.when(clash[0].starts_at)
            )
        choices = (
            Choice(action("kg_ics", k.id), ctx.t("kegiatan.btn_calendar")),
            Choice(action("unsignup", k.id), ctx.t("kegiatan.btn_unsignup")),
            *after,
        )
    elif outcome in ("waiting", "already_waiting"):
        position = result.position or await waitlist_position(ctx.session, k.id, ctx.member.id)
        text = ctx.t(f"kegiatan.{outcome}", judul=k.judul, position=position or "-")
        choices = (Choice(action("unsignup", k.id), ctx.t("kegiatan.btn_leave_waitlist")), *after)
    else:  # not_open, finished, not_for_her_kampung
        key = "kegiatan.is_cancelled" if k.status == "cancelled" else f"kegiatan.refused_{outcome}"
        text = ctx.t(key)
        choices = after
    ctx.offer(choices)
    ctx.say(text, choices=choices)


class GiveUpPlace(ConfirmFlow):
    """Batal ikut asks once more: a mis-tap on a cheap phone must not cost her the seat."""

    name = "kg_unsignup"

    def question(self, ctx: Ctx) -> tuple[str, str, str]:
        waiting = ctx.data.get("was") == "waiting"
        key = "kegiatan.confirm_leave_waitlist" if waiting else "kegiatan.confirm_unsignup"
        text = ctx.t(key, judul=ctx.data.get("judul", "-"))
        return text, ctx.t("kegiatan.yes_unsignup"), ctx.t("kegiatan.no_keep")

    async def on_no(self, ctx: Ctx, data: dict[str, Any]) -> None:
        await show_menu(ctx, intro=ctx.t("kegiatan.kept", judul=data.get("judul", "-")))

    async def on_yes(self, ctx: Ctx, data: dict[str, Any]) -> None:
        assert ctx.member is not None
        result = await cancel_signup(
            ctx.session, data["kegiatan_id"], ctx.member.id, ctx.now, when_text=ctx.when_text
        )
        key = {
            "cancelled": "kegiatan.cancelled_" + (result.was or "registered"),
            "not_registered": "kegiatan.not_registered",
            "finished": "kegiatan.is_finished",
        }[result.outcome]
        await show_menu(ctx, intro=ctx.t(key, judul=data.get("judul", "-")))


GIVE_UP = register_flow(GiveUpPlace())


@register_action("unsignup", MEMBERS)
async def unsignup(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    k = await ctx.session.get(Kegiatan, _int(args))
    if k is None:
        ctx.say(ctx.t("kegiatan.not_found"))
        await show_menu(ctx)
        return
    status = await signup_status(ctx.session, k.id, ctx.member.id)
    if status not in ("registered", "waiting"):
        await show_menu(ctx, intro=ctx.t("kegiatan.not_registered", judul=k.judul))
    elif has_ended(k, ctx.now) or k.status == "done":
        await show_menu(ctx, intro=ctx.t("kegiatan.is_finished"))
    else:
        await GIVE_UP.start(ctx, kegiatan_id=k.id, judul=k.judul, was=status)


@register_action("kg_mine", MEMBERS)
async def mine(ctx: Ctx, _args: list[str]) -> None:
    assert ctx.member is not None
    entries = await my_schedule(ctx.session, ctx.member.id, ctx.now)
    if not entries:
        await show_menu(ctx, intro=ctx.t("kegiatan.mine_empty"))
        return
    lines = [ctx.t("kegiatan.mine_title")]
    choices = []
    for i, entry in enumerate(entries, start=1):
        k = entry.kegiatan
        if k.status == "cancelled":
            note = ctx.t("kegiatan.mine_cancelled")
        elif entry.status == "waiting":
            note = ctx.t("kegiatan.mine_waiting", position=entry.position or "-")
        else:
            note = ctx.t("kegiatan.mine_registered")
        lines.append(f"{i}. {short_line(ctx, k)} ({note})")
        choices.append(Choice(action("kg", k.id), shorten(k.judul)))
    choices.append(Choice(action("menu"), ctx.t("kegiatan.to_menu")))
    ctx.set_flow(None)
    ctx.offer(tuple(choices))
    ctx.say("\n".join(lines), choices=tuple(choices))


@register_action("kg_ics", MEMBERS)
async def calendar(ctx: Ctx, args: list[str]) -> None:
    k = await _kegiatan(ctx, args)
    if k is None:
        return
    folder = ctx.media_dir / "ics"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"kegiatan-{k.id}-v{k.version}.ics"
    path.write_bytes(kegiatan_ics(k, ctx.tz.key))
    ctx.replies.append(
        Reply(
            text=ctx.t("kegiatan.calendar", judul=k.judul),
            document=path,
            document_name=f"kegiatan-{k.id}.ics",
        )
    )


add_entry(MenuEntry("kg_list", "menu.kegiatan", MEMBERS, 20))
add_entry(MenuEntry("kg_mine", "menu.mine", MEMBERS, 25, personal=True))
