"""What the kader's screens share: the scope rule (a kader sees the mothers of her own
kampung, an admin all), how a mother is reached in words ("Telegram", "lewat kader"), and
one mother's screen with what her kader can do for her."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.i18n import format_date_local
from handlers.core.labels import kampung_label, shorten
from handlers.core.menu import show_menu
from handlers.core.types import Choice, action
from handlers.kegiatan.mothers import short_when, to_menu
from handlers.parse.ids import read_id
from handlers.voice.setting import kader_choice
from models.kegiatan.queries import my_schedule
from models.location import Location
from models.member_import import linkable
from models.people.binaan import SPOKEN, MotherLine, in_scope, mother_line, through_kader
from models.people.members import acting_kader_id, belongs_to
from models.people.rules import format_phone, format_rt_rw
from models.people.tables import Member

ADMIN_ROLE = "admin"
NAME_LIMIT = 20
CHANNELS = ("telegram", "whatsapp", "console")


def staff(ctx: Ctx) -> Member | None:
    """The kader (or admin) this chat acts as; None when the active member is neither."""
    if ctx.member is None or ctx.member.erased or ctx.role not in ("kader", ADMIN_ROLE):
        return None
    return ctx.member


async def mother_for(ctx: Ctx, raw: str | None) -> Member | None:
    """The mother a button or typed id names, if this kader may see her; otherwise say
    why (not found, or of another kampung) and show the menu."""
    viewer = staff(ctx)
    found = await ctx.session.get(Member, read_id(raw) or 0)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return None
    if found is None or found.erased or found.role != "ibu":
        await show_menu(ctx, intro=ctx.t("binaan.not_found"))
        return None
    if not in_scope(viewer, found):
        await show_menu(ctx, intro=ctx.t("binaan.other_kampung"))
        return None
    return found


def reached_by(ctx: Ctx, line: MotherLine) -> str:
    """ "Telegram", "lewat kader", "lewat kader (tidak aktif)", "belum ada HP"."""
    if line.channels:
        return "+".join(channel_name(ctx, c) for c in line.channels)
    if line.kader_id is not None and line.kader_active:
        return ctx.t("binaan.via_kader")
    if through_kader(line.member):
        return ctx.t("binaan.via_kader_inactive")
    if line.member.consent_at is None:
        return ctx.t("link.not_linked")  # imported from the kelurahan's list
    return ctx.t("binaan.no_chat")


def channel_name(ctx: Ctx, channel: str) -> str:
    return ctx.t(f"binaan.channel.{channel}") if channel in CHANNELS else channel


def line_label(ctx: Ctx, line: MotherLine) -> str:
    m = line.member
    name = shorten(m.full_name or "-", NAME_LIMIT)
    return f"{name} · {format_rt_rw(m.rt, m.rw)} · {reached_by(ctx, line)}"


def _how_reached(ctx: Ctx, line: MotherLine, viewer: Member) -> str:
    if line.channels:
        return ctx.t("binaan.reached_own", channels=reached_by(ctx, line))
    if line.kader_id is not None and line.kader_active:
        if line.kader_id == viewer.id:
            return ctx.t("binaan.reached_you")
        return ctx.t("binaan.reached_kader", kader=line.kader_name or "-")
    if through_kader(line.member):
        return ctx.t("binaan.reached_nobody", kader=line.kader_name or "-")
    if line.member.consent_at is None:
        return ctx.t("link.reached_imported")
    return ctx.t("binaan.reached_none")


async def show_mother(ctx: Ctx, mother: Member) -> None:
    """Her details, her kegiatan, and what this chat can do for her."""
    viewer = staff(ctx)
    if viewer is None:
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    line = await mother_line(ctx.session, mother)
    place = await ctx.session.get(Location, mother.kampung_id or 0)
    lines = [
        ctx.t("binaan.detail_name", name=mother.full_name or "-"),
        ctx.t(
            "binaan.detail_place",
            kampung=kampung_label(ctx.lang, place) if place else "-",
            rtrw=format_rt_rw(mother.rt, mother.rw),
        ),
        ctx.t(
            "binaan.detail_phone",
            phone=format_phone(mother.phone_e164) if mother.phone_e164 else ctx.t("reg.phone_none"),
        ),
        _how_reached(ctx, line, viewer),
    ]
    if mother.consent_at is not None:
        day = format_date_local(mother.consent_at, ctx.lang, ctx.tz)
        key = "binaan.consent_spoken" if mother.consent_method == SPOKEN else "binaan.consent_chat"
        lines.append(ctx.t(key, date=day))
    entries = await my_schedule(ctx.session, mother.id, ctx.now)
    for entry in entries:
        state = "cancelled" if entry.kegiatan.status == "cancelled" else entry.status
        note = ctx.t(f"binaan.status_{state}", position=entry.position or "-")
        lines.append(f"• {short_when(ctx, entry.kegiatan)} {entry.kegiatan.judul} ({note})")
    choices: list[Choice] = []
    mine = await acting_kader_id(ctx.session, ctx.identity.id, mother) is not None
    if mine and not await belongs_to(ctx.session, ctx.identity.id, mother.id):
        choices.append(Choice(action("kg.list", 0, mother.id), ctx.t("binaan.btn_kegiatan")))
        if entries:
            choices.append(Choice(action("kg.mine", mother.id), ctx.t("binaan.btn_schedule")))
        choices.append(Choice(action("mb.erase_for", mother.id), ctx.t("binaan.btn_erase")))
    elif through_kader(mother) and not line.kader_active:
        lines.append(ctx.t("binaan.take_hint"))
        choices.append(Choice(action("bn.take", mother.id), ctx.t("binaan.btn_take")))
    if await linkable(ctx.session, mother):
        # No chat of her own yet: a code she types on her phone links it (her consent there).
        choices.append(Choice(action("bn.code", mother.id), ctx.t("link.btn_code")))
    voice = await kader_choice(ctx, mother)  # "Selalu kirim suara", if hers to set
    if voice is not None:
        choices.append(voice)
    back = action("bn.list", mother.kampung_id or 0, 0)
    choices.append(Choice(back, ctx.t("binaan.back_to_list")))
    choices.append(to_menu(ctx))
    ctx.finish()
    ctx.show("\n".join(lines), choices)
