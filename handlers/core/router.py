"""Sends each incoming message to the right place: an action, the current flow's step,
a word that works anywhere, or the main menu.

Order (foundation issue, item 4): a tap carries a choice id and never clashes with a
word; `menu` and `batal` always win; typed text is matched first against what the
current step offered (number or label), then against the words that work anywhere,
then given to the flow as free text. Outside a flow, unknown input gets the menu.
"""

from __future__ import annotations

import logging

from handlers.core import common
from handlers.core.context import Answer, Ctx
from handlers.core.flow import ACTIONS, FLOWS, reprompt
from handlers.core.menu import keyword_action, menu_label_action, show_menu
from handlers.core.types import ACTION_PREFIX, STEP_PREFIX, Choice, Kind, parse_action
from handlers.parse import parse_int, parse_yes_no

log = logging.getLogger(__name__)

MENU_WORDS = {"menu", "/menu", "menu utama", "main menu"}
CANCEL_WORDS = {"batal", "/batal", "cancel", "/cancel", "batalkan"}
HELP_WORDS = {"bantuan", "/bantuan", "help", "/help", "tolong", "?"}
LANGUAGE_WORDS = {"bahasa", "/bahasa", "language", "/language", "bahasa / language"}
STOP_WORDS = {"berhenti", "/berhenti", "stop", "/stop"}
RESUME_WORDS = {"mulai", "/mulai", "mulai lagi", "resume"}


def _norm(text: str) -> str:
    return " ".join(text.strip().casefold().split()).rstrip(".!")


def match_offered(text: str, offered: list[Choice]) -> Choice | None:
    """A typed answer to a menu: its number ("2", "dua"), its label, or yes/no words."""
    if not offered:
        return None
    number = parse_int(text)
    if number is not None:
        return offered[number - 1] if 1 <= number <= len(offered) else None
    word = _norm(text)
    if not word:
        return None
    for choice in offered:
        if _norm(choice.label) == word:
            return choice
    yes_no = parse_yes_no(text)
    if yes_no is not None:
        wanted = STEP_PREFIX + ("yes" if yes_no else "no")
        for choice in offered:
            if choice.id == wanted:
                return choice
    if len(word) >= 3:
        partial = [c for c in offered if word in _norm(c.label)]
        if len(partial) == 1:
            return partial[0]
    return None


async def run_action(ctx: Ctx, choice_id: str) -> None:
    name, args = parse_action(choice_id)
    spec = ACTIONS.get(name)
    if spec is None:
        ctx.say(ctx.t("common.unknown_choice"))
        await reprompt(ctx)
        return
    if ctx.role not in spec.roles:
        log.warning("refused action %s for role %s", name, ctx.role)
        guest_needs_registration = ctx.role == "guest" and "ibu" in spec.roles
        ctx.say(
            ctx.t("common.register_first" if guest_needs_registration else "common.not_allowed")
        )
        await reprompt(ctx)
        return
    await spec.handler(ctx, args)


async def answer_step(ctx: Ctx, answer: Answer) -> None:
    flow = FLOWS.get(ctx.state.flow or "")
    if flow is None or not flow.has_step(ctx.state.step):
        ctx.set_flow(None)
        await show_menu(ctx)
        return
    await flow.handle(ctx, answer)


async def route(ctx: Ctx) -> None:
    inc = ctx.incoming
    in_flow = ctx.state.flow in FLOWS
    if inc.kind is Kind.CHOICE and inc.choice:
        await _route_choice(ctx, inc.choice, in_flow)
        return
    if inc.kind is not Kind.TEXT:
        if in_flow:
            await answer_step(ctx, Answer(kind=inc.kind, incoming=inc))
        else:
            ctx.say(ctx.t("common.text_only"))
            await show_menu(ctx)
        return
    await _route_text(ctx, inc.text, in_flow)


async def _route_choice(ctx: Ctx, choice_id: str, in_flow: bool) -> None:
    if choice_id.startswith(ACTION_PREFIX):
        await run_action(ctx, choice_id)
        return
    offered_ids = {c.id for c in ctx.offered()}
    if in_flow and choice_id.startswith(STEP_PREFIX) and choice_id in offered_ids:
        value = choice_id.removeprefix(STEP_PREFIX)
        label = next(c.label for c in ctx.offered() if c.id == choice_id)
        await answer_step(ctx, Answer(kind=Kind.CHOICE, text=label, value=value))
        return
    ctx.say(ctx.t("common.stale_choice"))
    await reprompt(ctx)


async def _route_text(ctx: Ctx, text: str, in_flow: bool) -> None:
    word = _norm(text)
    if word in MENU_WORDS:
        ctx.set_flow(None)
        await show_menu(ctx)
        return
    if word in CANCEL_WORDS:
        await _cancel(ctx, in_flow)
        return
    matched = match_offered(text, ctx.offered())
    if matched is not None:
        await _route_choice(ctx, matched.id, in_flow)
        return
    if await _global_word(ctx, text, word):
        return
    menu_action = await menu_label_action(ctx, text)
    if menu_action is not None:
        await run_action(ctx, ACTION_PREFIX + menu_action)
        return
    if in_flow:
        await answer_step(ctx, Answer(kind=Kind.TEXT, text=text.strip(), incoming=ctx.incoming))
        return
    keyword = keyword_action(text)
    if keyword is not None:
        await run_action(ctx, ACTION_PREFIX + keyword)
        return
    await show_menu(ctx, intro=ctx.t("common.not_understood") if word else None)


async def _cancel(ctx: Ctx, in_flow: bool) -> None:
    if in_flow:
        ctx.set_flow(None)
        await show_menu(ctx, intro=ctx.t("common.cancelled"))
    else:
        await show_menu(ctx, intro=ctx.t("common.nothing_to_cancel"))


async def _global_word(ctx: Ctx, text: str, word: str) -> bool:
    if word in HELP_WORDS:
        await common.show_help(ctx)
        return True
    if word in LANGUAGE_WORDS:
        await common.ask_language(ctx)
        return True
    if word in STOP_WORDS or word in RESUME_WORDS:
        await common.set_announcements(ctx, wanted=word in RESUME_WORDS)
        return True
    if word == "/start" or word.startswith("/start "):
        await common.start_command(ctx, text.strip()[len("/start") :].strip())
        return True
    return False
