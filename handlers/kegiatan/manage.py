"""Admins plan kegiatan in chat: "Kelola kegiatan" (paged, find by typing part of a
title), the creation wizard (summary: change any field, then publish or keep as draft),
one kegiatan's screen and publishing a draft. Changing and cancelling are in `edit`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from handlers.attendance import screen as attendance
from handlers.core.context import Answer, Ctx
from handlers.core.feature import ADMIN, StepKind, refusal_key
from handlers.core.labels import shorten
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Number, Option, Pick, Problem, Summary, Text, When
from handlers.core.types import Choice, Kind, action
from handlers.core.wizard import Wizard
from handlers.kegiatan.mothers import short_when, to_menu
from handlers.parse.ids import arg_id, read_id
from handlers.parse.kuota import NO_LIMIT_WORDS, parse_kuota
from models.kegiatan.admin import create_kegiatan, publish
from models.kegiatan.queries import list_kegiatan
from models.kegiatan.tables import (
    JENIS,
    MAX_DESCRIPTION,
    MAX_JUDUL,
    MAX_NARASUMBER,
    MAX_OPD,
    MAX_TEMPAT,
    Kegiatan,
    KegiatanDraft,
    KegiatanInvalid,
)
from models.location import Location, active_kampung
from models.reminders.confirmations import confirmed_names

PAGE = 8

# The kit's date problems, in the admins' words (kept from the hand-written flow).
_WHEN_KEYS = {
    "kit.when_unknown": "kgm.date_unknown",
    "kit.when_ambiguous": "kgm.date_ambiguous",
    "kit.when_missing_date": "kgm.date_missing_date",
    "kit.when_impossible_date": "kgm.date_impossible_date",
    "kit.time_impossible": "kgm.date_impossible_time",
    "kit.when_past": "kgm.date_past",
    "kit.when_future": "kgm.date_future",
    "kit.need_date_and_time": "kgm.need_date_and_time",
}


class AdminWhen(When):
    """A moment; an end (`same_day_as` set) must come after its start."""

    async def read(self, ctx: Ctx, ans: Answer, form: Any) -> Any:
        value = await super().read(ctx, ans, form)
        if isinstance(value, Problem):
            return Problem(_WHEN_KEYS.get(value.key, value.key), value.values)
        start = getattr(form, self.same_day_as) if self.same_day_as else None
        if isinstance(start, datetime) and value <= start:
            return Problem("kgm.end_before_start")
        return value


class Kuota(Number):
    """Seats: a number ("1", "satu", "25 orang"); "Tanpa batas" only by its word or button.
    Read by handlers.parse.kuota, as the web console reads its kuota field."""

    async def read(self, ctx: Ctx, ans: Answer, form: Any) -> Any:
        if ans.value == "_sc0":  # the "Tanpa batas" button
            return None
        found = parse_kuota(ans.text, ctx.t("kgm.no_limit"))
        if ans.kind is not Kind.TEXT and not found.no_limit:
            return Problem("kgm.kuota_not_number")  # a caption or a contact is no number
        if found.error is not None:
            return Problem(_KUOTA_PROBLEMS[found.error])
        return found.seats


_KUOTA_PROBLEMS = {
    "not_number": "kgm.kuota_not_number",
    "not_positive": "kgm.kuota_positive",
    "too_many": "kgm.kuota_too_many",
}


def kuota_step(name: str, ask: str, **kw: Any) -> Kuota:
    return Kuota(
        name=name,
        ask=ask,
        shortcuts=((None, "kgm.no_limit", NO_LIMIT_WORDS),),  # its button
        **kw,
    )


class NewKegiatanForm(BaseModel):
    jenis: str | None = None
    judul: str | None = None
    opd: str | None = None
    narasumber: str | None = None
    tempat: str | None = None
    mulai: datetime | None = None
    selesai: datetime | None = None
    kuota: int | None = None
    sasaran: list[int] = []
    deskripsi: str | None = None


async def jenis_options(ctx: Ctx, _form: Any) -> list[tuple[str, str]]:
    return [(c, ctx.t(f"kegiatan.jenis.{c}")) for c in JENIS]


async def sasaran_options(ctx: Ctx, _form: Any) -> list[tuple[str, str]]:
    places = await active_kampung(ctx.session)
    return [("all", ctx.t("kgm.all_kampung")), *((f"k{p.id}", p.name) for p in places)]


async def sasaran_of(ctx: Ctx, value: str) -> Any:
    if value == "all":
        return []
    place = await ctx.session.get(Location, read_id(value[1:]) or 0)
    if place is None or place.level != "kampung":
        return Problem("kgm.pick_from_list")
    return [place.id]


def _keep_end_after_start(_ctx: Ctx, form: NewKegiatanForm) -> None:
    if form.mulai and form.selesai and form.selesai <= form.mulai:
        form.selesai = form.mulai + timedelta(hours=2)


async def render_summary(ctx: Ctx, form: NewKegiatanForm) -> str:
    places = [await ctx.session.get(Location, k) for k in form.sasaran]
    names = ", ".join(p.name for p in places if p) or ctx.t("kgm.all_kampung")
    return ctx.t(
        "kgm.summary",
        jenis=ctx.t(f"kegiatan.jenis.{form.jenis}"),
        judul=form.judul or "-",
        opd=form.opd or "-",
        narasumber=form.narasumber or "-",
        tempat=form.tempat or "-",
        mulai=ctx.when(form.mulai) if form.mulai else "-",
        selesai=ctx.when(form.selesai) if form.selesai else "-",
        kuota=form.kuota if form.kuota else ctx.t("kgm.no_limit"),
        sasaran=names,
        keterangan=form.deskripsi or "-",
    )


async def _save(ctx: Ctx, form: NewKegiatanForm, *, publish_now: bool) -> str | None:
    assert ctx.member is not None
    assert form.jenis and form.judul and form.opd and form.tempat and form.mulai and form.selesai
    draft = KegiatanDraft(
        jenis=form.jenis,
        judul=form.judul,
        opd=form.opd,
        tempat=form.tempat,
        starts_at=form.mulai,
        ends_at=form.selesai,
        kuota=form.kuota,
        narasumber=form.narasumber or None,
        description=form.deskripsi or "",
        sasaran=tuple(form.sasaran),
    )
    actor = f"member:{ctx.member.id}"
    try:
        k = await create_kegiatan(
            ctx.session, draft, now=ctx.now, actor=actor, created_by_member_id=ctx.member.id
        )
    except KegiatanInvalid as exc:
        # Time passed while she typed (the start is now in the past), or similar.
        ctx.say(ctx.t("kgm.invalid", problems=", ".join(exc.problems)))
        return "summary"
    if publish_now:
        await publish(ctx.session, k.id, now=ctx.now, actor=actor, actor_member_id=ctx.member.id)
    ctx.finish()
    key = "kgm.published" if publish_now else "kgm.drafted"
    await show_menu(ctx, intro=ctx.t(key, judul=k.judul))
    return None


async def _publish_new(ctx: Ctx, form: NewKegiatanForm) -> str | None:
    return await _save(ctx, form, publish_now=True)


async def _draft_new(ctx: Ctx, form: NewKegiatanForm) -> str | None:
    return await _save(ctx, form, publish_now=False)


FIELDS = (
    "jenis",
    "judul",
    "opd",
    "narasumber",
    "tempat",
    "mulai",
    "selesai",
    "kuota",
    "sasaran",
    "deskripsi",
)

NEW: Wizard[NewKegiatanForm] = Wizard(
    "kga.new",
    NewKegiatanForm,
    (
        Pick(
            name="jenis",
            ask="kgm.ask_jenis",
            choices=jenis_options,
            problem="kgm.pick_from_list",
            display=lambda ctx, v: ctx.t(f"kegiatan.jenis.{v}"),
            edit="kgm.edit_jenis",
        ),
        Text(name="judul", ask="kgm.ask_judul", max_len=MAX_JUDUL, edit="kgm.edit_judul"),
        Text(name="opd", ask="kgm.ask_opd", max_len=MAX_OPD, edit="kgm.edit_opd"),
        Text(
            name="narasumber",
            ask="kgm.ask_narasumber",
            max_len=MAX_NARASUMBER,
            optional=True,
            skip_label="kgm.skip",
            edit="kgm.edit_narasumber",
        ),
        Text(name="tempat", ask="kgm.ask_tempat", max_len=MAX_TEMPAT, edit="kgm.edit_tempat"),
        AdminWhen(
            name="mulai", ask="kgm.ask_mulai", edit="kgm.edit_mulai", after=_keep_end_after_start
        ),
        AdminWhen(
            name="selesai", ask="kgm.ask_selesai", same_day_as="mulai", edit="kgm.edit_selesai"
        ),
        kuota_step("kuota", "kgm.ask_kuota", edit="kgm.edit_kuota"),
        Pick(
            name="sasaran",
            ask="kgm.ask_sasaran",
            choices=sasaran_options,
            convert=sasaran_of,
            problem="kgm.pick_from_list",
            edit="kgm.edit_sasaran",
        ),
        Text(
            name="deskripsi",
            ask="kgm.ask_deskripsi",
            max_len=MAX_DESCRIPTION,
            optional=True,
            skip_label="kgm.skip",
            edit="kgm.edit_deskripsi",
        ),
        Summary(
            name="summary",
            ask="kgm.summary",
            render=render_summary,
            saves=(
                Option("publish", "kgm.publish", _publish_new, words=("terbitkan", "publish")),
                Option("draft", "kgm.save_draft", _draft_new, words=("draf", "simpan draf")),
            ),
            fields=FIELDS,
        ),
    ),
    roles=ADMIN,
    cancelled="kgm.new_cancelled",
    back=lambda ctx, _form: show_list(ctx, 0, None),
)


async def new(ctx: Ctx, _args: list[str]) -> None:
    await NEW.start(ctx)


# -- "Kelola kegiatan": paged, and found by typing part of a title ---------------------------


class AdminList:
    """The admins' list as a screen that also takes typed text: a number or a label opens
    that kegiatan (the router matches the screen first); other words find kegiatan whose
    title contains them."""

    name = "kga.list"
    roles = ADMIN
    STEP = "browse"

    def has_step(self, step: str | None) -> bool:
        return step == self.STEP

    def step_kind(self, step: str | None) -> StepKind:
        return "choice"

    def fresh_only(self, step: str | None) -> bool:
        return False

    def accepts(self, step: str | None, kind: Kind) -> bool:
        return kind is Kind.TEXT

    async def ask(self, ctx: Ctx) -> None:
        data = ctx.data
        await show_list(ctx, int(data.get("offset") or 0), data.get("q") or None)

    async def handle(self, ctx: Ctx, answer: Answer) -> None:
        if ctx.role not in self.roles:
            await end_flow(ctx, ctx.t(refusal_key(ctx.role, self.roles)))
            return
        typed = " ".join(answer.text.split())[:60] if answer.kind is Kind.TEXT else ""
        if not typed:
            ctx.say(ctx.t("kgm.find_hint"))
            await self.ask(ctx)
            return
        await show_list(ctx, 0, typed)

    async def cancel(self, ctx: Ctx) -> None:
        ctx.finish()
        await show_menu(ctx)


LIST = AdminList()


def status_label(ctx: Ctx, k: Kegiatan) -> str:
    title = shorten(f"{short_when(ctx, k)} · {k.judul}", 40)
    return f"{title} ({ctx.t(f'kgm.status.{k.status}')})"


async def show_list(ctx: Ctx, offset: int, q: str | None) -> None:
    page = await list_kegiatan(ctx.session, ctx.now, offset, PAGE, title=q)
    ctx.set_flow(LIST.name, LIST.STEP, offset=offset, q=q or "")
    choices = [Choice(action("kga.show", k.id), status_label(ctx, k)) for k in page.items]
    if q:
        key = "kgm.found" if page.items else "kgm.found_none"
        first, last = offset + 1, offset + len(page.items)
        text = ctx.t(key, q=q, first=first, last=last, total=page.total)
        choices.append(Choice(action("kga.list", 0), ctx.t("kgm.all")))
    elif page.items:
        first, last = offset + 1, offset + len(page.items)
        text = ctx.t("kgm.list_title", first=first, last=last, total=page.total)
        if offset + PAGE < page.total:
            choices.append(Choice(action("kga.list", offset + PAGE), ctx.t("kegiatan.next")))
        if offset > 0:
            prev = max(0, offset - PAGE)
            choices.append(Choice(action("kga.list", prev), ctx.t("kegiatan.prev")))
    else:
        text = ctx.t("kgm.list_empty")
    choices.append(Choice(action("kga.new"), ctx.t("kgm.new")))
    choices.append(to_menu(ctx))
    ctx.show(text, choices)


async def list_all(ctx: Ctx, args: list[str]) -> None:
    await show_list(ctx, arg_id(args), None)


# -- one kegiatan ------------------------------------------------------------------------------


async def manage(ctx: Ctx, args: list[str]) -> None:
    k = await ctx.session.get(Kegiatan, arg_id(args))
    ctx.finish()
    if k is None:
        await show_menu(ctx, intro=ctx.t("kegiatan.not_found"))
        return
    text = ctx.t(
        "kgm.manage",
        judul=k.judul,
        when=ctx.when(k.starts_at),
        tempat=k.tempat,
        status=ctx.t(f"kgm.status.{k.status}"),
        registered=k.registered_count,
        kuota=k.kuota or ctx.t("kgm.no_limit"),
    )
    if k.status in ("open", "closed"):
        names = await confirmed_names(ctx.session, k)
        confirmed = (
            ctx.t("reminders.admin_confirmed", count=len(names), names=", ".join(names))
            if names
            else ctx.t("reminders.admin_confirmed_none")
        )
        text += "\n" + confirmed
    code_lines, code_choices = await attendance.for_staff(ctx, k)
    text = "\n".join([text, *code_lines])
    choices = []
    if k.status == "draft":
        choices.append(Choice(action("kga.publish", k.id), ctx.t("kgm.publish")))
    if k.status in ("draft", "open", "closed"):
        choices += [
            Choice(action("kga.edit", k.id, w), ctx.t(f"kgm.change_{w}"))
            for w in ("time", "place", "kuota")
        ]
        choices.append(Choice(action("kga.cancel", k.id), ctx.t("kgm.cancel_kegiatan")))
    choices += code_choices
    choices.append(Choice(action("kga.list"), ctx.t("kgm.back")))
    choices.append(to_menu(ctx))
    ctx.show(text, choices)


async def publish_draft(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    result = await publish(
        ctx.session,
        arg_id(args),
        now=ctx.now,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
    )
    judul = result.kegiatan.judul if result.kegiatan else "-"
    key = "kgm.published" if result.outcome in ("ok", "unchanged") else "kgm.not_editable"
    await end_flow(ctx, ctx.t(key, judul=judul))
