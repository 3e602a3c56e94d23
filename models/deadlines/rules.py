"""Pure rules of deadlines: reminder days, audiences and the due dates of a deadline."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date

DEFAULT_REMIND = (30, 7, 1)
MAX_REMIND_DAYS = 365
AUDIENCE_WORDS = ("admin", "kader", "all")


class DeadlineInvalid(ValueError):
    """A value a deadline cannot have; the message is a short code."""


def parse_remind(text: str) -> tuple[int, ...]:
    """ "30,7,1" (spaces, "hari" and any order allowed) -> (30, 7, 1), largest first."""
    parts = [p for p in text.replace("hari", " ").replace(";", ",").replace(" ", ",").split(",")]
    days: set[int] = set()
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not part.isascii() or not part.isdigit():
            raise DeadlineInvalid("remind_not_numbers")
        value = int(part)
        if value > MAX_REMIND_DAYS:
            raise DeadlineInvalid("remind_too_far")
        days.add(value)
    if not days:
        raise DeadlineInvalid("remind_empty")
    return tuple(sorted(days, reverse=True))


def remind_text(days: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in days)


def check_monthly_day(day: int | None) -> int | None:
    if day is not None and not 1 <= day <= 31:
        raise DeadlineInvalid("monthly_day")
    return day


def on_day(year: int, month: int, day: int) -> date:
    """The `day` of a month, or its last day in a shorter month (31 -> 30 Nov)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_dates(due_on: date, monthly_day: int | None, start: date, end: date) -> Iterator[date]:
    """The due dates of a deadline from `start` to `end` (both included)."""
    if monthly_day is None:
        if start <= due_on <= end:
            yield due_on
        return
    year, month = (start.year, start.month) if start > due_on else (due_on.year, due_on.month)
    while True:
        day = on_day(year, month, monthly_day)
        if day > end:
            return
        if day >= max(start, due_on):
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def next_due(due_on: date, monthly_day: int | None, today: date) -> date | None:
    """The next due date from today on (None: a one-off deadline that has passed).

    Worked out, not searched for: the annual penilaian is often set five months or more
    ahead (a window of a few weeks called it passed), and a list of many deadlines must not
    cost a scan of months per deadline. Same dates as `due_dates` (its first from today)."""
    if monthly_day is None:
        return due_on if due_on >= today else None
    first = max(today, due_on)
    day = on_day(first.year, first.month, monthly_day)
    if day < first:  # this month's is behind us: next month's
        year, month = (first.year + 1, 1) if first.month == 12 else (first.year, first.month + 1)
        day = on_day(year, month, monthly_day)
    return day
