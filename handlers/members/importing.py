"""Admins import the kelurahan's list of KK binaan by sending the file in chat.

"Impor data KK binaan" (under "Lainnya") shows the columns and sends the template; the
admin sends the CSV or XLSX as a file > the dry run (what would be added, duplicates, bad
rows with row number and reason, columns ignored) > with bad rows: import the good ones
only, or send another file > a fresh confirmation > the result. The file is fetched by the
channel's file downloader into MEDIA_DIR/imports, read within IMPORT_MAX_MB (Telegram hands
a bot files of at most 20 MB) and deleted when the import ends, however it ends. The plan
is made again from the file when she confirms, in that message's transaction, so what is
imported is checked against the members of that moment. Admins only, checked on every
answer and every button.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from handlers.core.context import Answer, Ctx
from handlers.core.feature import ADMIN, StepKind
from handlers.core.media import MediaDownloadError, file_downloader_for
from handlers.core.menu import end_flow, show_menu
from handlers.core.steps import Confirm, Form, Menu, Option, Problem, Step
from handlers.core.types import Kind, Reply
from handlers.core.wizard import NEXT, Wizard
from handlers.members.import_report import done_text, file_error_text, plan_text
from models.member_import import TEMPLATE_FILE, ImportFileError, ImportPlan, apply_plan, plan_import
from models.sheets import MB, Limits, SheetError, read_rows

log = logging.getLogger(__name__)

FOLDER = "imports"
# What each platform lets a bot download (Telegram's getFile: 20 MB).
CHANNEL_LIMITS = {"telegram": 20 * MB}
# Files of imports left half-way (the flow dropped, a restart) are removed after this.
STALE_SECONDS = 24 * 3600


class ImportForm(BaseModel):
    path: str | None = None  # under MEDIA_DIR
    filename: str = ""
    new: int = 0
    bad: int = 0
    skip_bad: bool = False
    # The dry run as shown (the file is read again only when she confirms).
    summary: str = ""


def mb_text(size: int) -> str:
    """ "20", "1.5", "0.01": megabytes as an admin reads them."""
    value = size / MB
    return f"{value:.2g}" if value < 10 else str(round(value))


def limit_bytes(ctx: Ctx) -> int:
    platform = CHANNEL_LIMITS.get(ctx.incoming.channel)
    limit = ctx.config.import_max_bytes
    return min(limit, platform) if platform else limit


def _stored(ctx: Ctx, form: ImportForm) -> Path | None:
    return ctx.media_dir / form.path if form.path else None


def _forget(ctx: Ctx, form: ImportForm) -> None:
    """The file holds names and phone numbers: gone once the import is over."""
    path = _stored(ctx, form)
    form.path = None
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep(folder: Path) -> None:
    """Files of imports never finished (a day old) are removed."""
    if not folder.is_dir():
        return
    old = time.time() - STALE_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < old:
            path.unlink(missing_ok=True)


async def make_plan(ctx: Ctx, path: Path, filename: str) -> ImportPlan | str:
    """The dry run of this file, or why it cannot be imported (a message)."""
    limits = Limits(max_bytes=limit_bytes(ctx))
    try:
        rows = await asyncio.to_thread(read_rows, path, limits, name=filename)
        return await plan_import(ctx.session, rows)
    except (SheetError, ImportFileError) as err:
        return file_error_text(ctx, err, limits, mb_text(limits.max_bytes))


def _name(ctx: Ctx) -> str:
    media = ctx.incoming.media
    return (media.filename if media and media.filename else "")[:80]


@dataclass(frozen=True, kw_only=True)
class SpreadsheetFile(Step):
    """The file the admin sends (a document); its value is the stored path."""

    kind: ClassVar[StepKind] = "media"

    def accepts(self, kind: Kind) -> bool:
        return kind in (Kind.TEXT, Kind.DOCUMENT, Kind.PHOTO)

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        media = ans.incoming.media if ans.incoming else None
        if ans.kind is Kind.PHOTO:
            return Problem("imp.photo_not_file")
        if ans.kind is not Kind.DOCUMENT or media is None:
            return Problem("imp.send_file")
        downloader = file_downloader_for(ctx.incoming.channel)
        if downloader is None:
            return Problem("imp.no_files_here")
        limit = limit_bytes(ctx)
        too_large = Problem("imp.file.too_large", {"mb": mb_text(limit)})
        if media.size is not None and media.size > limit:
            return too_large
        folder = ctx.media_dir / FOLDER
        await asyncio.to_thread(_sweep, folder)
        try:
            path = await downloader(media, folder, max_bytes=limit)
        except MediaDownloadError as exc:
            return too_large if exc.reason == "too_large" else Problem("imp.file_failed")
        except Exception:
            log.warning("import file download failed on %s", ctx.incoming.channel, exc_info=True)
            return Problem("imp.file_failed")
        filename = _name(ctx)  # the kind is told by the content; the name only hints
        plan = await make_plan(ctx, path, filename)
        if isinstance(plan, str):
            path.unlink(missing_ok=True)
            ctx.say(plan)
            return Problem("")
        _forget(ctx, form)  # an earlier file of this import
        form.filename, form.new, form.bad = filename, len(plan.new), len(plan.bad_rows)
        form.skip_bad = False
        form.summary = plan_text(ctx, plan, filename)
        return str(path.relative_to(ctx.media_dir))


async def _render(ctx: Ctx, form: ImportForm, key: str) -> str:
    return form.summary + "\n\n" + ctx.t(key, count=form.new)


async def _review_text(ctx: Ctx, form: ImportForm) -> str:
    return await _render(ctx, form, "imp.review_bad" if form.bad else "imp.review_nothing")


async def _confirm_text(ctx: Ctx, form: ImportForm) -> str:
    if form.skip_bad:  # the dry run is on the screen just above
        return ctx.t("imp.confirm_skip", count=form.new)
    return await _render(ctx, form, "imp.confirm")


async def _skip_bad(ctx: Ctx, form: ImportForm) -> str | None:
    form.skip_bad = True
    return NEXT


async def _other_file(ctx: Ctx, form: ImportForm) -> str | None:
    _forget(ctx, form)
    return "file"


async def _stop(ctx: Ctx, form: ImportForm) -> str | None:
    _forget(ctx, form)
    await end_flow(ctx, ctx.t("imp.cancelled"))
    return None


async def _import(ctx: Ctx, form: ImportForm) -> str | None:
    path = _stored(ctx, form)
    plan = await make_plan(ctx, path, form.filename) if path and path.is_file() else None
    if not isinstance(plan, ImportPlan):
        _forget(ctx, form)
        await end_flow(ctx, ctx.t("imp.file_gone"))
        return None
    if plan.problems and not form.skip_bad:
        return "review"  # nothing imported while a row is bad
    assert ctx.member is not None
    await apply_plan(
        ctx.session, plan, now=ctx.now, actor_member_id=ctx.member.id, skip_bad=form.skip_bad
    )
    _forget(ctx, form)
    await end_flow(ctx, done_text(ctx, plan, form.skip_bad))
    return None


def _review_options(_ctx: Ctx, form: ImportForm) -> tuple[Option, ...]:
    skip = (Option("skip", "imp.btn_skip_bad", _skip_bad),) if form.new else ()
    return (
        *skip,
        Option("other", "imp.btn_other_file", _other_file, words=("kirim lagi", "file lain")),
        Option("stop", "imp.btn_stop", _stop),
    )


class ImportWizard(Wizard[ImportForm]):
    async def cancel(self, ctx: Ctx) -> None:
        form = self.load(ctx)
        if form is not None:
            _forget(ctx, form)
        await super().cancel(ctx)


IMPORT = ImportWizard(
    "mb.import",
    ImportForm,
    (
        SpreadsheetFile(
            name="file",
            field="path",
            ask="imp.ask_file",
            values=lambda ctx, _form: {"mb": mb_text(limit_bytes(ctx))},
            wrong_kind="imp.send_file",
        ),
        Menu(
            name="review",
            ask="imp.review_bad",
            render=_review_text,
            choose=_review_options,
            when=lambda form: (form.bad > 0 and not form.skip_bad) or form.new == 0,
        ),
        Confirm(
            name="confirm",
            ask="imp.confirm",
            render=_confirm_text,
            yes=Option("yes", "imp.btn_import", _import, words=("impor", "import")),
            no=Option("no", "imp.btn_stop", _stop),
            when=lambda form: form.new > 0,
        ),
    ),
    roles=ADMIN,
    cancelled="imp.cancelled",
)


async def start_import(ctx: Ctx, _args: list[str]) -> None:
    """ "Impor data KK binaan": the columns, the template file, then "send the file"."""
    if ctx.role != "admin":
        await show_menu(ctx, intro=ctx.t("common.not_allowed"))
        return
    ctx.replies.append(
        Reply(
            text=ctx.t("imp.template"),
            document=TEMPLATE_FILE,
            document_name=TEMPLATE_FILE.name,
        )
    )
    await IMPORT.start(ctx)
