"""After an announcement is written: the list of scheduled and recent ones, cancelling a
scheduled one, and the delivery report (sent / failed / blocked / opted out / queued).

All three are self-contained actions naming their broadcast ("a:bc_cancel:7"), so the
buttons keep working on old messages; the router checks the admin role on every use, and
each action checks again that the broadcast exists and still allows what is asked.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.broadcast.audience import describe_audience, snippet
from handlers.core.context import Ctx
from handlers.core.flow import MenuEntry, add_entry, register_action
from handlers.core.types import Choice, action
from models.outbox.broadcasts import Broadcast, broadcast_lists, broadcast_summary, cancel_broadcast

ADMIN = frozenset({"admin"})
LIST_LIMIT = 4
RECENT_DAYS = 30
CONFIRM = "ya"


def _id(args: list[str]) -> int:
    return int(args[0]) if args and args[0].isdigit() else 0


def _show(ctx: Ctx, text: str, choices: list[Choice]) -> None:
    # A list or report is a new screen: it ends any half-written step.
    ctx.set_flow(None)
    ctx.offer(tuple(choices))
    ctx.say(text, choices=tuple(choices))


def _menu_choice(ctx: Ctx) -> Choice:
    return Choice(action("menu"), ctx.t("broadcast.to_menu"))


@register_action("bc_list", ADMIN)
async def list_broadcasts(ctx: Ctx, _args: list[str]) -> None:
    lists = await broadcast_lists(
        ctx.session, ctx.now, limit=LIST_LIMIT, recent=timedelta(days=RECENT_DAYS)
    )
    scheduled_total, scheduled, recent = lists.scheduled_total, lists.scheduled, lists.recent
    lines = [ctx.t("broadcast.list_scheduled_title")]
    choices: list[Choice] = []
    for b in scheduled:
        lines.append(
            ctx.t(
                "broadcast.list_item_scheduled",
                id=b.id,
                when=ctx.when(b.scheduled_at or b.created_at),
                audience=await describe_audience(ctx.session, ctx.lang, b.audience),
                text=snippet(b.text),
            )
        )
        choices.append(Choice(action("bc_cancel", b.id), ctx.t("broadcast.cancel_n", id=b.id)))
    if not choices:
        lines.append(ctx.t("broadcast.list_none_scheduled"))
    elif (scheduled_total or 0) > LIST_LIMIT:
        lines.append(ctx.t("broadcast.list_more", count=(scheduled_total or 0) - LIST_LIMIT))
    lines += ["", ctx.t("broadcast.list_recent_title", days=RECENT_DAYS)]
    reports = 0
    for b in recent:
        reports += 1
        lines.append(
            ctx.t(
                "broadcast.list_item_recent",
                id=b.id,
                when=ctx.when(b.enqueued_at or b.created_at),
                audience=await describe_audience(ctx.session, ctx.lang, b.audience),
                count=b.recipient_count,
            )
        )
        choices.append(Choice(action("bc_report", b.id), ctx.t("broadcast.report_n", id=b.id)))
    if not reports:
        lines.append(ctx.t("broadcast.list_none_recent"))
    choices += [Choice(action("bc_new"), ctx.t("broadcast.menu_send")), _menu_choice(ctx)]
    _show(ctx, "\n".join(lines), choices)


@register_action("bc_cancel", ADMIN)
async def cancel(ctx: Ctx, args: list[str]) -> None:
    """a:bc_cancel:<id> asks; a:bc_cancel:<id>:ya cancels (a slip of the thumb costs one tap)."""
    broadcast = await ctx.session.get(Broadcast, _id(args))
    back = [Choice(action("bc_list"), ctx.t("broadcast.menu_list")), _menu_choice(ctx)]
    if broadcast is None:
        _show(ctx, ctx.t("broadcast.not_found"), back)
        return
    if broadcast.status != "scheduled":
        key = f"broadcast.cannot_cancel_{broadcast.status}"
        _show(ctx, ctx.t(key, id=broadcast.id), back)
        return
    if args[1:] != [CONFIRM]:
        text = ctx.t(
            "broadcast.cancel_confirm",
            id=broadcast.id,
            when=ctx.when(broadcast.scheduled_at or broadcast.created_at),
            text=snippet(broadcast.text, 80),
        )
        yes = Choice(action("bc_cancel", broadcast.id, CONFIRM), ctx.t("broadcast.cancel_yes"))
        no = Choice(action("bc_list"), ctx.t("broadcast.cancel_no"))
        _show(ctx, text, [yes, no])
        return
    assert ctx.member is not None  # only admins get here, and an admin is a member
    done = await cancel_broadcast(
        ctx.session,
        broadcast.id,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
        now=ctx.now,
    )
    # cancel_broadcast locks the row; a sweep may have taken it a moment ago.
    key = "broadcast.cancelled" if done else "broadcast.cannot_cancel_enqueued"
    _show(ctx, ctx.t(key, id=broadcast.id), back)


@register_action("bc_report", ADMIN)
async def report(ctx: Ctx, args: list[str]) -> None:
    broadcast = await ctx.session.get(Broadcast, _id(args))
    back = [Choice(action("bc_list"), ctx.t("broadcast.menu_list")), _menu_choice(ctx)]
    if broadcast is None:
        _show(ctx, ctx.t("broadcast.not_found"), back)
        return
    audience = await describe_audience(ctx.session, ctx.lang, broadcast.audience)
    if broadcast.status == "scheduled":
        text = ctx.t(
            "broadcast.report_scheduled",
            id=broadcast.id,
            audience=audience,
            when=ctx.when(broadcast.scheduled_at or broadcast.created_at),
            count=broadcast.recipient_count,
        )
        cancel_choice = Choice(action("bc_cancel", broadcast.id), ctx.t("broadcast.cancel_this"))
        _show(ctx, text, [cancel_choice, *back])
        return
    summary = await broadcast_summary(ctx.session, broadcast.id)
    if broadcast.status == "sent":
        finished = broadcast.finished_at or broadcast.enqueued_at or broadcast.created_at
        status = ctx.t("broadcast.status_sent", when=ctx.when(finished))
    else:
        status = ctx.t(f"broadcast.status_{broadcast.status}")  # enqueued | cancelled
    text = ctx.t(
        "broadcast.report",
        id=broadcast.id,
        audience=audience,
        status=status,
        recipients=summary.recipients,
        sent=summary.sent,
        failed=summary.failed,
        blocked=summary.blocked,
        opted_out=summary.opted_out,
        skipped=summary.skipped,
        queued=summary.queued,
    )
    refresh = Choice(action("bc_report", broadcast.id), ctx.t("broadcast.refresh"))
    _show(ctx, text, [refresh, *back])


add_entry(MenuEntry("bc_list", "broadcast.menu_list", ADMIN, 72))
