"""Admins' deadlines in chat: the list, the wizard and deleting one (asked first)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from pydantic import BaseModel

from handlers.core.context import Answer, Ctx
from handlers.core.feature import ADMIN, StepKind
from handlers.core.i18n import format_date_local
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import WHEN_PROBLEMS, Confirm, Option, Pick, Problem, Step, Summary, Text
from handlers.core.types import Choice, Kind, action
from handlers.core.wizard import Wizard, back_out
from handlers.kegiatan.mothers import to_menu
from handlers.parse.ids import arg_id
from handlers.parse.when import parse_date
from handlers.parse.yesno import parse_yes_no
from models.deadlines import (
    DEFAULT_REMIND,
    Deadline,
    DeadlineDraft,
    DeadlineInvalid,
    audience_names,
    create_deadline,
    delete_deadline,
    list_deadlines,
    next_due,
    parse_remind,
    remind_text,
    update_deadline,
)
from models.deadlines.tables import MAX_PREPARE, MAX_TITLE
from models.location import active_kampung


def day_text(ctx: Ctx, day: date) -> str:
    return format_date_local(datetime.combine(day, time(12, 0), tzinfo=ctx.tz), ctx.lang, ctx.tz)


class DueDate(Step):
    """A day ("15 Maret 2027", "15/3", "2027-03-15"), today or later."""

    kind: ClassVar[StepKind] = "date"

    async def read(self, ctx: Ctx, ans: Answer, form: Any) -> Any:
        if ans.kind is not Kind.TEXT:
            return Problem("kit.when_unknown")
        text = ans.text.strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            result = parse_date(text, ctx.now.astimezone(ctx.tz), "future")
            if result.error or result.value is None:
                return Problem(WHEN_PROBLEMS.get(result.error or "unknown", "kit.when_unknown"))
            day = result.value
        if day < ctx.now.astimezone(ctx.tz).date():
            return Problem("kit.when_past")
        return day

    def show(self, ctx: Ctx, value: Any) -> str:
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return day_text(ctx, value) if isinstance(value, date) else "-"


class DeadlineForm(BaseModel):
    # Set when changing an existing deadline ("Ubah tenggat"), else a new one is made.
    deadline_id: int | None = None
    title: str | None = None
    due_on: date | None = None
    prepare: str | None = None
    # "once" or "monthly" (due every month on the due date's day).
    repeat: str | None = None
    audience: str | None = None
    remind: str | None = None


async def repeat_options(ctx: Ctx, form: Any) -> list[tuple[str, str]]:
    day = form.due_on.day if form.due_on else 1
    return [
        ("once", ctx.t("tenggat.repeat.once")),
        ("monthly", ctx.t("tenggat.repeat.monthly", day=day)),
    ]


async def repeat_typed(ctx: Ctx, text: str, _form: Any) -> Any:
    """ "sekali", "bulanan", "tiap bulan", "ya" (= the monthly offer is not the default,
    so a bare yes/no is not guessed at)."""
    words = text.casefold().split()
    if any(w in ("bulan", "bulanan", "monthly", "month") for w in words):
        return "monthly"
    if any(w in ("sekali", "once", "satu") for w in words):
        return "once"
    return Problem("tenggat.repeat_problem")


def repeat_label(ctx: Ctx, form: DeadlineForm) -> str:
    if form.repeat == "monthly" and form.due_on:
        return ctx.t("tenggat.repeat.monthly", day=form.due_on.day)
    return ctx.t("tenggat.repeat.once")


async def audience_options(ctx: Ctx, _form: Any) -> list[tuple[str, str]]:
    places = await active_kampung(ctx.session)
    fixed = [(a, ctx.t(f"tenggat.audience.{a}")) for a in ("admin", "kader", "all")]
    return [*fixed, *((f"kampung:{p.id}", p.name) for p in places)]


def read_remind(text: str) -> Any:
    if parse_yes_no(text) is True:  # "ya" / "boleh" to the offered 30, 7 and 1
        return remind_text(DEFAULT_REMIND)
    try:
        return remind_text(parse_remind(text))
    except DeadlineInvalid:
        return Problem("tenggat.remind_problem")


async def audience_label(ctx: Ctx, audience: str) -> str:
    if audience.startswith("kampung:"):
        return ctx.t("tenggat.audience.kampung", names=await audience_names(ctx.session, audience))
    return ctx.t(f"tenggat.audience.{audience}")


async def render_summary(ctx: Ctx, form: DeadlineForm) -> str:
    return ctx.t(
        "tenggat.summary",
        title=form.title or "-",
        due=day_text(ctx, form.due_on) if form.due_on else "-",
        repeat=repeat_label(ctx, form),
        prepare=form.prepare or "-",
        audience=await audience_label(ctx, form.audience or "admin"),
        remind=form.remind or remind_text(DEFAULT_REMIND),
    )


async def _save(ctx: Ctx, form: DeadlineForm) -> str | None:
    assert ctx.member is not None and form.title and form.due_on
    ctx.finish()
    remind = parse_remind(form.remind) if form.remind else DEFAULT_REMIND
    monthly_day = form.due_on.day if form.repeat == "monthly" else None
    actor = f"member:{ctx.member.id}"
    if form.deadline_id is not None:
        changed = await update_deadline(
            ctx.session,
            form.deadline_id,
            actor=actor,
            title=form.title,
            due_on=form.due_on,
            prepare=form.prepare or "",
            audience=form.audience or "admin",
            remind=remind,
            monthly_day=monthly_day,
            one_off=monthly_day is None,
        )
        if changed is None:
            await show_menu(ctx, intro=ctx.t("tenggat.not_found"))
            return None
        deadline = changed
    else:
        deadline = await create_deadline(
            ctx.session,
            DeadlineDraft(
                title=form.title,
                due_on=form.due_on,
                prepare=form.prepare or "",
                audience=form.audience or "admin",
                remind=remind,
                monthly_day=monthly_day,
            ),
            now=ctx.now,
            actor=actor,
            actor_member_id=ctx.member.id,
        )
    await show_menu(
        ctx, intro=ctx.t("tenggat.saved", title=deadline.title, due=day_text(ctx, deadline.due_on))
    )
    return None


FIELDS = ("title", "due_on", "repeat", "prepare", "audience", "remind")


async def _started_from(ctx: Ctx, form: DeadlineForm) -> None:
    """ "batal": a change goes back to the tenggat's page ("Ubah tenggat" is there), a new
    one to the list ("Tambah tenggat" is there)."""
    if form.deadline_id:
        await show(ctx, [str(form.deadline_id)])
    else:
        await list_all(ctx, [])


NEW: Wizard[DeadlineForm] = Wizard(
    "dl.new",
    DeadlineForm,
    (
        Text(name="title", ask="tenggat.ask_title", max_len=MAX_TITLE, edit="tenggat.edit_title"),
        DueDate(name="due_on", ask="tenggat.ask_due", edit="tenggat.edit_due"),
        Pick(
            name="repeat",
            ask="tenggat.ask_repeat",
            choices=repeat_options,
            typed=repeat_typed,
            edit="tenggat.edit_repeat",
            display=lambda ctx, v: ctx.t(
                "tenggat.repeat.every_month" if v == "monthly" else "tenggat.repeat.once"
            ),
        ),
        Text(
            name="prepare",
            ask="tenggat.ask_prepare",
            max_len=MAX_PREPARE,
            optional=True,
            edit="tenggat.edit_prepare",
        ),
        Pick(
            name="audience",
            ask="tenggat.ask_audience",
            choices=audience_options,
            edit="tenggat.edit_audience",
            display=lambda ctx, v: ctx.t(f"tenggat.audience.{v}") if ":" not in v else v,
        ),
        Text(
            name="remind",
            ask="tenggat.ask_remind",
            clean=read_remind,
            optional=True,
            skip_label="tenggat.remind_default",
            edit="tenggat.edit_remind",
        ),
        Summary(
            name="summary",
            ask="tenggat.summary",
            render=render_summary,
            saves=(Option("save", "tenggat.save", _save, words=("simpan", "save")),),
            fields=FIELDS,
        ),
    ),
    roles=ADMIN,
    cancelled=lambda form: (
        "tenggat.edit_cancelled" if form.deadline_id else "tenggat.new_cancelled"
    ),
    back=_started_from,
)


async def new(ctx: Ctx, _args: list[str]) -> None:
    await NEW.start(ctx)


async def edit(ctx: Ctx, args: list[str]) -> None:
    """ "Ubah tenggat": the wizard's summary with its values; any field can be changed."""
    d = await ctx.session.get(Deadline, arg_id(args))
    if d is None:
        await end_flow(ctx, ctx.t("tenggat.not_found"))
        return
    form = DeadlineForm(
        deadline_id=d.id,
        title=d.title,
        due_on=d.due_on,
        repeat="monthly" if d.monthly_day else "once",
        prepare=d.prepare or None,
        audience=d.audience,
        remind=d.remind_days,
    )
    await NEW.start(ctx, form, at="summary", review=True, answered=FIELDS)


def upcoming(ctx: Ctx, d: Deadline) -> date | None:
    """Its next due date from today in the deployment's zone (WIB), None once passed."""
    return next_due(d.due_on, d.monthly_day, ctx.now.astimezone(ctx.tz).date())


def line(ctx: Ctx, d: Deadline) -> str:
    due = upcoming(ctx, d)
    when = day_text(ctx, due) if due else ctx.t("tenggat.passed")
    return f"{d.title} ({when})"


def next_text(ctx: Ctx, d: Deadline) -> str:
    """ "Berikutnya:" on its page: the date and how far off it is, in days as its reminders
    say it ("Selasa, 15 Juni 2027 (162 hari lagi)"), or when it passed."""
    due = upcoming(ctx, d)
    if due is None:
        return ctx.t("tenggat.when_passed", due=day_text(ctx, d.due_on))
    days = (due - ctx.now.astimezone(ctx.tz).date()).days
    key = {0: "tenggat.when_today", 1: "tenggat.when_tomorrow"}.get(days, "tenggat.when_left")
    return ctx.t(key, due=day_text(ctx, due), days=days)


async def list_all(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    # Soonest first, the passed ones last: a monthly one set up long ago is due again soon,
    # the penilaian set months ahead comes after what is due before it.
    found = sorted(
        await list_deadlines(ctx.session),
        key=lambda d: (upcoming(ctx, d) is None, upcoming(ctx, d) or d.due_on, d.id),
    )
    choices = [Choice(action("dl.show", d.id), line(ctx, d)[:60]) for d in found]
    choices.append(Choice(action("dl.new"), ctx.t("tenggat.new")))
    choices.append(to_menu(ctx))
    ctx.show(
        ctx.t("tenggat.list_title" if found else "tenggat.list_empty", count=len(found)), choices
    )


async def show(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    d = await ctx.session.get(Deadline, arg_id(args))
    if d is None:
        await show_menu(ctx, intro=ctx.t("tenggat.not_found"))
        return
    monthly = ctx.t("tenggat.monthly", day=d.monthly_day) if d.monthly_day else ""
    text = ctx.t(
        "tenggat.detail",
        title=d.title,
        next=next_text(ctx, d),
        monthly=monthly,
        prepare=d.prepare or "-",
        audience=await audience_label(ctx, d.audience),
        remind=d.remind_days,
    )
    ctx.show(
        text,
        [
            Choice(action("dl.edit", d.id), ctx.t("tenggat.edit")),
            Choice(action("dl.delete", d.id), ctx.t("tenggat.delete")),
            Choice(action("dl.list"), ctx.t("tenggat.back")),
            to_menu(ctx),
        ],
    )


class DeleteForm(BaseModel):
    deadline_id: int = 0
    title: str = "-"


async def _delete(ctx: Ctx, form: DeleteForm) -> str | None:
    ctx.finish()
    assert ctx.member is not None
    gone = await delete_deadline(ctx.session, form.deadline_id, actor=f"member:{ctx.member.id}")
    await show_menu(
        ctx, intro=ctx.t("tenggat.deleted" if gone else "tenggat.not_found", title=form.title)
    )
    return None


async def _page(ctx: Ctx, form: DeleteForm) -> None:
    """The tenggat's page, where "Hapus" was chosen: "Jangan" or "batal" go back there."""
    await show(ctx, [str(form.deadline_id)])


DELETE: Wizard[DeleteForm] = Wizard(
    "dl.delete",
    DeleteForm,
    (
        Confirm(
            name="confirm",
            ask="tenggat.confirm_delete",
            values=lambda _ctx, form: {"title": form.title},
            yes=Option("yes", "tenggat.yes_delete", _delete, words=("hapus", "ya hapus")),
            no=Option("no", "tenggat.no_keep", back_out, words=("jangan", "simpan")),
        ),
    ),
    roles=ADMIN,
    cancelled="tenggat.kept",
    back=_page,
)


async def ask_delete(ctx: Ctx, args: list[str]) -> None:
    d = await ctx.session.get(Deadline, arg_id(args))
    if d is None:
        await end_flow(ctx, ctx.t("tenggat.not_found"))
        return
    await DELETE.start(ctx, DeleteForm(deadline_id=d.id, title=d.title))
