"""A mother checks in: "hadir KODE" typed anywhere, or "Hadir" on the kegiatan's screen
and then the code.

The code decides the kegiatan. Wrong codes count against the chat like wrong one-time
codes (`models.codes`: the same counter and limit, CODE_ATTEMPTS per window), and past
the limit no code is even looked up, so codes cannot be guessed from home. A right code
outside the window, or of a cancelled kegiatan, gets its own clear word (it is no guess).
A chat that serves several mothers is asked which of them came: each button names her
and carries the code, and the action checks again that this chat may act for her and
that the code is still the kegiatan's, so a forged button checks in nobody.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from handlers.attendance.common import clock, to_menu, window
from handlers.core.context import Ctx
from handlers.core.feature import MEMBERS
from handlers.core.menu import reprompt, show_menu
from handlers.core.steps import Text
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.acting import kader_did, whom
from handlers.parse.ids import arg_id
from models.attendance.codes import kegiatan_of_code
from models.attendance.ops import check_in, line_of
from models.attendance.rules import clean_code
from models.codes import codes_refused, note_wrong_code
from models.kegiatan.tables import Kegiatan
from models.people.members import acting_member, household
from models.people.tables import Member

FLOW = "hd.code"
Taken = Literal["done", "wrong", "refused", "closed"]


class CodeForm(BaseModel):
    # 0: any kegiatan (the code decides) and the chat's own mothers (asked which).
    kegiatan_id: int = 0
    member_id: int = 0
    judul: str = ""
    code: str | None = None


async def command(ctx: Ctx, typed: str) -> None:
    """ "hadir KODE" anywhere; "hadir" alone asks for the code."""
    if not await _may_check_in(ctx):
        return
    if not typed:
        await CODE.start(ctx, CodeForm())
        return
    if await take_code(ctx, typed) != "done":
        await reprompt(ctx)


async def ask(ctx: Ctx, args: list[str]) -> None:
    """ "Hadir" on the kegiatan's screen ("a:hd.ask:42:7"): the code for that one."""
    k = await ctx.session.get(Kegiatan, arg_id(args))
    member = await acting_member(ctx.session, ctx.identity.id, arg_id(args, 1))
    if k is None or k.status == "draft" or member is None:
        await _end(ctx, ctx.t("common.unknown_choice"))
        return
    if not await _open(ctx, k):
        await _end(ctx, None)
        return
    await CODE.start(ctx, CodeForm(kegiatan_id=k.id, member_id=member.id, judul=k.judul))


async def pick(ctx: Ctx, args: list[str]) -> None:
    """One mother of the chat picked ("a:hd.in:42:7:K7WFE"), the code checked again."""
    code = args[2] if len(args) > 2 else ""
    found = None if _refused(ctx) else await _kegiatan_of(ctx, code, arg_id(args))
    if found is None or not await _open(ctx, found):
        await _end(ctx, None)
        return
    member = await acting_member(ctx.session, ctx.identity.id, arg_id(args, 1))
    if member is None:
        await _end(ctx, ctx.t("common.unknown_choice"))
        return
    ctx.finish()
    text = await _check_in(ctx, found, member)
    await _which(ctx, found, code, intro=text)


async def take_code(ctx: Ctx, typed: str, kegiatan_id: int = 0, member_id: int = 0) -> Taken:
    """Check in with a typed code; says what happened. "done": she is checked in (or
    asked which mothers came) and any flow has ended; otherwise the caller shows the
    next screen (asks again, or the menu)."""
    if _refused(ctx):
        return "refused"
    k = await _kegiatan_of(ctx, typed, kegiatan_id)
    if k is None:
        return "wrong"
    if not await _open(ctx, k):
        return "closed"
    code = clean_code(typed) or ""
    ctx.finish()
    if member_id:
        member = await acting_member(ctx.session, ctx.identity.id, member_id)
        if member is None:
            await show_menu(ctx, intro=ctx.t("common.unknown_choice"))
        else:
            await show_menu(ctx, intro=await _check_in(ctx, k, member))
        return "done"
    mothers = await _mothers(ctx)
    if len(mothers) == 1:
        await show_menu(ctx, intro=await _check_in(ctx, k, mothers[0]))
    else:
        await _which(ctx, k, code)
    return "done"


# -- the steps ------------------------------------------------------------------------------


async def _may_check_in(ctx: Ctx) -> bool:
    """Only registered people check in; a guest registers first, staff use the list."""
    if ctx.role == "guest":
        await show_menu(ctx, intro=ctx.t("common.register_first"))
        return False
    if not await _mothers(ctx):
        await show_menu(ctx, intro=ctx.t("attendance.staff_use_list"))
        return False
    return True


async def _mothers(ctx: Ctx) -> list[Member]:
    """Who this chat checks in: its registered members (not a staff account)."""
    return [m for m in await household(ctx.session, ctx.identity.id) if m.consent_at is not None]


def _refused(ctx: Ctx) -> bool:
    """Too many wrong codes from this chat lately: none is looked up (say so)."""
    if codes_refused(ctx.identity, ctx.now, ctx.config.code_limit):
        ctx.say(ctx.t("code.too_many"))
        return True
    return False


async def _kegiatan_of(ctx: Ctx, typed: str, kegiatan_id: int) -> Kegiatan | None:
    """The kegiatan of a code, or None after counting a wrong one and saying so (also a
    code of another kegiatan than the one she opened)."""
    code = clean_code(typed)
    k = await kegiatan_of_code(ctx.session, code) if code else None
    if k is None or k.status == "draft" or (kegiatan_id and k.id != kegiatan_id):
        note_wrong_code(ctx.identity, ctx.now)
        ctx.say(ctx.t("attendance.wrong_code", code=(code or typed.strip())[:12]))
        return None
    return k


async def _open(ctx: Ctx, k: Kegiatan) -> bool:
    """Whether check-in is open now; if not, say why (it is no wrong code)."""
    state = window(ctx).state(k, ctx.now)
    if state == "open":
        return True
    if state == "before":
        opens = window(ctx).opens_at(k)
        ctx.say(ctx.t("attendance.not_yet", judul=k.judul, opens=ctx.when(opens)))
    elif state == "cancelled":
        ctx.say(ctx.t("attendance.cancelled", judul=k.judul))
    else:
        ctx.say(ctx.t("attendance.ended", judul=k.judul))
    return False


async def _check_in(ctx: Ctx, k: Kegiatan, member: Member) -> str:
    by = ctx.member.id if ctx.member is not None else None
    result = await check_in(ctx.session, k.id, member.id, ctx.now, method="code", by_member_id=by)
    await kader_did(ctx, member, "checkin.for_mother", kegiatan_id=k.id)
    values = {"whom": await whom(ctx, member), "judul": k.judul}
    at = result.line.present_at or ctx.now
    if result.outcome == "already":
        return ctx.t("attendance.already", time=clock(ctx, at), **values)
    key = "attendance.present_walk_in" if result.walk_in else "attendance.present"
    return ctx.t(key, time=clock(ctx, at), **values)


async def _which(ctx: Ctx, k: Kegiatan, code: str, intro: str | None = None) -> None:
    """Which of this chat's mothers came: a button each, naming her."""
    mothers = await _mothers(ctx)
    choices: list[Choice] = []
    for m in mothers:
        line = await line_of(ctx.session, k.id, m.id)
        name = m.full_name or "-"
        if line is not None and line.status == "present":
            name = ctx.t("attendance.pick_present", name=name)
        choices.append(Choice(action("hd.in", k.id, m.id, code), name))
    text = ctx.t("attendance.which", judul=k.judul)
    ctx.show("\n".join(filter(None, [intro, text])), [*choices, to_menu(ctx)])


async def _end(ctx: Ctx, text: str | None) -> None:
    ctx.finish()
    await show_menu(ctx, intro=text)


async def _typed(ctx: Ctx, form: CodeForm) -> str | None:
    taken = await take_code(ctx, form.code or "", form.kegiatan_id, form.member_id)
    if taken == "wrong":
        return "code" if form.judul else "code_any"  # ask again: she may have misread it
    if taken != "done":
        await _end(ctx, None)
    return None


CODE: Wizard[CodeForm] = Wizard(
    FLOW,
    CodeForm,
    (
        # Opened from the kegiatan's screen: its name is in the question.
        Text(
            name="code",
            ask="attendance.ask_code_for",
            field="code",
            max_len=20,
            values=lambda _ctx, form: {"judul": form.judul},
            when=lambda form: bool(form.judul),
        ),
        Text(
            name="code_any",
            ask="attendance.ask_code",
            field="code",
            max_len=20,
            when=lambda form: not form.judul,
        ),
    ),
    roles=MEMBERS,
    done=_typed,
    cancelled="attendance.code_cancelled",
)
