"""The link, checked again here (role, console configured, links left this hour for her
and for this chat)."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.i18n import format_time_local
from handlers.core.types import Reply
from models.web_login import is_staff, link_limit, new_login_code


async def give_link(ctx: Ctx, _args: list[str]) -> None:
    ctx.finish()
    member = ctx.member
    base = ctx.config.web_base_url
    if member is None or not is_staff(member):
        ctx.say(ctx.t("weblogin.not_staff"))
        return
    if not base:
        ctx.say(ctx.t("weblogin.not_configured"))
        return
    limit = await link_limit(ctx.session, member.id, ctx.identity.id, ctx.now)
    if limit.next_at is not None:
        lines = [
            ctx.t("weblogin.too_many", time=format_time_local(limit.next_at, ctx.lang, ctx.tz))
        ]
        if limit.live_until is not None:
            until = format_time_local(limit.live_until, ctx.lang, ctx.tz)
            lines.append(ctx.t("weblogin.still_live", time=until))
        ctx.say("\n".join(lines))
        return
    code = await new_login_code(ctx.session, member, ctx.now, identity_id=ctx.identity.id)
    if code is None:  # is_staff said yes above, in this same transaction
        ctx.say(ctx.t("weblogin.not_staff"))
        return
    text = ctx.t("weblogin.link", link=f"{base}/admin/masuk/{code}")
    ctx.replies.append(Reply(text=text, no_preview=True))
