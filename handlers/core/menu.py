"""The main menu: entries by role, shown as buttons and as a numbered list.

Later features add their entries with `add_entry`; the order number fixes the position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.core.context import Ctx
from handlers.core.i18n import LANGUAGES, t
from handlers.core.types import Choice, action
from models.people.members import household


@dataclass(frozen=True)
class MenuEntry:
    action: str
    label_key: str
    roles: frozenset[str]
    order: int
    # Extra condition, given the household size (members this chat acts for).
    visible: Callable[[int], bool] | None = None
    # About her own registration (schedule, data, erasure): hidden for staff accounts.
    personal: bool = False


ENTRIES: list[MenuEntry] = []


def add_entry(entry: MenuEntry) -> None:
    ENTRIES.append(entry)
    ENTRIES.sort(key=lambda e: e.order)


async def menu_choices(ctx: Ctx) -> tuple[Choice, ...]:
    role = ctx.role
    size = len(await household(ctx.session, ctx.identity.id))
    return tuple(
        Choice(action(e.action), ctx.t(e.label_key))
        for e in ENTRIES
        if role in e.roles
        and (e.visible is None or e.visible(size))
        and (ctx.registered or not e.personal)
    )


async def show_menu(ctx: Ctx, intro: str | None = None) -> None:
    choices = await menu_choices(ctx)
    lines = [intro] if intro else []
    if ctx.member is not None and not ctx.member.erased and ctx.member.full_name:
        lines.append(ctx.t("menu.as_member", name=ctx.member.full_name))
    lines.append(ctx.t("menu.title"))
    ctx.offer(choices)
    ctx.say("\n".join(lines), choices=choices, menu=True)


def keyword_action(text: str) -> str | None:
    """The menu entry a typed word opens from outside a flow ("daftar", "ubah data")."""
    word = text.strip().casefold()
    for e in ENTRIES:
        for lang in LANGUAGES:
            if word in (w.strip().casefold() for w in t(lang, e.label_key + ".words").split(",")):
                return e.action
    return None


async def menu_label_action(ctx: Ctx, text: str) -> str | None:
    """A main-menu label typed or sent by a keyboard button, in any language: its action.

    Telegram's persistent menu keyboard sends labels as text, even in the middle of a flow.
    """
    word = " ".join(text.split()).casefold()
    role = ctx.role
    for e in ENTRIES:
        if role in e.roles and any(t(lang, e.label_key).casefold() == word for lang in LANGUAGES):
            return e.action
    return None
