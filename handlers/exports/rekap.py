"""'Rekap': four PNG charts of the last twelve months, in her language: kegiatan per month
by jenis (stacked), attendance per kampung, sign-ups per month, and reports sent and
approved per kader. A kader gets her own kampung's. Drawn in a thread (matplotlib is slow
work for the event loop); a chart with no data says so in the picture. Recorded in the
audit log like every export."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from babel.dates import format_date

from handlers.core.context import Ctx
from handlers.core.i18n import t
from handlers.core.types import Reply
from handlers.exports.common import after, new_folder, place_name, record, refuse, scope_for
from models.exports import Chart, Rekap, rekap_data, render_png
from models.files import write_private
from models.kegiatan.tables import JENIS


def charts(ctx: Ctx, data: Rekap) -> list[Chart]:
    return charts_in(ctx.lang, data)


def charts_in(lang: str, data: Rekap) -> list[Chart]:
    """The four charts in a language (the chat's, or a web console page's)."""
    months = [format_date(m, "MMM yy", locale=lang) for m in data.months]
    empty = t(lang, "ekspor.chart.empty")
    kegiatan = Chart(
        t(lang, "ekspor.chart.kegiatan"),
        months,
        [(t(lang, f"kegiatan.jenis.{code}"), data.kegiatan[code]) for code in JENIS],
        "stacked",
        empty,
        t(lang, "ekspor.chart.kegiatan_axis"),
    )
    hadir = Chart(
        t(lang, "ekspor.chart.hadir"),
        [name for name, _, _ in data.attendance],
        [
            ("done", [came for _, _, came in data.attendance]),
            ("total", [seats for _, seats, _ in data.attendance]),
        ],
        "percent",
        empty,
        t(lang, "ekspor.chart.hadir_axis"),
        percent_format=t(lang, "ekspor.chart.hadir_label"),
    )
    daftar = Chart(
        t(lang, "ekspor.chart.daftar"),
        months,
        [(t(lang, "ekspor.chart.daftar_axis"), data.signups)],
        "bars",
        empty,
        t(lang, "ekspor.chart.daftar_axis"),
    )
    laporan = Chart(
        t(lang, "ekspor.chart.laporan"),
        [name for name, _, _ in data.reports],
        [
            (t(lang, "ekspor.chart.sent"), [sent for _, sent, _ in data.reports]),
            (t(lang, "ekspor.chart.approved"), [ok for _, _, ok in data.reports]),
        ],
        "grouped",
        empty,
        t(lang, "ekspor.chart.laporan_axis"),
    )
    return [kegiatan, hadir, daftar, laporan]


def draw(found: Sequence[Chart], folder: Path) -> list[Path]:
    paths: list[Path] = []
    for number, chart in enumerate(found, start=1):
        path = folder / f"rekap-{number}.png"
        write_private(path, render_png(chart))
        paths.append(path)
    return paths


async def send_rekap(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    scope = scope_for(ctx)
    if scope is None:
        await refuse(ctx, "ekspor.no_kampung")
        return
    data = await rekap_data(ctx.session, ctx.tz, ctx.now, scope.kampung_id)
    found = charts(ctx, data)
    paths = await asyncio.to_thread(draw, found, await new_folder(ctx))
    await record(ctx, "rekap", scope, charts=len(paths))
    name = await place_name(ctx, scope)
    place = ctx.t("ekspor.place", name=name) if name else ctx.t("ekspor.place_all")
    ctx.say(ctx.t("ekspor.rekap_intro", place=place, count=len(paths)))
    for path, chart in zip(paths, found, strict=True):
        ctx.replies.append(Reply(text=chart.title, photo=path))
    after(ctx)
