"""The link, checked again here (role, console configured, links left this hour)."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.types import Reply
from models.web_login import is_staff, links_left, new_login_code


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
    if not await links_left(ctx.session, member.id, ctx.now):
        ctx.say(ctx.t("weblogin.too_many"))
        return
    code = await new_login_code(ctx.session, member, ctx.now)
    if code is None:  # is_staff said yes above, in this same transaction
        ctx.say(ctx.t("weblogin.not_staff"))
        return
    text = ctx.t("weblogin.link", link=f"{base}/admin/masuk/{code}")
    ctx.replies.append(Reply(text=text, no_preview=True))
