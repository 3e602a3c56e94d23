"""When a "send later" announcement goes: a forgiving Indonesian day and time ("besok
jam 9", "Senin depan jam 08.00", "12/12 jam 10"), in the deployment's zone, always in the
future, then a confirmation showing the moment the Indonesian way (WIB).

when (> time, if only a day was typed) > schedule (confirm) > sent, or back to preview
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from handlers.broadcast.audience import AudienceSteps
from handlers.core.context import Answer, Ctx
from handlers.core.i18n import format_date_local
from handlers.core.types import Kind
from handlers.parse import parse_datetime, parse_time
from models.outbox.broadcasts import count_audience

# Far enough for planning a period's announcements; further is almost surely a typo.
MAX_AHEAD = timedelta(days=366)

WHEN_ERRORS = {
    "empty": "broadcast.when_unknown",
    "unknown": "broadcast.when_unknown",
    "ambiguous": "broadcast.when_ambiguous",
    "missing_date": "broadcast.when_missing_date",
    "impossible_date": "broadcast.when_impossible_date",
    "impossible_time": "broadcast.time_impossible",
    "past": "broadcast.when_past",
}
TIME_ERRORS = {
    "ambiguous": "broadcast.time_ambiguous",
    "impossible_time": "broadcast.time_impossible",
}


class WhenSteps(AudienceSteps):
    """The "send later" steps of the compose flow."""

    async def ask_when(self, ctx: Ctx) -> None:
        ctx.ask(ctx.t("broadcast.ask_when"), [("back", ctx.t("broadcast.back"))])

    async def on_when(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "back":
            await self.goto(ctx, "preview")
            return
        if ans.kind is not Kind.TEXT:
            await self.retry(ctx, "broadcast.when_unknown")
            return
        now = ctx.now.astimezone(ctx.tz)
        result = parse_datetime(ans.text, now, "future")
        if result.error is not None:
            await self.retry(ctx, WHEN_ERRORS.get(result.error, "broadcast.when_unknown"))
        elif result.value is not None:
            await self._chosen_time(ctx, result.value)
        elif result.day is not None:
            ctx.update_data(day=result.day.isoformat())
            await self.goto(ctx, "time")
        else:
            await self.retry(ctx, "broadcast.when_unknown")

    async def ask_time(self, ctx: Ctx) -> None:
        noon = datetime.combine(date.fromisoformat(ctx.data["day"]), time(12), tzinfo=ctx.tz)
        day = format_date_local(noon, ctx.lang, ctx.tz)
        # No buttons here: a typed "1" must read as one o'clock, not as button number 1.
        ctx.ask(ctx.t("broadcast.ask_time", day=day))

    async def on_time(self, ctx: Ctx, ans: Answer) -> None:
        clock = parse_time(ans.text) if ans.kind is Kind.TEXT else None
        if clock is None or clock.value is None:
            error = clock.error if clock is not None else None
            await self.retry(ctx, TIME_ERRORS.get(error or "", "broadcast.time_unknown"))
            return
        day = date.fromisoformat(ctx.data["day"]) + timedelta(days=clock.next_day)
        moment = datetime.combine(day, clock.value, tzinfo=ctx.tz)
        if moment <= ctx.now:
            await self.retry(ctx, "broadcast.when_past")
            return
        await self._chosen_time(ctx, moment)

    async def _chosen_time(self, ctx: Ctx, moment: datetime) -> None:
        if moment - ctx.now > MAX_AHEAD:
            await self.retry(ctx, "broadcast.when_too_far")
            return
        ctx.update_data(scheduled_at=moment.astimezone(UTC).isoformat())
        await self.goto(ctx, "schedule")

    async def ask_schedule(self, ctx: Ctx) -> None:
        d = ctx.data
        moment = datetime.fromisoformat(d["scheduled_at"])
        count = await count_audience(ctx.session, d["audience"], now=ctx.now)
        ctx.ask(
            ctx.t("broadcast.ask_schedule", when=ctx.when(moment), count=count),
            [
                ("yes", ctx.t("broadcast.schedule_yes")),
                ("change", ctx.t("broadcast.schedule_change")),
                ("back", ctx.t("broadcast.back_to_preview")),
            ],
        )

    async def on_schedule(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == "yes":
            moment = datetime.fromisoformat(ctx.data["scheduled_at"])
            if moment <= ctx.now:
                # She confirmed after the chosen time had passed.
                ctx.say(ctx.t("broadcast.when_passed"))
                await self.goto(ctx, "when")
                return
            await self._send(ctx, moment)
        elif ans.value == "change":
            await self.goto(ctx, "when")
        elif ans.value == "back":
            await self.goto(ctx, "preview")
        else:
            await self.retry(ctx, "broadcast.schedule_pick")
