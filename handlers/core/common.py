"""What works anywhere: /start (with an optional one-time code), help, language, the
menu, and switching between the mothers who share one chat.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from handlers.core.context import Ctx
from handlers.core.flow import ANYONE, MEMBERS, register_action, reprompt
from handlers.core.i18n import LANGUAGES
from handlers.core.menu import MenuEntry, add_entry, show_menu
from handlers.core.types import Choice, action
from models import OneTimeCode, utcnow
from models.people.members import household, household_member
from models.people.tables import Member

START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Later features register what a code of their purpose does (kader invitation, link…).
CodeHandler = Callable[[Ctx, OneTimeCode], Awaitable[None]]
CODE_HANDLERS: dict[str, CodeHandler] = {}


async def start_command(ctx: Ctx, payload: str) -> None:
    if payload:
        await redeem_code(ctx, payload)
        return
    if ctx.state.flow:
        ctx.say(ctx.t("common.continue_flow"))
        await reprompt(ctx)
        return
    await show_menu(ctx, intro=ctx.t("common.welcome"))


async def redeem_code(ctx: Ctx, code: str) -> None:
    row = None
    if START_PAYLOAD.match(code):
        row = await ctx.session.scalar(select(OneTimeCode).where(OneTimeCode.code == code))
    handler = CODE_HANDLERS.get(row.purpose) if row is not None else None
    if row is None or handler is None:
        ctx.say(ctx.t("code.unknown"))
    elif not row.usable(utcnow()):
        ctx.say(ctx.t("code.used_or_expired"))
    else:
        await handler(ctx, row)
        return
    await reprompt(ctx)


async def set_announcements(ctx: Ctx, *, wanted: bool) -> None:
    """BERHENTI / MULAI: announcements on or off for this chat (a chat, not a person:
    every mother on a shared phone is covered). Reminders for her kegiatan still come."""
    ctx.identity.announcements_opted_out = not wanted
    ctx.identity.opted_out_at = None if wanted else utcnow()
    ctx.say(ctx.t("optout.resumed" if wanted else "optout.stopped"))
    await reprompt(ctx)


async def show_help(ctx: Ctx) -> None:
    ctx.say(ctx.t("help.text"))
    await reprompt(ctx)


async def ask_language(ctx: Ctx) -> None:
    choices = tuple(Choice(action("setlang", code), ctx.t(f"lang.{code}")) for code in LANGUAGES)
    ctx.offer(choices)
    ctx.say(ctx.t("lang.ask"), choices=choices)


@register_action("help")
async def _help(ctx: Ctx, _args: list[str]) -> None:
    await show_help(ctx)


@register_action("lang")
async def _lang(ctx: Ctx, _args: list[str]) -> None:
    await ask_language(ctx)


@register_action("setlang")
async def _set_language(ctx: Ctx, args: list[str]) -> None:
    code = args[0] if args else ""
    if code not in LANGUAGES:
        ctx.say(ctx.t("common.unknown_choice"))
        await ask_language(ctx)
        return
    ctx.identity.language = code
    if ctx.member is not None and not ctx.member.erased:
        ctx.member.language = code
    ctx.say(ctx.t("lang.changed"))
    await reprompt(ctx)


@register_action("menu")
async def _menu(ctx: Ctx, _args: list[str]) -> None:
    ctx.set_flow(None)
    await show_menu(ctx)


@register_action("switch", MEMBERS)
async def _switch(ctx: Ctx, _args: list[str]) -> None:
    members = await household(ctx.session, ctx.identity.id)
    choices = tuple(Choice(action("use", m.id), m.full_name or "-") for m in members)
    ctx.set_flow(None)
    ctx.offer(choices)
    ctx.say(ctx.t("household.choose"), choices=choices)


@register_action("use", ANYONE)
async def _use(ctx: Ctx, args: list[str]) -> None:
    member_id = int(args[0]) if args and args[0].isdigit() else 0
    member = await household_member(ctx.session, ctx.identity.id, member_id)
    if member is None:
        ctx.say(ctx.t("common.unknown_choice"))
        await show_menu(ctx)
        return
    await switch_to(ctx, member)


async def switch_to(ctx: Ctx, member: Member) -> None:
    """Act for another mother of this chat's household from now on."""
    ctx.member = member
    ctx.state.active_member_id = member.id
    ctx.set_flow(None)
    await show_menu(ctx, intro=ctx.t("household.switched", name=member.full_name or "-"))


add_entry(MenuEntry("switch", "menu.switch", MEMBERS, 60, visible=lambda size: size > 1))
add_entry(MenuEntry("help", "menu.help", ANYONE, 90))
add_entry(MenuEntry("lang", "menu.lang", ANYONE, 95))
