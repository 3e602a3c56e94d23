"""Admins invite a kader in chat ("Undang kader"): her name > her kampung (a button, its
number, or the name typed with a typo) > summary > the invitation: the code, the link
and how to type it, in a message the admin can forward to her."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from handlers.core.context import Ctx
from handlers.core.feature import ADMIN
from handlers.core.labels import kampung_label
from handlers.core.menu import show_menu
from handlers.core.steps import Option, Pick, Problem, Summary, Text
from handlers.core.wizard import Wizard
from handlers.parse.ids import read_id
from handlers.parse.places import match_place
from models.kader import Invite, InviteInvalid, create_invite
from models.location import Location, active_kampung
from models.people.rules import NAME_MAX, check_name


def invite_link(username: str | None, code: str) -> str | None:
    """The Telegram deep link, when the bot's username is known (TELEGRAM_BOT_USERNAME)."""
    name = (username or "").strip().lstrip("@")
    return f"https://t.me/{name}?start={code}" if name else None


async def place_label(ctx: Ctx, kampung_id: int | None) -> str:
    place = await ctx.session.get(Location, kampung_id or 0)
    return kampung_label(ctx.lang, place) if place is not None else "-"


class InviteForm(BaseModel):
    name: str | None = None
    kampung_id: int | None = None


def read_name(text: str) -> Any:
    checked = check_name(text)
    return Problem(f"kader.name_{checked.error}") if checked.error else checked.value


async def kampung_options(ctx: Ctx, _form: Any) -> list[tuple[str, str]]:
    return [(f"k{p.id}", kampung_label(ctx.lang, p)) for p in await active_kampung(ctx.session)]


async def kampung_of(ctx: Ctx, value: str) -> Any:
    place = await ctx.session.get(Location, read_id(value[1:]) or 0)
    if place is None or place.level != "kampung" or not place.active:
        return Problem("kader.kampung_pick")
    return place.id


async def kampung_typed(ctx: Ctx, text: str, _form: Any) -> Any:
    """ "sumbran", "Kp. Cibening": the one kampung clearly meant (shown on the summary)."""
    places = await active_kampung(ctx.session)
    found = match_place(text, [p.name for p in places])
    if len(found) != 1:
        return Problem("kader.kampung_pick")
    return places[found[0].index].id


async def render_summary(ctx: Ctx, form: InviteForm) -> str:
    return ctx.t(
        "kader.invite_summary",
        name=form.name or "-",
        kampung=await place_label(ctx, form.kampung_id),
        days=ctx.config.kader_invite_days,
    )


def invitation_texts(ctx: Ctx, invite: Invite, kampung: str) -> tuple[str, str]:
    """What the admin is told, and the message she forwards to the new kader."""
    code = invite.code.code
    until = ctx.when(invite.code.expires_at)
    link = invite_link(ctx.config.bot_username, code)
    told = ctx.t("kader.invite_made", name=invite.name, kampung=kampung, until=until)
    how = (
        ctx.t("kader.invite_link", link=link, code=code)
        if link
        else ctx.t("kader.invite_typed", code=code)
    )
    card = ctx.t("kader.invite_card", name=invite.name, kampung=kampung, how=how, until=until)
    return told, card


async def _make(ctx: Ctx, form: InviteForm) -> str | None:
    assert ctx.member is not None and form.name and form.kampung_id
    ctx.finish()
    try:
        invite = await create_invite(
            ctx.session,
            name=form.name,
            kampung_id=form.kampung_id,
            now=ctx.now,
            days=ctx.config.kader_invite_days,
            actor_member_id=ctx.member.id,
        )
    except InviteInvalid:
        await show_menu(ctx, intro=ctx.t("kader.invite_failed"))
        return None
    told, card = invitation_texts(ctx, invite, await place_label(ctx, invite.kampung_id))
    ctx.say(told)
    ctx.say(card)
    await show_menu(ctx)
    return None


INVITE: Wizard[InviteForm] = Wizard(
    "kd.invite",
    InviteForm,
    (
        Text(
            name="name",
            ask="kader.ask_name",
            max_len=2 * NAME_MAX,  # a fast guard; check_name counts exactly
            clean=read_name,
            edit="kader.edit_name",
        ),
        Pick(
            name="kampung",
            field="kampung_id",
            ask="kader.ask_kampung",
            choices=kampung_options,
            convert=kampung_of,
            typed=kampung_typed,
            problem="kader.kampung_pick",
            edit="kader.edit_kampung",
        ),
        Summary(
            name="summary",
            ask="kader.invite_summary",
            render=render_summary,
            saves=(Option("make", "kader.invite_make", _make, words=("buat", "kirim", "ya")),),
            fields=("name", "kampung"),
        ),
    ),
    roles=ADMIN,
    cancelled="kader.invite_cancelled",
)


async def start_invite(ctx: Ctx, _args: list[str]) -> None:
    await INVITE.start(ctx)
