"""Admins plan kegiatan in chat: a step-by-step wizard to create one (summary, then
publish or keep as draft), and changing time, place or quota, or cancelling it.

Changes and cancellations reach every registered and waiting mother through the outbox
(models.kegiatan.admin writes those rows in the same transaction).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.core.context import Answer, Ctx
from handlers.core.flow import Flow, MenuEntry, add_entry, register_action, register_flow
from handlers.core.menu import show_menu
from handlers.core.types import Choice, Kind, action
from handlers.parse import parse_datetime, parse_int, parse_time
from models.kegiatan.admin import (
    create_kegiatan,
    publish,
)
from models.kegiatan.queries import list_kegiatan
from models.kegiatan.tables import (
    JENIS,
    MAX_JUDUL,
    MAX_OPD,
    MAX_TEMPAT,
    Kegiatan,
    KegiatanDraft,
    KegiatanInvalid,
)
from models.location import Location, active_kampung

ADMIN = frozenset({"admin"})
TEXT_LIMITS = {
    "judul": MAX_JUDUL,
    "opd": MAX_OPD,
    "tempat": MAX_TEMPAT,
    "narasumber": 120,
    "deskripsi": 1000,
}
ORDER = (
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
    "summary",
)


def _id(args: list[str]) -> int:
    return int(args[0]) if args and args[0].isdigit() else 0


def read_start(ctx: Ctx, text: str) -> datetime | str:
    """A start moment typed the forgiving way, or the catalog key of what is wrong."""
    result = parse_datetime(text, ctx.now.astimezone(ctx.tz), "future")
    if result.error:
        return f"kgm.date_{result.error}"
    if result.value is None:  # a day without a time
        return "kgm.need_date_and_time"
    return result.value


def read_end(ctx: Ctx, text: str, start: datetime) -> datetime | str:
    """An end: a time on the start's day ("12.00"), or a full date and time."""
    only_time = parse_time(text)
    if only_time.value is not None and not only_time.next_day:
        local = start.astimezone(ctx.tz)
        end = datetime.combine(local.date(), only_time.value, tzinfo=ctx.tz)
    else:
        parsed = read_start(ctx, text)
        if isinstance(parsed, str):
            return parsed
        end = parsed
    return end if end > start else "kgm.end_before_start"


def read_kuota(text: str, value: str | None) -> int | str | None:
    if value == "none":
        return None
    number = parse_int(text)
    if number is None:
        return "kgm.kuota_not_number"
    return number if number > 0 else "kgm.kuota_positive"


class NewKegiatan(Flow):
    name = "kg_new"
    first_step = "jenis"

    async def after(self, ctx: Ctx, step: str) -> None:
        nxt = "summary" if ctx.data.get("review") else ORDER[ORDER.index(step) + 1]
        await self.goto(ctx, nxt)

    async def retry(self, ctx: Ctx, key: str, **values: object) -> None:
        ctx.say(ctx.t(key, **values))
        await self.ask(ctx)

    async def ask_jenis(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_jenis"), [(c, ctx.t(f"kegiatan.jenis.{c}")) for c in JENIS])

    async def on_jenis(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value not in JENIS:
            await self.retry(ctx, "kgm.pick_from_list")
            return
        ctx.update_data(jenis=ans.value)
        await self.after(ctx, "jenis")

    async def _text_step(self, ctx: Ctx, ans: Answer, field: str, optional: bool = False) -> None:
        if optional and ans.value == "skip":
            ctx.update_data(**{field: ""})
            await self.after(ctx, field)
            return
        text = ans.text.strip() if ans.kind is Kind.TEXT else ""
        if not text:
            await self.retry(ctx, "kgm.need_text")
        elif len(text) > TEXT_LIMITS[field]:
            await self.retry(ctx, "kgm.too_long", limit=TEXT_LIMITS[field])
        else:
            ctx.update_data(**{field: text})
            await self.after(ctx, field)

    async def ask_judul(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_judul"))

    async def on_judul(self, ctx: Ctx, ans: Answer) -> None:
        await self._text_step(ctx, ans, "judul")

    async def ask_opd(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_opd"))

    async def on_opd(self, ctx: Ctx, ans: Answer) -> None:
        await self._text_step(ctx, ans, "opd")

    async def ask_narasumber(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_narasumber"), [("skip", ctx.t("kgm.skip"))])

    async def on_narasumber(self, ctx: Ctx, ans: Answer) -> None:
        await self._text_step(ctx, ans, "narasumber", optional=True)

    async def ask_tempat(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_tempat"))

    async def on_tempat(self, ctx: Ctx, ans: Answer) -> None:
        await self._text_step(ctx, ans, "tempat")

    async def ask_mulai(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_mulai"))

    async def on_mulai(self, ctx: Ctx, ans: Answer) -> None:
        start = read_start(ctx, ans.text)
        if isinstance(start, str):
            await self.retry(ctx, start)
            return
        end = ctx.data.get("selesai")
        if end and datetime.fromisoformat(end) <= start:  # moved past the old end: keep length
            ctx.update_data(selesai=(start + timedelta(hours=2)).isoformat())
        ctx.update_data(mulai=start.isoformat())
        await self.after(ctx, "mulai")

    async def ask_selesai(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_selesai"))

    async def on_selesai(self, ctx: Ctx, ans: Answer) -> None:
        end = read_end(ctx, ans.text, datetime.fromisoformat(ctx.data["mulai"]))
        if isinstance(end, str):
            await self.retry(ctx, end)
            return
        ctx.update_data(selesai=end.isoformat())
        await self.after(ctx, "selesai")

    async def ask_kuota(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_kuota"), [("none", ctx.t("kgm.no_limit"))])

    async def on_kuota(self, ctx: Ctx, ans: Answer) -> None:
        kuota = read_kuota(ans.text, ans.value)
        if isinstance(kuota, str):
            await self.retry(ctx, kuota)
            return
        ctx.update_data(kuota=kuota, kuota_set=True)
        await self.after(ctx, "kuota")

    async def ask_sasaran(self, ctx: Ctx) -> None:
        places = await active_kampung(ctx.session)
        options = [("all", ctx.t("kgm.all_kampung"))]
        options += [(f"k{p.id}", p.name) for p in places]
        ctx.ask(ctx.t("kgm.ask_sasaran"), options)

    async def on_sasaran(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "all":
            ctx.update_data(sasaran=[])
        elif ans.value and ans.value[1:].isdigit():
            ctx.update_data(sasaran=[int(ans.value[1:])])
        else:
            await self.retry(ctx, "kgm.pick_from_list")
            return
        await self.after(ctx, "sasaran")

    async def ask_deskripsi(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("kgm.ask_deskripsi"), [("skip", ctx.t("kgm.skip"))])

    async def on_deskripsi(self, ctx: Ctx, ans: Answer) -> None:
        await self._text_step(ctx, ans, "deskripsi", optional=True)

    async def ask_summary(self, ctx: Ctx) -> None:
        d = ctx.data
        sasaran = [await ctx.session.get(Location, k) for k in d.get("sasaran", [])]
        names = ", ".join(p.name for p in sasaran if p) or ctx.t("kgm.all_kampung")
        kuota = d.get("kuota")
        text = ctx.t(
            "kgm.summary",
            jenis=ctx.t(f"kegiatan.jenis.{d['jenis']}"),
            judul=d["judul"],
            opd=d["opd"],
            narasumber=d.get("narasumber") or "-",
            tempat=d["tempat"],
            mulai=ctx.when(datetime.fromisoformat(d["mulai"])),
            selesai=ctx.when(datetime.fromisoformat(d["selesai"])),
            kuota=kuota if kuota else ctx.t("kgm.no_limit"),
            sasaran=names,
        )
        options = [("publish", ctx.t("kgm.publish")), ("draft", ctx.t("kgm.save_draft"))]
        options += [
            (f"edit_{f}", ctx.t(f"kgm.edit_{f}"))
            for f in ("judul", "mulai", "selesai", "tempat", "kuota", "sasaran")
        ]
        ctx.ask(text, options)

    async def on_summary(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value in ("publish", "draft"):
            await self._save(ctx, publish_now=ans.value == "publish")
        elif ans.value and ans.value.startswith("edit_"):
            ctx.update_data(review=True)
            await self.goto(ctx, ans.value.removeprefix("edit_"))
        else:
            await self.retry(ctx, "kgm.pick_from_list")

    async def _save(self, ctx: Ctx, *, publish_now: bool) -> None:
        assert ctx.member is not None
        d = ctx.data
        draft = KegiatanDraft(
            jenis=d["jenis"],
            judul=d["judul"],
            opd=d["opd"],
            tempat=d["tempat"],
            starts_at=datetime.fromisoformat(d["mulai"]),
            ends_at=datetime.fromisoformat(d["selesai"]),
            kuota=d.get("kuota"),
            narasumber=d.get("narasumber") or None,
            description=d.get("deskripsi") or "",
            sasaran=tuple(d.get("sasaran", [])),
        )
        actor = f"member:{ctx.member.id}"
        try:
            k = await create_kegiatan(
                ctx.session, draft, now=ctx.now, actor=actor, created_by_member_id=ctx.member.id
            )
        except KegiatanInvalid as exc:
            # Time passed while she typed (the start is now in the past), or similar.
            ctx.update_data(review=True)
            await self.retry(ctx, "kgm.invalid", problems=", ".join(exc.problems))
            return
        if publish_now:
            await publish(
                ctx.session, k.id, now=ctx.now, actor=actor, actor_member_id=ctx.member.id
            )
        ctx.set_flow(None)
        key = "kgm.published" if publish_now else "kgm.drafted"
        await show_menu(ctx, intro=ctx.t(key, judul=k.judul))


NEW = register_flow(NewKegiatan())


@register_action("kgm_new", ADMIN)
async def _new(ctx: Ctx, _args: list[str]) -> None:
    await NEW.start(ctx)


@register_action("kgm_list", ADMIN)
async def _list(ctx: Ctx, args: list[str]) -> None:
    page = await list_kegiatan(ctx.session, ctx.now, _id(args), 8)
    lines = [ctx.t("kgm.list_title")]
    choices = [Choice(action("kgm_new"), ctx.t("kgm.new"))]
    for k in page.items:
        lines.append(f"• {ctx.when(k.starts_at)}: {k.judul} ({ctx.t(f'kgm.status.{k.status}')})")
        choices.append(Choice(action("kgm", k.id), k.judul[:40]))
    ctx.set_flow(None)
    ctx.offer(tuple(choices))
    ctx.say("\n".join(lines), choices=tuple(choices))


@register_action("kgm", ADMIN)
async def _manage(ctx: Ctx, args: list[str]) -> None:
    k = await ctx.session.get(Kegiatan, _id(args))
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
    choices = []
    if k.status == "draft":
        choices.append(Choice(action("kgm_pub", k.id), ctx.t("kgm.publish")))
    if k.status in ("draft", "open", "closed"):
        choices += [
            Choice(action("kgm_edit", k.id, w), ctx.t(f"kgm.change_{w}"))
            for w in ("time", "place", "kuota")
        ]
        choices.append(Choice(action("kgm_cancel", k.id), ctx.t("kgm.cancel_kegiatan")))
    choices.append(Choice(action("kgm_list"), ctx.t("kgm.back")))
    ctx.offer(tuple(choices))
    ctx.say(text, choices=tuple(choices))


@register_action("kgm_pub", ADMIN)
async def _publish(ctx: Ctx, args: list[str]) -> None:
    assert ctx.member is not None
    result = await publish(
        ctx.session,
        _id(args),
        now=ctx.now,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
    )
    judul = result.kegiatan.judul if result.kegiatan else "-"
    key = "kgm.published" if result.outcome in ("ok", "unchanged") else "kgm.not_editable"
    await show_menu(ctx, intro=ctx.t(key, judul=judul))


add_entry(MenuEntry("kgm_list", "menu.manage_kegiatan", ADMIN, 30))
