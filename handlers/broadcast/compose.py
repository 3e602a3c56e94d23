"""Admin announcements in chat: write the text, add a photo if the channel can, choose
who gets it, see exactly what goes out and to how many chats, then send now or later.

text > (photo) > audience > (kampung | days | kegiatan > waiting) > preview
preview > send now | later: when (> time) > confirm | edit text | edit audience | cancel

Only admins: the menu entry is theirs, the action `a:bc_new` is checked by the router,
and every step checks the role again, since it may have been revoked mid-way. Scheduled
ones, cancelling and the delivery report live in `handlers.broadcast.manage`; the
audience steps in `handlers.broadcast.audience`, the "send later" steps in
`handlers.broadcast.when`, and how a photo is stored in `handlers.core.media`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from handlers.broadcast.audience import describe_audience
from handlers.broadcast.manage import ADMIN  # also registers the list/cancel/report actions
from handlers.broadcast.when import WhenSteps
from handlers.core.context import Answer, Ctx
from handlers.core.flow import MenuEntry, add_entry, register_action, register_flow
from handlers.core.media import MAX_PHOTO_BYTES, MediaDownloadError, downloader_for
from handlers.core.menu import show_menu
from handlers.core.types import Choice, Kind, Reply, action
from models.outbox.broadcasts import MAX_BROADCAST_TEXT, count_audience, create_broadcast

log = logging.getLogger(__name__)


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


class Broadcast(WhenSteps):
    name = "broadcast"
    first_step = "text"

    async def handle(self, ctx: Ctx, answer: Answer) -> None:
        if ctx.role != "admin":
            ctx.set_flow(None)
            await show_menu(ctx, intro=ctx.t("common.not_allowed"))
            return
        await super().handle(ctx, answer)

    # -- text --
    async def ask_text(self, ctx: Ctx) -> None:
        d = ctx.data
        if d.get("text"):
            ctx.say(d["text"])
            ctx.ask(ctx.t("broadcast.ask_text_again", max=MAX_BROADCAST_TEXT))
        else:
            ctx.ask(ctx.t("broadcast.ask_text", max=MAX_BROADCAST_TEXT))

    async def on_text(self, ctx: Ctx, ans: Answer) -> None:
        if ans.kind is Kind.PHOTO:
            await self._photo_with_text(ctx, ans)
            return
        if ans.kind is not Kind.TEXT:
            await self.retry(ctx, "broadcast.text_only")
            return
        if not await self._take_text(ctx, ans.text):
            await self.ask(ctx)
            return
        await self._after_text(ctx)

    async def _take_text(self, ctx: Ctx, text: str) -> bool:
        problem = check_text(text)
        if problem:
            ctx.say(ctx.t(problem, max=MAX_BROADCAST_TEXT, length=len(text.strip())))
            return False
        # Kept as typed (line breaks too); only the edges are trimmed.
        ctx.update_data(text=text.strip())
        return True

    async def _after_text(self, ctx: Ctx) -> None:
        d = ctx.data
        if d.get("review"):
            await self.goto(ctx, "preview")
        elif not d.get("media_path") and downloader_for(ctx.incoming.channel) is not None:
            await self.goto(ctx, "photo")
        else:
            await self.goto(ctx, "audience")

    async def _photo_with_text(self, ctx: Ctx, ans: Answer) -> None:
        """A photo sent while the text was asked for; its caption, if any, is the text."""
        stored = await self._store_photo(ctx, ans)
        if stored is None:
            await self.ask(ctx)
            return
        caption = ans.incoming.text if ans.incoming else ""
        if caption.strip() and await self._take_text(ctx, caption):
            await self._after_text(ctx)
            return
        if stored:
            ctx.say(ctx.t("broadcast.photo_now_text"))
        await self.ask(ctx)

    # -- photo (only on channels that can store one) --
    async def ask_photo(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("broadcast.ask_photo"), [("nophoto", ctx.t("broadcast.no_photo"))])

    async def on_photo(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "nophoto":
            await self._next_after_photo(ctx)
        elif ans.kind is Kind.PHOTO:
            if await self._store_photo(ctx, ans) is None:
                await self.ask(ctx)
            else:
                await self._next_after_photo(ctx)
        else:
            await self.retry(ctx, "broadcast.photo_pick")

    async def _next_after_photo(self, ctx: Ctx) -> None:
        await self.goto(ctx, "preview" if ctx.data.get("review") else "audience")

    async def _store_photo(self, ctx: Ctx, ans: Answer) -> bool | None:
        """True: stored; False: this channel cannot, go on with text only; None: ask again."""
        downloader = downloader_for(ctx.incoming.channel)
        if downloader is None:
            ctx.say(ctx.t("broadcast.photo_unavailable"))
            return False
        media = ans.incoming.media if ans.incoming else None
        if media is None:
            ctx.say(ctx.t("broadcast.photo_failed"))
            return None
        if media.size is not None and media.size > MAX_PHOTO_BYTES:
            ctx.say(ctx.t("broadcast.photo_too_large", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
            return None
        try:
            path = await downloader(media, ctx.media_dir / "broadcast", max_bytes=MAX_PHOTO_BYTES)
        except MediaDownloadError as exc:
            key = {"too_large": "photo_too_large", "not_a_photo": "photo_not_a_photo"}
            ctx.say(
                ctx.t(
                    f"broadcast.{key.get(exc.reason, 'photo_failed')}",
                    mb=MAX_PHOTO_BYTES // (1024 * 1024),
                )
            )
            return None
        except Exception:
            # The platform or the disk failed; she may try again or go on without it.
            log.warning("photo download failed on %s", ctx.incoming.channel, exc_info=True)
            ctx.say(ctx.t("broadcast.photo_failed"))
            return None
        ctx.update_data(media_path=str(path))
        ctx.say(ctx.t("broadcast.photo_ok"))
        return True

    # -- preview --
    async def ask_preview(self, ctx: Ctx) -> None:
        d = ctx.data
        count = await count_audience(ctx.session, d["audience"], now=ctx.now)
        media = d.get("media_path")
        # The message exactly as a mother will see it (in the admin's language).
        ctx.replies.append(
            Reply(
                text=ctx.t("outbox.announcement", text=d["text"]),
                photo=Path(media) if media else None,
            )
        )
        who = await describe_audience(ctx.session, ctx.lang, d["audience"])
        lines = [ctx.t("broadcast.preview", audience=who, count=count)]
        options = []
        if count:
            options.append(("now", ctx.t("broadcast.send_now")))
        else:
            lines.append(ctx.t("broadcast.preview_nobody"))
        options += [
            ("later", ctx.t("broadcast.send_later")),
            ("edit_text", ctx.t("broadcast.edit_text")),
            ("edit_audience", ctx.t("broadcast.edit_audience")),
            ("discard", ctx.t("broadcast.discard")),
        ]
        ctx.ask("\n".join(lines), options)

    async def on_preview(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "now":
            await self._send(ctx, None)
        elif ans.value == "later":
            await self.goto(ctx, "when")
        elif ans.value == "edit_text":
            ctx.update_data(review=True)
            await self.goto(ctx, "text")
        elif ans.value == "edit_audience":
            await self.goto(ctx, "audience")
        elif ans.value == "discard":
            ctx.set_flow(None)
            await show_menu(ctx, intro=ctx.t("broadcast.discarded"))
        else:
            await self.retry(ctx, "broadcast.preview_pick")

    # -- sending --
    async def _send(self, ctx: Ctx, scheduled_at: datetime | None) -> None:
        assert ctx.member is not None  # an admin is always a member
        d = ctx.data
        broadcast = await create_broadcast(
            ctx.session,
            text=d["text"],
            audience=d["audience"],
            actor=f"member:{ctx.member.id}",
            created_by_member_id=ctx.member.id,
            media_path=d.get("media_path"),
            scheduled_at=scheduled_at,
            now=ctx.now,
        )
        if scheduled_at is None:
            text = ctx.t("broadcast.sent", id=broadcast.id, count=broadcast.recipient_count)
            quiet = ctx.quiet_hours
            if quiet is not None and quiet.active(ctx.now):
                text += "\n" + ctx.t(
                    "broadcast.quiet_hours",
                    start=quiet.start.strftime("%H.%M"),
                    end=quiet.end.strftime("%H.%M"),
                )
            choices: tuple[Choice, ...] = (
                Choice(action("bc_report", broadcast.id), ctx.t("broadcast.see_report")),
                Choice(action("menu"), ctx.t("broadcast.to_menu")),
            )
        else:
            text = ctx.t(
                "broadcast.scheduled",
                id=broadcast.id,
                when=ctx.when(scheduled_at),
                count=broadcast.recipient_count,
            )
            choices = (
                Choice(action("bc_cancel", broadcast.id), ctx.t("broadcast.cancel_this")),
                Choice(action("bc_list"), ctx.t("broadcast.menu_list")),
                Choice(action("menu"), ctx.t("broadcast.to_menu")),
            )
        ctx.set_flow(None)
        ctx.offer(choices)
        ctx.say(text, choices=choices)


BROADCAST = register_flow(Broadcast())


@register_action("bc_new", ADMIN)
async def _new(ctx: Ctx, _args: list[str]) -> None:
    await BROADCAST.start(ctx)


add_entry(MenuEntry("bc_new", "broadcast.menu_send", ADMIN, 70))
