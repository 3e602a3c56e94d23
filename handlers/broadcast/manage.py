"""After an announcement is written: the list of scheduled and recent ones, cancelling a
scheduled one (a fresh confirmation), and the delivery report.

The list and the report say truly where an announcement is: scheduled, waiting its turn
in the queue, waiting for the quiet hours to end, being sent (so many of so many), or
sent. Their buttons name the broadcast ("a:bc.report:7"), so they keep working on old
messages; the router checks the admin role on every use, and each action checks again
that the broadcast exists and still allows what is asked.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from handlers.broadcast.audience import describe_audience, snippet
from handlers.core.context import Ctx
from handlers.core.feature import ADMIN
from handlers.core.steps import Confirm, Option
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard, back_out
from handlers.parse.ids import arg_id
from models.outbox.broadcasts import (
    Broadcast,
    broadcast_lists,
    broadcast_summary,
    cancel_broadcast,
)

LIST_LIMIT = 4
RECENT_DAYS = 30


def _menu_choice(ctx: Ctx) -> Choice:
    return Choice(action("core.menu"), ctx.t("broadcast.to_menu"))


def _back(ctx: Ctx) -> list[Choice]:
    return [Choice(action("bc.list"), ctx.t("broadcast.menu_list")), _menu_choice(ctx)]


def _show(ctx: Ctx, text: str, choices: list[Choice]) -> None:
    # A list or report is a new screen: it ends any half-written step.
    ctx.finish()
    ctx.show(text, choices)


async def progress(ctx: Ctx, broadcast: Broadcast) -> str:
    """Where a broadcast is now, in a few words."""
    if broadcast.status == "sent":
        finished = broadcast.finished_at or broadcast.enqueued_at or broadcast.created_at
        return ctx.t("broadcast.state_sent", when=ctx.when(finished))
    if broadcast.status == "cancelled":
        return ctx.t("broadcast.status_cancelled")
    if broadcast.status == "scheduled":
        return ctx.t("broadcast.state_scheduled")
    summary = await broadcast_summary(ctx.session, broadcast.id)
    if not summary.queued:
        return ctx.t("broadcast.state_done")  # every message settled; closed at the next sweep
    quiet = ctx.quiet_hours
    if quiet is not None and quiet.active(ctx.now):
        return ctx.t("broadcast.state_quiet", end=quiet.end.strftime("%H.%M"))
    done = summary.recipients - summary.queued
    if not done:
        return ctx.t("broadcast.state_queued")
    return ctx.t("broadcast.state_sending", done=done, total=summary.recipients)


async def list_broadcasts(ctx: Ctx, _args: list[str]) -> None:
    lists = await broadcast_lists(
        ctx.session, ctx.now, limit=LIST_LIMIT, recent=timedelta(days=RECENT_DAYS)
    )
    lines = [ctx.t("broadcast.list_scheduled_title")]
    choices: list[Choice] = []
    for b in lists.scheduled:
        lines.append(
            ctx.t(
                "broadcast.list_item_scheduled",
                id=b.id,
                when=ctx.when(b.scheduled_at or b.created_at),
                audience=await describe_audience(ctx.session, ctx.lang, b.audience),
                text=snippet(b.text),
            )
        )
        choices.append(Choice(action("bc.cancel", b.id), ctx.t("broadcast.cancel_n", id=b.id)))
    if not lists.scheduled:
        lines.append(ctx.t("broadcast.list_none_scheduled"))
    elif lists.scheduled_total > LIST_LIMIT:
        lines.append(ctx.t("broadcast.list_more", count=lists.scheduled_total - LIST_LIMIT))
    lines += ["", ctx.t("broadcast.list_recent_title", days=RECENT_DAYS)]
    for b in lists.recent:
        lines.append(
            ctx.t(
                "broadcast.list_item_recent",
                id=b.id,
                when=ctx.when(b.enqueued_at or b.created_at),
                audience=await describe_audience(ctx.session, ctx.lang, b.audience),
                count=b.recipient_count,
                status=await progress(ctx, b),
            )
        )
        choices.append(Choice(action("bc.report", b.id), ctx.t("broadcast.report_n", id=b.id)))
    if not lists.recent:
        lines.append(ctx.t("broadcast.list_none_recent"))
    choices += [Choice(action("bc.new"), ctx.t("broadcast.menu_send")), _menu_choice(ctx)]
    _show(ctx, "\n".join(lines), choices)


# --- cancelling a scheduled one: a fresh confirmation -----------------------------------------


class CancelForm(BaseModel):
    id: int = 0
    when: str = "-"
    text: str = ""


async def _cancel(ctx: Ctx, form: CancelForm) -> None:
    assert ctx.member is not None  # only admins get here, and an admin is a member
    done = await cancel_broadcast(
        ctx.session,
        form.id,
        actor=f"member:{ctx.member.id}",
        actor_member_id=ctx.member.id,
        now=ctx.now,
    )
    # cancel_broadcast locks the row; a sweep may have taken it a moment ago.
    broadcast = await ctx.session.get(Broadcast, form.id)
    status = broadcast.status if broadcast is not None else "enqueued"
    key = "broadcast.cancelled" if done else f"broadcast.cannot_cancel_{status}"
    _show(ctx, ctx.t(key, id=form.id), _back(ctx))


async def _to_list(ctx: Ctx, _form: CancelForm) -> None:
    """ "Tidak" or "batal": the list of announcements, where it still stands scheduled."""
    await list_broadcasts(ctx, [])


CANCEL: Wizard[CancelForm] = Wizard(
    "bc.cancel",
    CancelForm,
    (
        Confirm(
            name="confirm",
            ask="broadcast.cancel_confirm",
            values=lambda _ctx, form: {"id": form.id, "when": form.when, "text": form.text},
            yes=Option("yes", "broadcast.cancel_yes", _cancel),
            no=Option("no", "broadcast.cancel_no", back_out),
        ),
    ),
    roles=ADMIN,
    cancelled="broadcast.cancel_kept",
    back=_to_list,
)


async def cancel(ctx: Ctx, args: list[str]) -> None:
    """a:bc.cancel:<id> asks, fresh, with a one-time token on its buttons. An old button
    of the kind "a:bc_cancel:<id>:ya" asks too: it never cancels by itself."""
    broadcast = await ctx.session.get(Broadcast, arg_id(args))
    if broadcast is None:
        _show(ctx, ctx.t("broadcast.not_found"), _back(ctx))
        return
    if broadcast.status != "scheduled":
        _show(
            ctx, ctx.t(f"broadcast.cannot_cancel_{broadcast.status}", id=broadcast.id), _back(ctx)
        )
        return
    form = CancelForm(
        id=broadcast.id,
        when=ctx.when(broadcast.scheduled_at or broadcast.created_at),
        text=snippet(broadcast.text, 80),
    )
    await CANCEL.start(ctx, form)


# --- the delivery report ----------------------------------------------------------------------


async def report(ctx: Ctx, args: list[str]) -> None:
    broadcast = await ctx.session.get(Broadcast, arg_id(args))
    back = _back(ctx)
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
        cancel_choice = Choice(action("bc.cancel", broadcast.id), ctx.t("broadcast.cancel_this"))
        _show(ctx, text, [cancel_choice, *back])
        return
    summary = await broadcast_summary(ctx.session, broadcast.id)
    text = ctx.t(
        "broadcast.report",
        id=broadcast.id,
        audience=audience,
        status=await progress(ctx, broadcast),
        recipients=summary.recipients,
        sent=summary.sent,
        failed=summary.failed,
        blocked=summary.blocked,
        opted_out=summary.opted_out,
        skipped=summary.skipped,
        queued=summary.queued,
    )
    refresh = Choice(action("bc.report", broadcast.id), ctx.t("broadcast.refresh"))
    _show(ctx, text, [refresh, *back])


__all__ = ["CANCEL", "cancel", "list_broadcasts", "progress", "report"]
