"""Admin announcements in chat, as one declared wizard: write the text (a photo with a
caption is text and photo at once), add a photo where the channel can store one, choose
who gets it, see exactly what goes out and to how many chats, then send now or later.

    COMPOSE = Wizard("bc.compose", ComposeForm,
                     TEXT_STEPS + AUDIENCE_STEPS + (PREVIEW,) + when_steps(send))

text > (photo) > audience > (kampung | days | kegiatan > waiting) > preview
preview > send now | later: when (> time) > schedule | change text | change audience | discard

The step groups come from `handlers.broadcast.audience` and `handlers.broadcast.when`;
after "Ubah teks" or "Ubah penerima" the wizard asks what the change newly needs and
returns to the preview. Only admins: checked by the router on `a:bc.new` and by the
wizard on every answer (a role may be revoked mid-way).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from handlers.broadcast.audience import AUDIENCE_STEPS, describe_audience
from handlers.broadcast.form import ComposeForm, keep
from handlers.broadcast.when import when_steps
from handlers.core.context import Answer, Ctx
from handlers.core.feature import ADMIN, StepKind
from handlers.core.media import MAX_PHOTO_BYTES, MediaDownloadError, downloader_for
from handlers.core.menu import end_flow
from handlers.core.steps import Option, Problem, Question, Step, Summary
from handlers.core.types import Choice, Kind, Reply, action
from handlers.core.wizard import Wizard
from handlers.parse.words import norm
from models.outbox.broadcasts import (
    MAX_BROADCAST_TEXT,
    audience_recipients,
    create_broadcast,
    via_kader_count,
)

log = logging.getLogger(__name__)
MB = MAX_PHOTO_BYTES // (1024 * 1024)


def check_text(text: str) -> str | None:
    """The catalog key of what is wrong with an announcement's text, or None."""
    text = text.strip()
    if not text:
        return "broadcast.text_empty"
    if len(text) > MAX_BROADCAST_TEXT:
        return "broadcast.text_too_long"
    if not any(ch.isalnum() for ch in text):
        # Only emoji or punctuation: almost surely a slip, and means nothing to a mother.
        return "broadcast.text_no_words"
    return None


def _text_problem(text: str) -> Problem | None:
    key = check_text(text)
    if key is None:
        return None
    return Problem(key, {"max": MAX_BROADCAST_TEXT, "length": len(text.strip())})


async def store_photo(ctx: Ctx, ans: Answer, form: ComposeForm) -> bool | None:
    """True: stored in the form; False: this channel cannot, go on with text only;
    None: not stored, ask again (what went wrong was said)."""
    downloader = downloader_for(ctx.incoming.channel)
    if downloader is None:
        ctx.say(ctx.t("broadcast.photo_unavailable"))
        return False
    media = ans.incoming.media if ans.incoming else None
    if media is None:
        ctx.say(ctx.t("broadcast.photo_failed"))
        return None
    if media.size is not None and media.size > MAX_PHOTO_BYTES:
        ctx.say(ctx.t("broadcast.photo_too_large", mb=MB))
        return None
    try:
        path = await downloader(media, ctx.media_dir / "broadcast", max_bytes=MAX_PHOTO_BYTES)
    except MediaDownloadError as exc:
        key = {"too_large": "photo_too_large", "not_a_photo": "photo_not_a_photo"}
        ctx.say(ctx.t(f"broadcast.{key.get(exc.reason, 'photo_failed')}", mb=MB))
        return None
    except Exception:
        # The platform or the disk failed; she may try again or go on without it.
        log.warning("photo download failed on %s", ctx.incoming.channel, exc_info=True)
        ctx.say(ctx.t("broadcast.photo_failed"))
        return None
    form.media_path, form.photo_seen = str(path), True
    ctx.say(ctx.t("broadcast.photo_ok"))
    return True


@dataclass(frozen=True, kw_only=True)
class AnnouncementText(Step):
    """The text, kept as typed (line breaks too; only the edges trimmed). A photo sent
    here is kept, and its caption, if any, is the text."""

    kind: ClassVar[StepKind] = "text"
    wrong_kind: str = "broadcast.text_only"

    def accepts(self, kind: Kind) -> bool:
        return kind in (Kind.TEXT, Kind.PHOTO)

    async def question(self, ctx: Ctx, form: ComposeForm, *, again: bool = False) -> Question:
        if form.text:
            ctx.say(form.text)  # the current text, to copy and change
            return Question(ctx.t("broadcast.ask_text_again", max=MAX_BROADCAST_TEXT))
        return Question(ctx.t(self.ask, max=MAX_BROADCAST_TEXT))

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        if ans.kind is Kind.PHOTO:
            return await self._photo(ctx, ans, form)
        if ans.kind is not Kind.TEXT:
            return Problem(self.wrong_kind)
        return _text_problem(ans.text) or ans.text.strip()

    async def _photo(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        stored = await store_photo(ctx, ans, form)
        if stored is None:
            return Problem("")
        keep(ctx, form)  # the photo stays even when the text is still to come
        caption = (ans.incoming.text if ans.incoming else "").strip()
        if caption:
            return _text_problem(caption) or caption
        return Problem("broadcast.photo_now_text" if stored else "")


@dataclass(frozen=True, kw_only=True)
class Photo(Step):
    """One photo, or "Tanpa foto"; asked only where the channel can store photos."""

    def accepts(self, kind: Kind) -> bool:
        return kind in (Kind.TEXT, Kind.PHOTO)

    async def options(self, ctx: Ctx, form: ComposeForm) -> list[tuple[str, str]]:
        return [("nophoto", ctx.t("broadcast.no_photo"))]

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        typed = norm(ans.text) if ans.kind is Kind.TEXT else ""
        if ans.value == "nophoto" or (typed and typed == norm(ctx.t("broadcast.no_photo"))):
            return form.media_path
        if ans.kind is not Kind.PHOTO:
            return Problem("broadcast.photo_pick")
        if await store_photo(ctx, ans, form) is None:
            return Problem("")
        return form.media_path


def _photo_seen(ctx: Ctx, form: ComposeForm) -> None:
    form.photo_seen = True


TEXT_STEPS: tuple[Step, ...] = (
    AnnouncementText(name="text", ask="broadcast.ask_text"),
    Photo(
        name="photo",
        field="media_path",
        ask="broadcast.ask_photo",
        when=lambda form: form.can_photo and not form.photo_seen,
        after=_photo_seen,
    ),
)


# --- the preview ------------------------------------------------------------------------------


async def _now(ctx: Ctx, form: ComposeForm) -> None:
    await send(ctx, form, None)


async def _later(ctx: Ctx, form: ComposeForm) -> str:
    form.later, form.day, form.scheduled_at = True, None, None
    ctx.update_data(review=False)
    return "when"


async def _edit_text(ctx: Ctx, form: ComposeForm) -> str:
    ctx.update_data(review=True)
    return "text"


async def _edit_audience(ctx: Ctx, form: ComposeForm) -> str:
    ctx.update_data(review=True)
    return "audience"


async def _discard(ctx: Ctx, form: ComposeForm) -> None:
    await end_flow(ctx, ctx.t("broadcast.discarded"))


PREVIEW_OPTIONS = (
    Option("now", "broadcast.send_now", _now),
    Option("later", "broadcast.send_later", _later),
    Option("edit_text", "broadcast.edit_text", _edit_text),
    Option("edit_audience", "broadcast.edit_audience", _edit_audience),
    Option("discard", "broadcast.discard", _discard),
)


@dataclass(frozen=True, kw_only=True)
class Preview(Summary):
    """The message exactly as a mother will see it, then for whom and to how many chats.
    The wizard returns here after a change. A yes-word does not send: sending to a whole
    village takes its own button (or its number)."""

    saves: tuple[Option, ...] = ()

    async def question(self, ctx: Ctx, form: ComposeForm, *, again: bool = False) -> Question:
        audience = form.audience()
        recipients = await audience_recipients(ctx.session, audience, now=ctx.now)
        count = len(recipients)
        # The message exactly as a mother will see it (in the admin's language).
        media = form.media_path
        ctx.replies.append(
            Reply(
                text=ctx.t("outbox.announcement", text=form.text),
                photo=Path(media) if media else None,
            )
        )
        who = await describe_audience(ctx.session, ctx.lang, audience)
        lines = [ctx.t("broadcast.preview", audience=who, count=count)]
        if via := via_kader_count(recipients):
            lines.append(ctx.t("binaan.broadcast_via_kader", count=via))
        if not count:
            lines.append(ctx.t("broadcast.preview_nobody"))
        options = [(o.value, ctx.t(o.label)) for o in PREVIEW_OPTIONS if count or o.value != "now"]
        return Question("\n".join(lines), options)

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        found = next((o for o in PREVIEW_OPTIONS if o.value == ans.value), None)
        return found or Problem("broadcast.preview_pick")


# --- sending ----------------------------------------------------------------------------------


async def send(ctx: Ctx, form: ComposeForm, scheduled_at: datetime | None) -> None:
    """Write the announcement (now: its outbox rows; later: scheduled) and say truly what
    happens next."""
    assert ctx.member is not None  # an admin is always a member
    broadcast = await create_broadcast(
        ctx.session,
        text=form.text,
        audience=form.audience(),
        actor=f"member:{ctx.member.id}",
        created_by_member_id=ctx.member.id,
        media_path=form.media_path,
        scheduled_at=scheduled_at,
        now=ctx.now,
    )
    count = broadcast.recipient_count
    to_menu = Choice(action("core.menu"), ctx.t("broadcast.to_menu"))
    if scheduled_at is None:
        quiet = ctx.quiet_hours
        if quiet is not None and quiet.active(ctx.now):
            text = ctx.t(
                "broadcast.sent_quiet",
                id=broadcast.id,
                count=count,
                start=quiet.start.strftime("%H.%M"),
                end=quiet.end.strftime("%H.%M"),
            )
        else:
            text = ctx.t("broadcast.sent", id=broadcast.id, count=count)
        choices = [
            Choice(action("bc.report", broadcast.id), ctx.t("broadcast.see_report")),
            to_menu,
        ]
    else:
        text = ctx.t(
            "broadcast.scheduled", id=broadcast.id, when=ctx.when(scheduled_at), count=count
        )
        choices = [
            Choice(action("bc.cancel", broadcast.id), ctx.t("broadcast.cancel_this")),
            Choice(action("bc.list"), ctx.t("broadcast.menu_list")),
            to_menu,
        ]
    ctx.finish()
    ctx.show(text, choices)


COMPOSE: Wizard[ComposeForm] = Wizard(
    "bc.compose",
    ComposeForm,
    (
        *TEXT_STEPS,
        *AUDIENCE_STEPS,
        Preview(name="preview", ask="broadcast.preview"),
        *when_steps(send),
    ),
    roles=ADMIN,
    cancelled="broadcast.discarded",
)


async def new(ctx: Ctx, _args: list[str]) -> None:
    """ "Kirim pengumuman": a new announcement."""
    can_photo = downloader_for(ctx.incoming.channel) is not None
    await COMPOSE.start(ctx, ComposeForm(can_photo=can_photo))


__all__ = ["COMPOSE", "check_text", "new", "send"]
