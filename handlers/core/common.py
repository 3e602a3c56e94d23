"""What works anywhere: /start (with an optional one-time code, see `handlers.core.codes`),
help, language, the menu and "Lainnya", BERHENTI/MULAI. The core feature every engine has."""

from __future__ import annotations

from handlers.core.codes import redeem_code
from handlers.core.context import Ctx
from handlers.core.feature import ANYONE, Action, Feature, MenuEntry
from handlers.core.i18n import LANGUAGES
from handlers.core.menu import reprompt, show_menu, show_more
from handlers.core.types import Choice, action
from models import utcnow


async def start_command(ctx: Ctx, payload: str) -> None:
    if payload:
        await redeem_code(ctx, payload)
        return
    if ctx.state.flow:
        ctx.say(ctx.t("common.continue_flow"))
        await reprompt(ctx)
        return
    await show_menu(ctx, intro=ctx.t(welcome_key(ctx)))


def welcome_key(ctx: Ctx) -> str:
    """Staff are not greeted as a mother of a kampung."""
    return "common.welcome_staff" if ctx.role in ("admin", "kader") else "common.welcome"


async def set_announcements(ctx: Ctx, *, wanted: bool) -> None:
    """BERHENTI / MULAI: announcements on or off for this chat (a chat, not a person:
    every mother on a shared phone is covered)."""
    ctx.identity.announcements_opted_out = not wanted
    ctx.identity.opted_out_at = None if wanted else utcnow()
    ctx.say(ctx.t("optout.resumed" if wanted else "optout.stopped"))
    await reprompt(ctx)


async def show_help(ctx: Ctx) -> None:
    ctx.say(ctx.t("help.text"))
    await reprompt(ctx)


async def ask_language(ctx: Ctx) -> None:
    choices = tuple(
        Choice(action("core.setlang", code), ctx.t(f"lang.{code}")) for code in LANGUAGES
    )
    ctx.offer(choices)
    ctx.say(ctx.t("lang.ask"), choices=choices)


async def _help(ctx: Ctx, _args: list[str]) -> None:
    await show_help(ctx)


async def _lang(ctx: Ctx, _args: list[str]) -> None:
    await ask_language(ctx)


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


async def _menu(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    await show_menu(ctx)


async def _more(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    await show_more(ctx)


CORE = Feature(
    name="core",
    prefix="core",
    actions=(
        Action("core.menu", _menu, ANYONE),
        Action("core.more", _more, ANYONE),
        Action("core.help", _help, ANYONE),
        Action("core.lang", _lang, ANYONE),
        Action("core.setlang", _set_language, ANYONE),
    ),
    menu=(
        MenuEntry("core.help", "menu.help", ANYONE, 90),
        MenuEntry("core.lang", "menu.lang", ANYONE, 95, group="more"),
    ),
    aliases={
        "menu": "core.menu",
        "help": "core.help",
        "lang": "core.lang",
        "setlang": "core.setlang",
    },
)
