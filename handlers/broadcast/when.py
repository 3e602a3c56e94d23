"""When a "send later" announcement goes: the compose wizard's when steps. A forgiving
Indonesian day and time ("besok jam 9", "Senin depan jam 08.00", "12/12 jam 10") in the
deployment's zone, always in the future and within a year; only a day typed, then the
hour is asked; then a confirmation showing the moment the Indonesian way (WIB).

when (> time, if only a day was typed) > schedule (confirm) > scheduled, or back to preview
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar

from handlers.broadcast.form import ComposeForm
from handlers.core.context import Answer, Ctx
from handlers.core.feature import StepKind
from handlers.core.i18n import format_date_local
from handlers.core.steps import Menu, Option, Problem, Question, Step
from handlers.core.types import Kind
from handlers.parse import parse_datetime, parse_time
from handlers.parse.words import norm
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

Send = Callable[[Ctx, ComposeForm, datetime | None], Awaitable[None]]


def _in_range(ctx: Ctx, moment: datetime) -> Problem | None:
    return when_problem(moment, ctx.now)


def when_problem(moment: datetime, now: datetime) -> Problem | None:
    """A moment to send at that is past or too far ahead (the chat and the web console)."""
    if moment <= now:
        return Problem("broadcast.when_past")
    if moment - now > MAX_AHEAD:
        return Problem("broadcast.when_too_far")
    return None


def _at(moment: datetime) -> Any:
    async def run(ctx: Ctx, form: ComposeForm) -> str:
        form.scheduled_at, form.day = moment.astimezone(UTC), None
        return "schedule"

    return run


def _on_day(day: Any) -> Any:
    async def run(ctx: Ctx, form: ComposeForm) -> str:
        form.scheduled_at, form.day = None, day
        return "time"

    return run


async def _back_to_preview(ctx: Ctx, form: ComposeForm) -> str:
    form.later, form.day, form.scheduled_at = False, None, None
    return "preview"


@dataclass(frozen=True, kw_only=True)
class SendAt(Menu):
    """The day and time typed (read as a moment: "1" is never "button 1"), or "Kembali"."""

    choose: Any = lambda _ctx, _form: ()
    kind: ClassVar[StepKind] = "datetime"

    async def options(self, ctx: Ctx, form: ComposeForm) -> list[tuple[str, str]]:
        return [("back", ctx.t("broadcast.back"))]

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        typed = norm(ans.text) if ans.kind is Kind.TEXT else ""
        if ans.value == "back" or (typed and typed == norm(ctx.t("broadcast.back"))):
            return Option("back", "", _back_to_preview)
        if ans.kind is not Kind.TEXT:
            return Problem("broadcast.when_unknown")
        result = parse_datetime(ans.text, ctx.now.astimezone(ctx.tz), "future")
        if result.error is not None:
            return Problem(WHEN_ERRORS.get(result.error, "broadcast.when_unknown"))
        if result.value is not None:
            return _in_range(ctx, result.value) or Option("at", "", _at(result.value))
        if result.day is not None:
            return Option("day", "", _on_day(result.day))
        return Problem("broadcast.when_unknown")


@dataclass(frozen=True, kw_only=True)
class AtTime(Step):
    """The hour on the day typed before. No buttons: a typed "1" is one o'clock."""

    kind: ClassVar[StepKind] = "time"

    async def question(self, ctx: Ctx, form: ComposeForm, *, again: bool = False) -> Question:
        assert form.day is not None
        noon = datetime.combine(form.day, time(12), tzinfo=ctx.tz)
        return Question(ctx.t(self.ask, day=format_date_local(noon, ctx.lang, ctx.tz)))

    async def read(self, ctx: Ctx, ans: Answer, form: ComposeForm) -> Any:
        clock = parse_time(ans.text) if ans.kind is Kind.TEXT else None
        if clock is None or clock.value is None or form.day is None:
            error = clock.error if clock is not None else None
            return Problem(TIME_ERRORS.get(error or "", "broadcast.time_unknown"))
        day = form.day + timedelta(days=clock.next_day)
        moment = datetime.combine(day, clock.value, tzinfo=ctx.tz)
        return _in_range(ctx, moment) or moment.astimezone(UTC)


async def _schedule_text(ctx: Ctx, form: ComposeForm) -> str:
    assert form.scheduled_at is not None
    count = await count_audience(ctx.session, form.audience(), now=ctx.now)
    return ctx.t("broadcast.ask_schedule", when=ctx.when(form.scheduled_at), count=count)


async def _change_time(ctx: Ctx, form: ComposeForm) -> str:
    return "when"


def when_steps(send: Send) -> tuple[Step, ...]:
    """The "send later" steps; `send` writes the announcement at the confirmed moment."""

    async def schedule(ctx: Ctx, form: ComposeForm) -> str | None:
        moment = form.scheduled_at
        if moment is None or moment <= ctx.now:
            # She confirmed after the chosen time had passed.
            ctx.say(ctx.t("broadcast.when_passed"))
            return "when"
        await send(ctx, form, moment)
        return None

    options = (
        Option("yes", "broadcast.schedule_yes", schedule),
        Option("change", "broadcast.schedule_change", _change_time),
        Option("back", "broadcast.back_to_preview", _back_to_preview),
    )
    return (
        SendAt(name="when", ask="broadcast.ask_when", when=lambda form: form.later),
        AtTime(
            name="time",
            field="scheduled_at",
            ask="broadcast.ask_time",
            when=lambda form: form.later and form.day is not None and form.scheduled_at is None,
        ),
        Menu(
            name="schedule",
            ask="broadcast.ask_schedule",
            render=_schedule_text,
            choose=lambda _ctx, _form: options,
            when=lambda form: form.later and form.scheduled_at is not None,
        ),
    )


__all__ = ["MAX_AHEAD", "when_steps"]
