"""The main menu: entries by role from the registered features, shown as buttons and as a
numbered list. Small phones: the frequent items first (at most five), the rest
("Ubah data", "Bahasa", "Hapus data") under "Lainnya"."""

from __future__ import annotations

from typing import Literal

from handlers.core.context import Ctx
from handlers.core.feature import MenuEntry
from handlers.core.i18n import LANGUAGES, t
from handlers.core.types import Choice, action
from handlers.parse.words import norm

MORE_ACTION = "core.more"
MAIN_LIMIT = 5


async def _entries(ctx: Ctx, *groups: Literal["main", "more"]) -> list[list[MenuEntry]]:
    """Her entries of each group asked for (the household is read once: a menu shows
    both groups, and each read is a round trip on every "menu")."""
    role = ctx.role
    size = await ctx.household_size()
    return [
        [
            e
            for e in ctx.registry.menu
            if role in e.roles
            and e.group == group
            and (e.visible is None or e.visible(size))
            and (ctx.registered or not e.personal)
        ]
        for group in groups
    ]


async def menu_choices(ctx: Ctx) -> tuple[Choice, ...]:
    main, more = await _entries(ctx, "main", "more")
    if len(main) > MAIN_LIMIT:
        # Not expected (features keep the main group small); keep the order, move the rest.
        main, more = main[:MAIN_LIMIT], main[MAIN_LIMIT:] + more
    choices = [Choice(action(e.action), ctx.t(e.label_key)) for e in main]
    if more:
        choices.append(Choice(action(MORE_ACTION), ctx.t("menu.more")))
    return tuple(choices)


async def show_menu(ctx: Ctx, intro: str | None = None) -> None:
    choices = await menu_choices(ctx)
    lines = [intro] if intro else []
    if ctx.member is not None and not ctx.member.erased and ctx.member.full_name:
        lines.append(ctx.t("menu.as_member", name=ctx.member.full_name))
    lines.append(ctx.t("menu.title"))
    ctx.offer(choices)
    ctx.say("\n".join(lines), choices=choices, menu=True)


async def end_flow(ctx: Ctx, intro: str) -> None:
    """End the running flow and show the menu, saying first what happened."""
    ctx.finish()
    await show_menu(ctx, intro=intro)


async def show_more(ctx: Ctx) -> None:
    [entries] = await _entries(ctx, "more")
    choices = [Choice(action(e.action), ctx.t(e.label_key)) for e in entries]
    choices.append(Choice(action("core.menu"), ctx.t("menu.back")))
    ctx.show(ctx.t("menu.more_title"), choices)


def keyword_action(ctx: Ctx, text: str) -> str | None:
    """The menu entry a typed word opens ("daftar", "ubah data"); entries of her own role
    first, then any (the action then says kindly that it is not for her)."""
    word = norm(text)
    role = ctx.role
    entries = sorted(ctx.registry.menu, key=lambda e: role not in e.roles)
    for e in entries:
        for lang in LANGUAGES:
            if word in (norm(w) for w in t(lang, e.label_key + ".words").split(",")):
                return e.action
    return None


def menu_label_action(ctx: Ctx, text: str) -> str | None:
    """A main-menu label typed or sent by a keyboard button, in any language: its action.

    Telegram's persistent menu keyboard sends labels as text, even in the middle of a flow.
    """
    word = norm(text)
    role = ctx.role
    for e in ctx.registry.menu:
        if role in e.roles and any(norm(t(lang, e.label_key)) == word for lang in LANGUAGES):
            return e.action
    if any(norm(t(lang, "menu.more")) == word for lang in LANGUAGES):
        return MORE_ACTION
    return None


async def reprompt(ctx: Ctx) -> None:
    """Show the current step again, or the menu when no flow is running."""
    flow = ctx.registry.flow(ctx.state.flow)
    if flow is not None and flow.has_step(ctx.state.step):
        await flow.ask(ctx)
    else:
        ctx.finish()
        await show_menu(ctx)
