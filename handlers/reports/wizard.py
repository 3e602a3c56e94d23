"""The laporan kegiatan wizard, declared with the kit:

    (kampung: admins) > jenis > kegiatan (recent ones of her kampung, or "Lainnya") >
    (judul, typed) > tanggal (looking back; > 60 days asks once more) > OPD (> typed) >
    peserta perempuan > laki-laki > ringkasan > foto (0-3) > kendala > tindak lanjut >
    summary ("Ubah …" per field) > Kirim

The form is kept with the report (`Report.draft`) after every answer, so an interrupted
report is offered again when she taps Lapor, after a restart or the flow's idle expiry
too; "batal" keeps it as well. Fixing a returned report opens the same summary with the
report's values; "Kirim" sends it back to review.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.core.context import Answer, Ctx
from handlers.core.feature import STAFF
from handlers.core.menu import end_flow, show_menu
from handlers.core.photos import Photos
from handlers.core.steps import Day, Menu, Option, Step, Summary, Text, day_text
from handlers.core.wizard import NEXT, Wizard
from handlers.reports.form import OTHER, ReportForm, draft_of
from handlers.reports.steps import (
    Count,
    JenisPick,
    KampungPick,
    KegiatanPick,
    NoteText,
    OpdPick,
    after_day,
    day_options,
    jenis_label,
    jenis_options,
    kampung_options,
    kegiatan_options,
    opd_options,
    today,
    typed_jenis,
    typed_opd,
)
from models.reports import (
    LONG_AGO_DAYS,
    MAX_FOLLOW_UP,
    MAX_OPD,
    MAX_PHOTOS,
    MAX_RINGKASAN,
    MAX_TITLE,
    ReportInvalid,
    save_draft,
    submit,
)

# The steps a finished form has answered (a fix opens the summary with all of them).
FIELDS = (
    "kampung",
    "jenis",
    "kegiatan",
    "title",
    "held_on",
    "opd",
    "women",
    "men",
    "ringkasan",
    "photos",
    "kendala",
    "tindak_lanjut",
)


async def _day_ok(_ctx: Ctx, _form: ReportForm) -> str:
    return NEXT


async def _day_change(_ctx: Ctx, _form: ReportForm) -> str:
    return "held_on"


DAY_CHECK = (
    Option("yes", "lapor.day_right", _day_ok, words=("ya", "benar", "betul", "yes")),
    Option("change", "lapor.day_change", _day_change, words=("ubah", "ganti", "tidak", "no")),
)


def _line(ctx: Ctx, key: str, value: object) -> str:
    return ctx.t(key, value="-" if value in (None, "") else value)


async def render_summary(ctx: Ctx, form: ReportForm) -> str:
    lines = []
    if form.review_note:
        lines.append(ctx.t("lapor.summary_note", note=form.review_note))
    lines.append(ctx.t("lapor.summary_title"))
    if form.choose_kampung:
        lines.append(_line(ctx, "lapor.f_kampung", form.kampung_name))
    photos = ctx.t("kit.photos_count", count=len(form.photos)) if form.photos else None
    lines += [
        _line(ctx, "lapor.f_jenis", jenis_label(ctx, form.jenis)),
        _line(ctx, "lapor.f_title", form.title),
        _line(ctx, "lapor.f_day", day_text(ctx, form.held_on) if form.held_on else None),
        _line(ctx, "lapor.f_opd", form.opd if form.opd != OTHER else None),
        ctx.t("lapor.f_people", women=_n(form.women), men=_n(form.men)),
        _line(ctx, "lapor.f_ringkasan", form.ringkasan),
        _line(ctx, "lapor.f_photos", photos),
        _line(ctx, "lapor.f_kendala", form.kendala),
        _line(ctx, "lapor.f_tindak_lanjut", form.tindak_lanjut),
    ]
    lines.append(ctx.t("lapor.summary_ask"))
    return "\n".join(lines)


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


async def _send(ctx: Ctx, form: ReportForm) -> str | None:
    """Kirim: the report goes to review (a kader's always for her own kampung)."""
    member = ctx.member
    assert member is not None  # the wizard's roles need a member
    if ctx.role != "admin" and form.kampung_id != member.kampung_id:
        await end_flow(ctx, ctx.t("lapor.other_kampung"))
        return None
    values = form.values()
    if values is None:  # an older draft missing a field: ask it
        return next((s for s in FIELDS if REPORT.has_step(s) and _missing(form, s)), "jenis")
    try:
        report = await submit(
            ctx.session, form.report_id, member.id, values, today=today(ctx), now=ctx.now
        )
    except ReportInvalid:
        # Each step checked its answer; only a form kept from an older version gets here.
        ctx.say(ctx.t("lapor.invalid"))
        return "summary"
    if report is None:
        await end_flow(ctx, ctx.t("lapor.gone"))
        return None
    ctx.finish()
    await show_menu(ctx, intro=ctx.t("lapor.sent", id=report.id, title=report.title or "-"))
    return None


def _missing(form: ReportForm, step: str) -> bool:
    step_obj = REPORT.step(step)
    return step_obj.applies(form) and getattr(form, step_obj.attr, None) in (None, "", OTHER)


SEND = (Option("send", "lapor.send", _send, words=("kirim", "kirim laporan", "send")),)


class ReportWizard(Wizard[ReportForm]):
    """The kit's wizard, keeping the form with the report after every answer."""

    def step(self, name: str) -> Step:
        return self._by_name[name]

    async def start(
        self,
        ctx: Ctx,
        form: ReportForm | None = None,
        *,
        at: str | None = None,
        review: bool = False,
        answered: Sequence[str] = (),
    ) -> None:
        await super().start(ctx, form, at=at, review=review, answered=answered)
        await self.keep(ctx)

    async def handle(self, ctx: Ctx, answer: Answer) -> None:
        await super().handle(ctx, answer)
        await self.keep(ctx)

    async def keep(self, ctx: Ctx) -> None:
        """Save where she is with the report (nothing when the flow ended: sent, refused)."""
        if ctx.state.flow != self.name or ctx.member is None:
            return
        form = self.load(ctx)
        # A report with nothing answered yet is no draft worth offering again.
        if form is not None and form.report_id and ctx.data.get("answered"):
            draft = draft_of(form, ctx.state.step, ctx.data)
            await save_draft(ctx.session, form.report_id, ctx.member.id, draft, ctx.now)

    async def cancel(self, ctx: Ctx) -> None:
        """ "batal": nothing is sent, and nothing she gave is lost (kept as a draft)."""
        await end_flow(ctx, ctx.t("lapor.cancelled_kept"))


REPORT = ReportWizard(
    "lp.report",
    ReportForm,
    (
        KampungPick(
            name="kampung",
            field="kampung_id",
            ask="lapor.ask_kampung",
            choices=kampung_options,
            when=lambda f: f.choose_kampung,
            edit="lapor.edit_kampung",
        ),
        JenisPick(
            name="jenis",
            ask="lapor.ask_jenis",
            choices=jenis_options,
            typed=typed_jenis,
            edit="lapor.edit_jenis",
        ),
        KegiatanPick(
            name="kegiatan",
            ask="lapor.ask_kegiatan",
            choices=kegiatan_options,
            when=lambda f: f.has_recent,
            edit="lapor.edit_kegiatan",
        ),
        Text(
            name="title",
            ask="lapor.ask_title",
            max_len=MAX_TITLE,
            min_len=3,
            when=lambda f: f.kegiatan_id is None,
            edit="lapor.edit_title",
        ),
        Day(
            name="held_on",
            ask="lapor.ask_day",
            direction="past",
            suggest=day_options,
            after=after_day,
            edit="lapor.edit_day",
        ),
        Menu(
            name="held_on_check",
            ask="lapor.ask_day_check",
            values=lambda ctx, f: {
                "day": day_text(ctx, f.held_on) if f.held_on else "-",
                "days": LONG_AGO_DAYS,
            },
            choose=lambda _ctx, _f: DAY_CHECK,
            when=lambda f: f.long_ago,
            confirms=True,
        ),
        OpdPick(
            name="opd",
            ask="lapor.ask_opd",
            choices=opd_options,
            typed=typed_opd,
            edit="lapor.edit_opd",
        ),
        Text(
            name="opd_other",
            field="opd",
            ask="lapor.ask_opd_other",
            max_len=MAX_OPD,
            min_len=2,
            when=lambda f: f.opd == OTHER,
        ),
        Count(name="women", ask="lapor.ask_women", edit="lapor.edit_women"),
        Count(
            name="men",
            ask="lapor.ask_men",
            shortcuts=((0, "lapor.men_none", ("tidak ada", "nol", "none")),),
            edit="lapor.edit_men",
        ),
        NoteText(
            name="ringkasan",
            ask="lapor.ask_ringkasan",
            max_len=MAX_RINGKASAN,
            min_len=3,
            before_photos=True,
            edit="lapor.edit_ringkasan",
        ),
        Photos(
            name="photos",
            ask="lapor.ask_photos",
            again="lapor.ask_photos_more",
            folder="reports",
            most=MAX_PHOTOS,
            edit="lapor.edit_photos",
        ),
        NoteText(
            name="kendala",
            ask="lapor.ask_kendala",
            max_len=MAX_FOLLOW_UP,
            optional=True,
            skip_label="lapor.none",
            edit="lapor.edit_kendala",
        ),
        NoteText(
            name="tindak_lanjut",
            ask="lapor.ask_tindak_lanjut",
            max_len=MAX_FOLLOW_UP,
            optional=True,
            skip_label="lapor.none",
            edit="lapor.edit_tindak_lanjut",
        ),
        Summary(
            name="summary",
            ask="lapor.summary_ask",
            render=render_summary,
            saves=SEND,
            fields=FIELDS,
            wrong_kind="lapor.photo_on_summary",
        ),
    ),
    roles=STAFF,
)
