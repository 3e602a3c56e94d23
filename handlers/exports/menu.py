"""The "Ekspor data" screens: which data (the kinds her role may have), then for which
time (all, this month, last month, this year). Each button is a self-contained action
("a:ex.file:laporan:month"), checked again when tapped."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.types import Choice, action
from handlers.exports.common import (
    KIND_ROLES,
    PERIODS,
    place_name,
    refusal,
    refuse,
    scope_for,
)
from handlers.kegiatan.mothers import to_menu


async def show_kinds(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    scope = scope_for(ctx)
    if scope is None:
        await refuse(ctx, "ekspor.no_kampung")
        return
    name = await place_name(ctx, scope)
    text = ctx.t("ekspor.kinds_title")
    if name:
        text += "\n" + ctx.t("ekspor.kinds_kader", kampung=name)
    choices = [
        Choice(action("ex.kind", kind), ctx.t(f"ekspor.kind.{kind}"))
        for kind, roles in KIND_ROLES.items()
        if ctx.role in roles
    ]
    ctx.show(text, [*choices, Choice(action("ex.rekap"), ctx.t("ekspor.rekap_menu")), to_menu(ctx)])


async def show_periods(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    kind = args[0] if args else ""
    key = refusal(ctx, kind)
    if key is not None:
        await refuse(ctx, key)
        return
    choices = [Choice(action("ex.file", kind, p), ctx.t(f"ekspor.period.{p}")) for p in PERIODS]
    ctx.show(
        ctx.t("ekspor.periods_title", kind=ctx.t(f"ekspor.kind.{kind}")),
        [*choices, Choice(action("ex.menu"), ctx.t("ekspor.back")), to_menu(ctx)],
    )
