"""The kit's photo step: a few photos, each sent as its own message, kept as files.

    Photos(name="photos", ask="lapor.ask_photos", again="lapor.ask_photos_more",
           folder="reports", most=3, edit="lapor.edit_photos")

An album arrives as several messages, handled one after the other; after each photo the
step asks for the next one (the question's `{count}` and `{most}` say how many), and the
last allowed photo goes on by itself. "Selesai" goes on with those sent, "Tanpa foto"
without any, "Hapus foto" starts again. Each photo is fetched by the channel's downloader
(`handlers.core.media`) into MEDIA_DIR/<folder>; the value is the list of stored paths,
relative to MEDIA_DIR. A video, sticker, voice note or a file that is not a picture gets a
kind word; a photo beyond `most` is refused; nothing sent before is lost. On a channel that
cannot fetch files the step says so and offers only to go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from handlers.core.context import Answer, Ctx
from handlers.core.feature import StepKind
from handlers.core.media import MAX_PHOTO_BYTES, MediaDownloadError, downloader_for
from handlers.core.steps import SKIP_WORDS, Form, Problem, Question, Step
from handlers.core.types import Kind
from handlers.parse import parse_int
from handlers.parse.words import norm, starts_with_words
from handlers.parse.yesno import parse_yes_no

log = logging.getLogger(__name__)

DONE, CLEAR = "done", "clear"
DONE_WORDS = (
    *SKIP_WORDS,
    "selesai",
    "sudah",
    "udah",
    "cukup",
    "lanjut",
    "tanpa foto",
    "done",
    "no photo",
)
CLEAR_WORDS = ("hapus", "hapus foto", "hapus semua foto", "ulang", "ulangi", "delete photos")
DOWNLOAD_PROBLEMS = {"too_large": "kit.photo_too_large", "not_a_photo": "kit.photo_not_a_photo"}


@dataclass(frozen=True, kw_only=True)
class Photos(Step):
    # Folder under MEDIA_DIR the photos go to.
    folder: str
    most: int = 3
    fewest: int = 0
    done_label: str = "kit.photos_done"
    none_label: str = "kit.photos_none"
    clear_label: str = "kit.photos_clear"
    wrong_kind: str = "kit.photo_only"
    empty: str | None = "kit.photos_empty"
    kind: ClassVar[StepKind] = "media"

    def accepts(self, kind: Kind) -> bool:
        # A photo sent "as a file" arrives as a document; it is taken if it is a picture.
        return kind in (Kind.TEXT, Kind.PHOTO, Kind.DOCUMENT)

    def have(self, form: Form) -> list[str]:
        return [str(p) for p in getattr(form, self.attr, None) or []]

    def can_fetch(self, ctx: Ctx) -> bool:
        return downloader_for(ctx.incoming.channel) is not None

    async def options(self, ctx: Ctx, form: Form) -> list[tuple[str, str]]:
        if not self.can_fetch(ctx):
            # No photo can come this way, so none is required: she may only go on.
            return [(DONE, ctx.t(self.done_label if self.have(form) else self.none_label))]
        if self.have(form):
            return [(DONE, ctx.t(self.done_label)), (CLEAR, ctx.t(self.clear_label))]
        return [(DONE, ctx.t(self.none_label))] if self.fewest == 0 else []

    async def question(self, ctx: Ctx, form: Form, *, again: bool = False) -> Question:
        options = await self.options(ctx, form)
        if not self.can_fetch(ctx):
            return Question(ctx.t("kit.photos_unavailable"), options)
        values = {**(self.values(ctx, form) if self.values else {})}
        values.update(count=len(self.have(form)), most=self.most)
        key = self.again if self.have(form) and self.again else self.ask
        return Question(ctx.t(key, **values), options)

    def show(self, ctx: Ctx, value: Any) -> str:
        count = len(value or [])
        return ctx.t("kit.photos_count", count=count) if count else super().show(ctx, None)

    async def read(self, ctx: Ctx, ans: Answer, form: Form) -> Any:
        have = self.have(form)
        if ans.kind in (Kind.PHOTO, Kind.DOCUMENT):
            return await self._photo(ctx, ans, form, have)
        picked = self._picked(ans, await self.options(ctx, form))
        if picked == DONE:
            if len(have) < self.fewest and self.can_fetch(ctx):
                return Problem("kit.photos_fewest", {"fewest": self.fewest})
            return have
        if picked == CLEAR:
            self._keep(ctx, form, [])
            return Problem("kit.photos_cleared")
        return Problem("kit.photos_pick")

    def _picked(self, ans: Answer, options: list[tuple[str, str]]) -> str | None:
        if ans.value is not None:
            return ans.value if ans.value in {v for v, _ in options} else None
        typed = norm(ans.text)
        number = parse_int(typed)
        if number is not None:
            return options[number - 1][0] if 1 <= number <= len(options) else None
        for value, label in options:
            if typed == norm(label):
                return value
        if typed in CLEAR_WORDS and any(v == CLEAR for v, _ in options):
            return CLEAR
        return DONE if _done_words(typed) else None

    async def _photo(self, ctx: Ctx, ans: Answer, form: Form, have: list[str]) -> Any:
        media = ans.incoming.media if ans.incoming else None
        if ans.kind is Kind.DOCUMENT and not (
            media and (media.mime_type or "").startswith("image/")
        ):
            return Problem("kit.photo_not_a_photo")
        if len(have) >= self.most:
            return Problem("kit.photos_full", {"most": self.most})
        downloader = downloader_for(ctx.incoming.channel)
        if downloader is None:
            return Problem("")  # the question says this channel cannot take photos
        if media is None:
            return Problem("kit.photo_failed")
        if media.size is not None and media.size > MAX_PHOTO_BYTES:
            return Problem("kit.photo_too_large", {"mb": MAX_PHOTO_BYTES // (1024 * 1024)})
        try:
            path = await downloader(media, ctx.media_dir / self.folder, max_bytes=MAX_PHOTO_BYTES)
        except MediaDownloadError as exc:
            key = DOWNLOAD_PROBLEMS.get(exc.reason, "kit.photo_failed")
            return Problem(key, {"mb": MAX_PHOTO_BYTES // (1024 * 1024)})
        except Exception:
            # The platform or the disk failed; she may send it again or go on without it.
            log.warning("photo download failed on %s", ctx.incoming.channel, exc_info=True)
            return Problem("kit.photo_failed")
        stored = _relative(path, ctx.media_dir)
        if stored in have:
            return Problem("kit.photo_twice")
        have = [*have, stored]
        if len(have) >= self.most:
            ctx.say(ctx.t("kit.photos_all", count=len(have)))
            return have
        # Kept now, although the step stays: the next photo (or a restart) finds it.
        self._keep(ctx, form, have)
        return Problem("")

    def _keep(self, ctx: Ctx, form: Form, have: list[str]) -> None:
        setattr(form, self.attr, have)
        ctx.update_data(form=form.model_dump(mode="json"))


def _done_words(typed: str) -> bool:
    """ "selesai", "sudah semua", "tidak ada foto", "gak ada fotonya", "udah", "tidak":
    no (more) photos. Read only when no photo came and no choice matched."""
    if typed in DONE_WORDS or parse_yes_no(typed) is False:
        return True
    first = typed.split()[0] if typed.split() else ""
    if parse_yes_no(first) is False:  # "nggak ada", "tidak usah"
        return True
    return any(starts_with_words(typed, w) for w in DONE_WORDS if w != "-")


def _relative(path: Path, media_dir: Path) -> str:
    """The stored file's path under MEDIA_DIR (absolute if the downloader put it elsewhere)."""
    try:
        return str(path.resolve().relative_to(media_dir.resolve()))
    except ValueError:
        return str(path)


def media_path(media_dir: Path, stored: str) -> Path:
    """Where a stored photo is on disk (an absolute stored path stays as it is)."""
    return media_dir / stored


__all__ = ["CLEAR", "DONE", "Photos", "media_path"]
