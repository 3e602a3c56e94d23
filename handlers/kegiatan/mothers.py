"""The mothers' side of kegiatan: browse upcoming sessions (guests too), see one, sign up
or join the waiting list, give up a seat, "Jadwal saya", and the .ics calendar file.

Every button is a self-contained action naming its kegiatan and, where it acts for
someone, her member record ("a:kg.unsignup:42:7"): the action checks that this chat may
act for her (own chat, shared household chat, or her kader's chat), never "whoever is
active", so buttons on old messages and notices keep working and a shared phone cannot act
for the wrong mother. A kader acting for a mother without a chat of her own reaches the
same screens with the mother's id added ("a:kg.list:0:7", "a:kg.show:42:7", "a:kg.mine:7");
what she does for her is recorded as done by the kader.
"""

from __future__ import annotations

from babel import Locale
from babel.dates import format_datetime
from pydantic import BaseModel

from handlers.attendance import screen as attendance
from handlers.core.context import Ctx
from handlers.core.feature import MEMBERS
from handlers.core.i18n import catalog, format_time_local
from handlers.core.labels import shorten
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Confirm, Option
from handlers.core.types import Choice, Reply, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.acting import for_other, kader_did, to_her, whom
from handlers.parse.ids import arg_id
from models.files import private_dir, write_private
from models.kegiatan.ics import kegiatan_ics
from models.kegiatan.notices import unsignup_action
from models.kegiatan.queries import my_schedule, overlapping, signup_status, upcoming_for_member
from models.kegiatan.signups import cancel_signup, is_for_kampung, sign_up, waitlist_position
from models.kegiatan.tables import Kegiatan, has_ended, seats_left
from models.people.members import acting_member, household
from models.people.tables import Member

PAGE = 5
LABEL_LIMIT = 44
# Typed on her kegiatan or schedule, these mean giving up the seat (with the confirmation).
GIVE_UP_WORDS = ("batal", "batal ikut", "gak jadi ikut", "ga jadi ikut", "tidak jadi ikut")
SIGN_UP_WORDS = ("daftar", "ikut", "daftar tunggu", "sign up")
TO_MENU = "core.menu"


# -- small texts -----------------------------------------------------------------------------


def plural(ctx: Ctx, key: str, count: int, **values: object) -> str:
    """ "1 seat left" / "3 seats left": the catalog holds `<key>.one` and `<key>.other`
    (Indonesian has one form, so both say the same there)."""
    form = Locale.parse(ctx.lang).plural_form(count)
    full = f"{key}{form}"
    if full not in catalog(ctx.lang):
        full = f"{key}other"
    return ctx.t(full, count=count, **values)


def short_when(ctx: Ctx, k: Kegiatan) -> str:
    """ "Kam 3 Des 10.00": day, date and time, short enough for a button."""
    local = k.starts_at.astimezone(ctx.tz)
    return format_datetime(local, ctx.t("kegiatan.fmt_line"), tzinfo=ctx.tz, locale=ctx.lang)


def line_label(ctx: Ctx, k: Kegiatan) -> str:
    """One short line: day, date, time, title (the place is on the detail)."""
    return shorten(f"{short_when(ctx, k)} · {k.judul}", LABEL_LIMIT)


def seats_text(ctx: Ctx, k: Kegiatan) -> str:
    left = seats_left(k)
    if left is None:
        return ctx.t("kegiatan.seats_unlimited")
    return plural(ctx, "kegiatan.seats_left.", left) if left else ctx.t("kegiatan.seats_full")


def to_menu(ctx: Ctx) -> Choice:
    return Choice(action(TO_MENU), ctx.t("kegiatan.to_menu"))


async def _nothing(ctx: Ctx, text: str, her: Member | None) -> None:
    """Nothing to list: the menu, or for her kader the way back to her."""
    if her is None:
        await show_menu(ctx, intro=text)
    else:
        ctx.show(text, [to_her(ctx, her), to_menu(ctx)])


async def _kegiatan(ctx: Ctx, args: list[str]) -> Kegiatan | None:
    found = await ctx.session.get(Kegiatan, arg_id(args))
    if found is None or found.status == "draft":
        await end_flow(ctx, ctx.t("kegiatan.not_found"))
        return None
    return found


async def _named_member(ctx: Ctx, args: list[str], index: int) -> Member | None:
    """The member a button names, if this chat may act for her; a button from before
    members were named acts for the active member. None: say so and show the menu."""
    if len(args) > index:
        member = await acting_member(ctx.session, ctx.identity.id, arg_id(args, index))
    else:
        member = ctx.member if ctx.member is not None and not ctx.member.erased else None
    if member is None:
        await end_flow(ctx, ctx.t("common.unknown_choice"))
    return member


# -- browsing ----------------------------------------------------------------------------------


async def list_upcoming(ctx: Ctx, args: list[str]) -> None:
    offset = arg_id(args)
    member = ctx.member if ctx.role != "guest" else None
    her: tuple[int, ...] = ()  # her kader browsing for her: ("a:kg.list:0:7")
    if len(args) > 1:
        member = await _named_member(ctx, args, 1)
        if member is None:
            return
        her = (member.id,) if await for_other(ctx, member) else ()
    page = await upcoming_for_member(ctx.session, member, ctx.now, offset, PAGE)
    ctx.finish()
    if not page.items:
        key = "kegiatan.none" if offset == 0 else "kegiatan.no_more"
        await _nothing(ctx, ctx.t(key), member if her else None)
        return
    title = ctx.t(
        "kegiatan.list_title", first=offset + 1, last=offset + len(page.items), total=page.total
    )
    if her and member is not None:
        title = ctx.t("outbox.for_member", name=member.full_name or "-") + "\n" + title
    choices = [Choice(action("kg.show", k.id, *her), line_label(ctx, k)) for k in page.items]
    if offset + PAGE < page.total:
        choices.append(Choice(action("kg.list", offset + PAGE, *her), ctx.t("kegiatan.next")))
    if offset > 0:
        back = action("kg.list", max(0, offset - PAGE), *her)
        choices.append(Choice(back, ctx.t("kegiatan.prev")))
    if her and member is not None:
        choices.append(to_her(ctx, member))
    choices.append(to_menu(ctx))
    ctx.show(title, choices)


def _until(ctx: Ctx, k: Kegiatan) -> str:
    same_day = k.starts_at.astimezone(ctx.tz).date() == k.ends_at.astimezone(ctx.tz).date()
    return format_time_local(k.ends_at, ctx.lang, ctx.tz) if same_day else ctx.when(k.ends_at)


def give_up_choice(ctx: Ctx, k: Kegiatan, member: Member, status: str) -> Choice:
    key = "kegiatan.btn_leave_waitlist" if status == "waiting" else "kegiatan.btn_unsignup"
    return Choice(unsignup_action(k.id, member.id), ctx.t(key), GIVE_UP_WORDS)


async def show_detail(ctx: Ctx, args: list[str]) -> None:
    k = await _kegiatan(ctx, args)
    if k is None:
        return
    member = ctx.member if ctx.role != "guest" else None
    her: tuple[int, ...] = ()  # her kader looking for her: ("a:kg.show:42:7")
    if len(args) > 1:
        member = await _named_member(ctx, args, 1)
        if member is None:
            return
        her = (member.id,) if await for_other(ctx, member) else ()
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
    status = await signup_status(ctx.session, k.id, member.id) if member else None
    if k.status == "cancelled":
        lines.append(ctx.t("kegiatan.is_cancelled"))
    elif has_ended(k, ctx.now) or k.status == "done":
        lines.append(ctx.t("kegiatan.is_finished"))
    else:
        lines.append(seats_text(ctx, k))
        if member is not None and status == "registered":
            lines.append(ctx.t("kegiatan.you_registered", whom=await whom(ctx, member)))
            choices.append(Choice(action("kg.ics", k.id), ctx.t("kegiatan.btn_calendar")))
            choices.append(give_up_choice(ctx, k, member, "registered"))
        elif member is not None and status == "waiting":
            position = await waitlist_position(ctx.session, k.id, member.id)
            lines.append(
                ctx.t(
                    "kegiatan.you_waiting", whom=await whom(ctx, member), position=position or "-"
                )
            )
            choices.append(give_up_choice(ctx, k, member, "waiting"))
        elif k.status != "open":
            lines.append(ctx.t("kegiatan.is_closed"))
        elif member is None:
            # A guest may look; taking part starts with registering.
            lines.append(ctx.t("kegiatan.guest_register"))
            choices.append(Choice(action("mb.register"), ctx.t("kegiatan.btn_register")))
        elif not await is_for_kampung(ctx.session, k.id, member.kampung_id):
            lines.append(ctx.t("kegiatan.refused_not_for_her_kampung"))
        else:
            full = seats_left(k) == 0
            key = "kegiatan.btn_waitlist" if full else "kegiatan.btn_signup"
            signup_id = action("kg.signup", k.id, member.id)
            choices.append(Choice(signup_id, ctx.t(key), SIGN_UP_WORDS))
    # Attendance: "Hadir" while check-in is open; the code for her kader and admins.
    her_lines, her_choices = await attendance.for_mother(ctx, k, member)
    staff_lines, staff_choices = ([], []) if her else await attendance.for_staff(ctx, k)
    lines += her_lines + staff_lines
    choices += her_choices + staff_choices
    choices.append(Choice(action("kg.list", 0, *her), ctx.t("kegiatan.back_to_list")))
    if her and member is not None:
        lines.insert(0, ctx.t("outbox.for_member", name=member.full_name or "-"))
        choices.append(to_her(ctx, member))
    choices.append(to_menu(ctx))
    ctx.finish()
    ctx.show("\n".join(lines), choices)


# -- signing up ----------------------------------------------------------------------------------


async def signup(ctx: Ctx, args: list[str]) -> None:
    member = await _named_member(ctx, args, 1)
    if member is None:
        return
    ctx.finish()
    result = await sign_up(ctx.session, arg_id(args), member.id, ctx.now)
    k = result.kegiatan
    outcome = result.outcome
    if k is None or outcome == "not_found":
        await show_menu(ctx, intro=ctx.t("kegiatan.not_found"))
        return
    after = [Choice(action("kg.mine"), ctx.t("menu.mine")), to_menu(ctx)]
    if await for_other(ctx, member):
        after = [to_her(ctx, member), to_menu(ctx)]
    await kader_did(ctx, member, "signup.for_mother", kegiatan_id=k.id, outcome=outcome)
    who = await whom(ctx, member)
    choices: list[Choice]
    if outcome in ("registered", "already_registered"):
        text = ctx.t(
            f"kegiatan.{outcome}",
            whom=who,
            judul=k.judul,
            when=ctx.when(k.starts_at),
            tempat=k.tempat,
        )
        clash = await overlapping(ctx.session, member.id, k)
        if clash:
            text += "\n" + ctx.t(
                "kegiatan.overlap", judul=clash[0].judul, when=ctx.when(clash[0].starts_at)
            )
        choices = [
            Choice(action("kg.ics", k.id), ctx.t("kegiatan.btn_calendar")),
            give_up_choice(ctx, k, member, "registered"),
            *after,
        ]
    elif outcome in ("waiting", "already_waiting"):
        position = result.position or await waitlist_position(ctx.session, k.id, member.id)
        text = ctx.t(f"kegiatan.{outcome}", whom=who, judul=k.judul, position=position or "-")
        choices = [give_up_choice(ctx, k, member, "waiting"), *after]
    else:  # not_open, finished, not_for_her_kampung
        key = "kegiatan.is_cancelled" if k.status == "cancelled" else f"kegiatan.refused_{outcome}"
        text = ctx.t(key)
        choices = after
    ctx.show(text, choices)


# -- giving up a seat: a fresh confirmation that names her ------------------------------------


class GiveUpForm(BaseModel):
    kegiatan_id: int = 0
    member_id: int = 0
    judul: str = "-"
    whom: str = "-"
    # "registered" or "waiting", and how keeping it reads ("tetap terdaftar di").
    was: str = "registered"
    status: str = "-"


async def _give_up(ctx: Ctx, form: GiveUpForm) -> str | None:
    ctx.finish()
    member = await acting_member(ctx.session, ctx.identity.id, form.member_id)
    if member is None:  # erased meanwhile, or this chat no longer acts for her
        await show_menu(ctx, intro=ctx.t("common.stale_choice"))
        return None
    result = await cancel_signup(
        ctx.session, form.kegiatan_id, member.id, ctx.now, when_text=ctx.when_text
    )
    outcome = result.outcome
    await kader_did(
        ctx, member, "signup.give_up_for_mother", kegiatan_id=form.kegiatan_id, outcome=outcome
    )
    key = {
        "cancelled": "kegiatan.cancelled_" + (result.was or "registered"),
        "not_registered": "kegiatan.not_registered",
        "finished": "kegiatan.is_finished",
    }[result.outcome]
    await show_menu(ctx, intro=ctx.t(key, whom=form.whom, judul=form.judul))
    return None


async def _keep(ctx: Ctx, form: GiveUpForm) -> str | None:
    ctx.finish()
    await show_menu(
        ctx, intro=ctx.t("kegiatan.kept", whom=form.whom, status=form.status, judul=form.judul)
    )
    return None


def _confirm(name: str, ask: str, was: str) -> Confirm:
    return Confirm(
        name=name,
        ask=ask,
        values=lambda _ctx, form: {"whom": form.whom, "judul": form.judul},
        yes=Option("yes", "kegiatan.yes_unsignup", _give_up, words=("ya batal ikut", "batal ikut")),
        no=Option("no", "kegiatan.no_keep", _keep, words=("tetap ikut", "jangan batal")),
        when=lambda form: form.was == was,
    )


GIVE_UP: Wizard[GiveUpForm] = Wizard(
    "kg.give_up",
    GiveUpForm,
    (
        _confirm("confirm", "kegiatan.confirm_unsignup", "registered"),
        _confirm("confirm_waiting", "kegiatan.confirm_leave_waitlist", "waiting"),
    ),
    roles=MEMBERS,
    # "batal" here: nothing happened, her seat stays ("Ibu tetap terdaftar di …").
    cancelled="kegiatan.kept",
)


async def unsignup(ctx: Ctx, args: list[str]) -> None:
    k = await ctx.session.get(Kegiatan, arg_id(args))
    if k is None:
        await end_flow(ctx, ctx.t("kegiatan.not_found"))
        return
    if len(args) > 1:
        member = await _named_member(ctx, args, 1)
    else:
        member = await _old_button_member(ctx, k)
    if member is None:
        return
    status = await signup_status(ctx.session, k.id, member.id)
    who = await whom(ctx, member)
    ctx.finish()
    if status not in ("registered", "waiting"):
        await show_menu(ctx, intro=ctx.t("kegiatan.not_registered", whom=who, judul=k.judul))
    elif has_ended(k, ctx.now) or k.status == "done":
        await show_menu(ctx, intro=ctx.t("kegiatan.is_finished"))
    else:
        form = GiveUpForm(
            kegiatan_id=k.id,
            member_id=member.id,
            judul=k.judul,
            whom=who,
            was=status,
            status=ctx.t(f"kegiatan.kept_{status}"),
        )
        await GIVE_UP.start(ctx, form)


async def _old_button_member(ctx: Ctx, k: Kegiatan) -> Member | None:
    """A button from before members were named ("a:unsignup:42"): on a shared phone, the
    mother of this chat who is signed up; when several are, ask which one."""
    members = await household(ctx.session, ctx.identity.id)
    if len(members) <= 1:
        return await _named_member(ctx, [], 1)
    signed = [
        m
        for m in members
        if await signup_status(ctx.session, k.id, m.id) in ("registered", "waiting")
    ]
    if len(signed) == 1:
        return signed[0]
    if not signed:
        return await _named_member(ctx, [], 1)
    ctx.finish()
    choices = [Choice(unsignup_action(k.id, m.id), m.full_name or "-") for m in signed]
    ctx.show(ctx.t("kegiatan.which_mother", judul=k.judul), [*choices, to_menu(ctx)])
    return None


async def choose_give_up(ctx: Ctx, args: list[str]) -> None:
    """ "Batal ikut" on her schedule with several kegiatan: which one."""
    member = await _named_member(ctx, args, 0)
    if member is None:
        return
    entries = [
        e
        for e in await my_schedule(ctx.session, member.id, ctx.now)
        if e.kegiatan.status != "cancelled"
    ]
    ctx.finish()
    if not entries:
        await show_menu(ctx, intro=ctx.t("kegiatan.mine_empty"))
        return
    choices = [
        Choice(unsignup_action(e.kegiatan.id, member.id), line_label(ctx, e.kegiatan))
        for e in entries
    ]
    ctx.show(
        ctx.t("kegiatan.which_give_up", whom=await whom(ctx, member)), [*choices, to_menu(ctx)]
    )


# -- her schedule and the calendar file -------------------------------------------------------


async def mine(ctx: Ctx, args: list[str]) -> None:
    # "a:kg.mine:7": her kader looking at her schedule; without an id, the active member.
    member = await _named_member(ctx, args, 0)
    if member is None:
        return
    her = (member.id,) if await for_other(ctx, member) else ()
    entries = await my_schedule(ctx.session, member.id, ctx.now)
    ctx.finish()
    if not entries:
        await _nothing(ctx, ctx.t("kegiatan.mine_empty"), member if her else None)
        return
    lines = [ctx.t("kegiatan.mine_title", whom=await whom(ctx, member))]
    choices = []
    live = []
    for i, entry in enumerate(entries, start=1):
        k = entry.kegiatan
        if k.status == "cancelled":
            note = ctx.t("kegiatan.mine_cancelled")
        elif entry.status == "waiting":
            note = ctx.t("kegiatan.mine_waiting", position=entry.position or "-")
            live.append(entry)
        else:
            note = ctx.t("kegiatan.mine_registered")
            live.append(entry)
        lines.append(f"{i}. {short_when(ctx, k)} {k.judul} ({note})")
        choices.append(Choice(action("kg.show", k.id, *her), line_label(ctx, k)))
    if len(live) == 1:
        choices.append(give_up_choice(ctx, live[0].kegiatan, member, live[0].status))
    elif live:
        choices.append(
            Choice(action("kg.give_up", member.id), ctx.t("kegiatan.btn_unsignup"), GIVE_UP_WORDS)
        )
    if her:
        choices.append(to_her(ctx, member))
    choices.append(to_menu(ctx))
    ctx.show("\n".join(lines), choices)


async def calendar(ctx: Ctx, args: list[str]) -> None:
    k = await _kegiatan(ctx, args)
    if k is None:
        return
    folder = ctx.media_dir / "ics"
    private_dir(folder)
    path = folder / f"kegiatan-{k.id}-v{k.version}.ics"
    write_private(path, kegiatan_ics(k, ctx.tz.key))
    choices = (
        Choice(action("kg.show", k.id), ctx.t("kegiatan.back_to_detail")),
        to_menu(ctx),
    )
    ctx.finish()
    ctx.offer(choices)
    ctx.replies.append(
        Reply(
            text=ctx.t("kegiatan.calendar", judul=k.judul),
            document=path,
            document_name=f"kegiatan-{k.id}.ics",
            choices=choices,
        )
    )
