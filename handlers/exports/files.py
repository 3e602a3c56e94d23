"""Sending an export in chat: the file as a document (XLSX), or for the assessment pack
the workbook and then the reports' photos in ZIP files small enough for the platform
(`Config.export_part_max_bytes`, 45 MB: Telegram takes 50 MB from a bot). Each export is
written to the audit log in the same transaction."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.types import Reply
from handlers.exports.common import (
    after,
    new_folder,
    place_name,
    record,
    refusal,
    refuse,
    scope_for,
    today,
    where_text,
)
from models.exports import Scope, file_name, write_export, write_penilaian


async def send_file(ctx: Ctx, args: list[str]) -> None:
    """ "a:ex.file:<kind>:<period>" """
    ctx.finish()
    kind, period = (*args, "", "")[:2]
    key = refusal(ctx, kind, period)
    scope = scope_for(ctx, period)
    if key is not None or scope is None:
        await refuse(ctx, key or "ekspor.no_kampung")
        return
    if kind == "penilaian":
        await _send_pack(ctx, scope, period)
    else:
        await _send_table(ctx, kind, scope, period)
    after(ctx)


async def _send_table(ctx: Ctx, kind: str, scope: Scope, period: str) -> None:
    folder = await new_folder(ctx)
    out = folder / file_name(kind, ".xlsx", today(ctx), await place_name(ctx, scope))
    written = await write_export(ctx.session, kind, scope, out)
    await record(ctx, kind, scope, period=period, format="xlsx", rows=written.rows)
    caption = ctx.t(
        "ekspor.caption",
        kind=ctx.t(f"ekspor.kind.{kind}"),
        where=await where_text(ctx, scope, period),
        rows=written.rows,
    )
    ctx.replies.append(Reply(text=caption, document=out, document_name=out.name))


async def _send_pack(ctx: Ctx, scope: Scope, period: str) -> None:
    folder = await new_folder(ctx)
    place = await place_name(ctx, scope)
    out = folder / file_name("penilaian", ".xlsx", today(ctx), place)
    photos = folder / file_name("foto-laporan", ".zip", today(ctx), place)
    pack = await write_penilaian(
        ctx.session,
        scope,
        out,
        now=ctx.now,
        media_dir=ctx.media_dir,
        photos_out=photos,
        max_zip_bytes=ctx.config.export_part_max_bytes,
    )
    zipped = pack.zipped
    await record(
        ctx, "penilaian", scope, period=period, format="xlsx", **pack.counts,
        zips=len(zipped.parts), missing_photos=len(zipped.missing),
    )  # fmt: skip
    caption = ctx.t(
        "ekspor.caption_penilaian",
        where=await where_text(ctx, scope, period),
        kegiatan=pack.counts["kegiatan"],
        laporan=pack.counts["laporan"],
    )
    ctx.replies.append(Reply(text=caption, document=out, document_name=out.name))
    count = len(zipped.parts)
    for number, part in enumerate(zipped.parts, start=1):
        text = ctx.t("ekspor.zip_caption", n=number, count=count, photos=zipped.photos)
        ctx.replies.append(Reply(text=text, document=part, document_name=part.name))
    if not zipped.parts:
        ctx.say(ctx.t("ekspor.no_photos"))
    if zipped.missing:
        ctx.say(ctx.t("ekspor.missing_photos", count=len(zipped.missing)))
