"""What a message means, decided in one place for every flow and screen, in this order:

(a) a tapped button (its choice id);
(b) a whole message "kode <code>" (a one-time code typed, as `/start <code>` from a link)
    or a feature's command with its argument ("hadir <check-in code>");
    a whole message that is an escape word (menu, batal, bantuan, bahasa, BERHENTI,
    MULAI, /start), unless a choice on the current screen starts with that word
    ("Batal ikut"), which then wins;
(c) the current step's own type: on a text, number, date or time step what she types is
    read as that ("1" on the kuota step is one seat); its shortcuts are reached by their
    word or button, never by a typed number;
(d) the current screen's choices, by number or by label (whole words or a label's start,
    never a piece of another word; yes/no words pick the yes/no choice);
(e) words that work anywhere (greetings, the menu's keywords).

The screen is what she last saw: the last reply's choices, or the buttons of a message
the outbox delivered after it (a notice with "Kembalikan tempat").
"""

from __future__ import annotations

import logging
from dataclasses import replace

from handlers.core import common
from handlers.core.codes import redeem_code, typed_code
from handlers.core.context import Answer, Ctx
from handlers.core.delivery import render_outbox
from handlers.core.feature import Flow, refusal_key
from handlers.core.menu import (
    keyword_action,
    menu_choices,
    menu_label_action,
    reprompt,
    show_menu,
)
from handlers.core.types import ACTION_PREFIX, STEP_PREFIX, Choice, Kind, parse_action
from handlers.parse import parse_int, parse_yes_no
from handlers.parse.words import has_words, norm, starts_with_words
from models.outbox.delivery import last_delivered_since

log = logging.getLogger(__name__)

ESCAPES = {
    "menu": {"menu", "/menu", "menu utama", "main menu", "kembali ke menu"},
    "cancel": {"batal", "/batal", "cancel", "/cancel", "batalkan", "gak jadi", "tidak jadi"},
    "help": {"bantuan", "/bantuan", "help", "/help", "tolong", "?"},
    "lang": {"bahasa", "/bahasa", "language", "/language", "bahasa / language"},
    "stop": {"berhenti", "/berhenti", "stop", "/stop"},
    "resume": {"mulai", "/mulai", "mulai lagi", "resume"},
}
GREETINGS = {
    "halo",
    "hallo",
    "helo",
    "hai",
    "hi",
    "hello",
    "assalamualaikum",
    "assalamu'alaikum",
    "assalamu alaikum",
    "asalamualaikum",
    "salam",
    "selamat pagi",
    "selamat siang",
    "selamat sore",
    "selamat malam",
    "pagi",
    "siang",
    "sore",
    "permisi",
    "punten",
}


def escape_of(word: str) -> str | None:
    if word == "/start" or word.startswith("/start "):
        return "start"
    return next((name for name, words in ESCAPES.items() if word in words), None)


def _yes_like(choice: Choice) -> bool | None:
    value = choice.id.removeprefix(STEP_PREFIX) if choice.is_step_answer else ""
    if value in ("yes", "save") or value.startswith(("yes.", "save.")):
        return True
    if value == "no" or value.startswith("no."):
        return False
    first = norm(choice.label).split(",")[0].split()
    return parse_yes_no(first[0]) if first else None


def match_screen(text: str, screen: list[Choice]) -> tuple[Choice | None, bool]:
    """The choice a typed answer names, and whether it named several (then ask which)."""
    if not screen:
        return None, False
    word = norm(text)
    if not word:
        return None, False
    number = parse_int(word)
    if number is not None:
        return (screen[number - 1] if 1 <= number <= len(screen) else None), False
    exact = [c for c in screen if norm(c.label) == word or word in (norm(w) for w in c.words)]
    if len(exact) == 1:
        return exact[0], False
    yes_no = parse_yes_no(text)
    if yes_no is not None:
        picked = [c for c in screen if _yes_like(c) is yes_no]
        if len(picked) == 1:
            return picked[0], False
    for rule in (starts_with_words, has_words):
        hits = [c for c in screen if rule(c.label, word)]
        if len(hits) == 1:
            return hits[0], False
        if len(hits) > 1:
            return None, True
    return None, False


def _flow(ctx: Ctx) -> Flow | None:
    flow = ctx.registry.flow(ctx.state.flow)
    return flow if flow is not None and flow.has_step(ctx.state.step) else None


async def run_action(ctx: Ctx, choice_id: str) -> None:
    name, args = parse_action(choice_id)
    spec = ctx.registry.action(name)
    if spec is None:
        ctx.say(ctx.t("common.unknown_choice"))
        await reprompt(ctx)
        return
    if ctx.role not in spec.roles:
        # A tapped id she was never offered is worth a warning; a typed word is not.
        tapped = ctx.incoming.kind is Kind.CHOICE
        log.log(logging.WARNING if tapped else logging.INFO, "refused action %s for role %s",
                spec.name, ctx.role)  # fmt: skip
        ctx.say(ctx.t(refusal_key(ctx.role, spec.roles)))
        await reprompt(ctx)
        return
    await spec.handler(ctx, args)


async def answer_step(ctx: Ctx, answer: Answer) -> None:
    flow = _flow(ctx)
    if flow is None:
        ctx.finish()
        await show_menu(ctx)
        return
    await flow.handle(ctx, answer)


async def _screen(ctx: Ctx) -> list[Choice]:
    """The choices typed numbers and labels refer to now."""
    if ctx.state.updated_at is not None:
        notice = await last_delivered_since(ctx.session, ctx.identity.id, ctx.state.updated_at)
        if notice is not None:
            try:
                return list(render_outbox(notice, ctx.lang).choices)
            except ValueError:
                return []
    return ctx.offered()


async def _forget_stale_flow(ctx: Ctx) -> None:
    """A flow this version cannot read, or one left half-done for too long, ends with a
    short note; the message is then read as if no flow were running."""
    if not ctx.state.flow:
        return
    if _flow(ctx) is None:
        ctx.finish()
        ctx.say(ctx.t("kit.reset"))
        return
    updated = ctx.state.updated_at
    if updated is not None:
        if updated.tzinfo is None:  # SQLite returns naive UTC
            updated = updated.replace(tzinfo=ctx.now.tzinfo)
        if ctx.now - updated > ctx.config.flow_idle:
            ctx.finish()
            ctx.say(ctx.t("kit.expired"))


async def route(ctx: Ctx) -> None:
    if "\x00" in ctx.incoming.text:
        # A NUL character means nothing to anyone, and PostgreSQL can keep it neither in
        # text nor in JSON (her answers wait in the conversation state): it goes first.
        ctx.incoming = replace(ctx.incoming, text=ctx.incoming.text.replace("\x00", ""))
    await _forget_stale_flow(ctx)
    inc = ctx.incoming
    flow = _flow(ctx)
    if inc.kind is Kind.CHOICE and inc.choice:
        await _route_choice(ctx, inc.choice, flow)
        return
    if inc.kind is not Kind.TEXT:
        if flow is not None:  # the step says what it takes instead
            await answer_step(ctx, Answer(kind=inc.kind, text=inc.text, incoming=inc))
        else:
            ctx.say(ctx.t("common.text_only"))
            await show_menu(ctx)
        return
    await _route_text(ctx, inc.text, flow)


async def _route_choice(ctx: Ctx, choice_id: str, flow: Flow | None) -> None:
    if choice_id.startswith(ACTION_PREFIX):
        await run_action(ctx, choice_id)
        return
    offered = {c.id: c for c in ctx.offered()}
    if flow is not None and choice_id.startswith(STEP_PREFIX) and choice_id in offered:
        value = choice_id.removeprefix(STEP_PREFIX)
        label = offered[choice_id].label
        await answer_step(ctx, Answer(kind=Kind.CHOICE, text=label, value=value))
        return
    ctx.say(ctx.t("common.stale_choice"))
    await reprompt(ctx)


async def _route_text(ctx: Ctx, text: str, flow: Flow | None) -> None:
    # "kode <code>": a one-time code typed (an invitation), like /start <code>.
    code = typed_code(text)
    if code is not None:
        await redeem_code(ctx, code)
        return
    # A feature's typed command ("hadir K7WFE": a check-in code), just as anywhere.
    command = ctx.registry.command(text)
    if command is not None:
        await command[0](ctx, command[1])
        return
    word = norm(text)
    screen = await _screen(ctx)
    # (b) escape words, unless the screen offers a choice starting with the word.
    escape = escape_of(word)
    if escape is not None:
        starting = [
            c
            for c in screen
            if starts_with_words(c.label, word) or word in (norm(w) for w in c.words)
        ]
        if len(starting) == 1:
            await _route_choice(ctx, starting[0].id, flow)
            return
        # "gak jadi" / "tidak jadi" on a yes/no question is its "no", not a cancel.
        if escape == "cancel" and parse_yes_no(text) is False:
            no = [c for c in screen if _yes_like(c) is False]
            if len(no) == 1:
                await _route_choice(ctx, no[0].id, flow)
                return
        await _escape(ctx, escape, text, flow)
        return
    # A main-menu label, typed or sent by Telegram's menu keyboard: a tap in effect.
    # The question on screen wins when one of its choices starts with the typed words: an
    # admin typing "ibu binaan" at "untuk siapa?" means "Ibu binaan saja", not the
    # kader's "Ibu binaan" list.
    label_action = menu_label_action(ctx, text)
    answers_screen = [c for c in screen if starts_with_words(c.label, word)]
    if label_action is not None and len(answers_screen) != 1:
        await run_action(ctx, ACTION_PREFIX + label_action)
        return
    # (c) the step's own type.
    if flow is not None and flow.step_kind(ctx.state.step) != "choice":
        await answer_step(ctx, Answer(kind=Kind.TEXT, text=text.strip(), incoming=ctx.incoming))
        return
    # (d) the screen's choices.
    matched, several = match_screen(text, screen)
    if matched is not None:
        await _route_choice(ctx, matched.id, flow)
        return
    if several:
        ctx.say(ctx.t("common.which_one"))
        await reprompt(ctx)
        return
    # (e) words that work anywhere.
    if word in GREETINGS:
        staff = ctx.role in ("admin", "kader")
        ctx.say(ctx.t("common.greeting_staff" if staff else "common.greeting"))
        await reprompt(ctx)
        return
    if flow is not None:
        await answer_step(ctx, Answer(kind=Kind.TEXT, text=text.strip(), incoming=ctx.incoming))
        return
    bare = ctx.registry.commands.get(word)
    if bare is not None:  # "hadir" alone: the command asks for what should follow
        await bare(ctx, "")
        return
    keyword = keyword_action(ctx, text)
    if keyword is not None:
        await run_action(ctx, ACTION_PREFIX + keyword)
        return
    # Not understood on a screen other than the menu (a kegiatan's page, a list): that
    # screen's choices again, so she keeps her place instead of landing on the menu.
    if word and screen and [c.id for c in screen] != [c.id for c in await menu_choices(ctx)]:
        ctx.show(ctx.t("common.not_understood_screen"), screen)
        return
    await show_menu(ctx, intro=ctx.t("common.not_understood") if word else None)


async def _escape(ctx: Ctx, escape: str, text: str, flow: Flow | None) -> None:
    if escape == "menu":
        ctx.finish()
        await show_menu(ctx)
    elif escape == "cancel":
        if flow is not None:
            await flow.cancel(ctx)
        else:
            await show_menu(ctx, intro=ctx.t("common.nothing_to_cancel"))
    elif escape == "help":
        await common.show_help(ctx)
    elif escape == "lang":
        await common.ask_language(ctx)
    elif escape in ("stop", "resume"):
        await common.set_announcements(ctx, wanted=escape == "resume")
    else:
        await common.start_command(ctx, text.strip()[len("/start") :].strip())
