"""Forgiving dates and times typed in chat ("besok jam 9", "12 Agt", "setengah 3 sore").

Everything is pure: callers pass `now` (timezone-aware, in the deployment zone), so nothing
here reads the clock. Nothing is guessed either: unclear answers come back with an error code
(see `ErrorCode`) that the chat flow turns into a kind question and asks again.

Rules worth knowing:
- Day first, always: "12/8" is 12 August. A bare "12" is "ambiguous"; "tgl 12" is a day of month.
- Weeks start on Monday. "Selasa depan" is Tuesday of next week, "Minggu depan" Sunday of
  next week, "Senin minggu lalu" Monday of last week. A bare weekday is the next one strictly
  after today (future) or strictly before (past); with "ini" today counts.
- No year given: the next such date on/after today (future) or the last on/before today (past).
  "29 Februari" is then "impossible_date" unless that inferred year is a leap year; we do not
  jump years ahead to find one.
- Two-digit years are 20yy, except 19yy in the past direction when 20yy is after this year.
- Explicit dates and times on the wrong side of today/now give "past" or "future".
- "jam 12 malam" is 00.00 and, like "jam 1-4 malam", belongs to the night after the named
  day (`TimeResult.next_day`): "Senin jam 12 malam" is Tuesday 00.00.
- "WIB" is ignored; other zones ("WITA", "WIT") are not understood and give "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from handlers.parse.numbers import is_number_word, parse_int

Direction = Literal["future", "past"]
# Not str.isdigit(): "²" is a digit to Python but not a number int() can read.
_ASCII_NUMBER = re.compile(r"[0-9]+")
ErrorCode = Literal[
    "empty",  # nothing typed
    "unknown",  # not a date/time we understand
    "ambiguous",  # understood but could mean several things, e.g. a bare "12" or "besok pagi"
    "missing_date",  # parse_datetime got a time but no day, e.g. "jam 9"
    "impossible_date",  # "31 April", "30/2", "29 Februari 2027"
    "impossible_time",  # "25.00", "9.75", "jam 9 malam" is fine but "jam 9 siang" is not
    "past",  # direction="future" but the explicit date/time is before today/now
    "future",  # direction="past" but the explicit date/time is after today/now
]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Outcome:
    error: ErrorCode | None = None
    detail: str | None = None  # for logs, never shown to users

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class DateResult(_Outcome):
    value: date | None = None


@dataclass(frozen=True, slots=True)
class TimeResult(_Outcome):
    value: time | None = None
    next_day: bool = False  # "jam 12 malam": the clock time falls on the following day


@dataclass(frozen=True, slots=True)
class DateTimeResult(_Outcome):
    day: date | None = None  # calendar day of `value` ("Senin jam 12 malam" -> Tuesday)
    time_of_day: time | None = None  # None when no time was typed: ask for it separately
    value: datetime | None = None  # aware, in now's tzinfo; only when a time was typed


def _table(*rows: str) -> dict[str, int]:
    return {word: i for i, row in enumerate(rows) for word in row.split()}


_MONTHS = _table(
    "", "januari jan january", "februari feb pebruari peb february", "maret mar march",
    "april apr", "mei may", "juni jun june", "juli jul july", "agustus agu agt ags aug august",
    "september sep sept", "oktober okt october oct", "november nov nop",
    "desember des december dec",
)  # fmt: skip
_WEEKDAYS = _table(
    "senin monday", "selasa tuesday", "rabu wednesday", "kamis thursday",
    "jumat jumaat friday", "sabtu saturday", "minggu ahad sunday",
)  # fmt: skip
_RELATIVE = {
    "hari ini": 0, "sekarang": 0, "today": 0, "besok": 1, "bsk": 1, "besuk": 1, "tomorrow": 1,
    "lusa": 2, "kemarin": -1, "kemaren": -1, "kmrn": -1, "yesterday": -1,
    "kemarin lusa": -2, "kemaren lusa": -2,
}  # fmt: skip
# Weekday modifiers: "this" = nearest incl. today, "next"/"prev" = next/last calendar week,
# "last" = most recent before today. English ones come before the weekday ("next Monday").
_MODIFIERS = {
    "ini": "this", "minggu ini": "this", "depan": "next", "minggu depan": "next",
    "lalu": "last", "kemarin": "last", "kemaren": "last", "minggu lalu": "prev",
    "this": "this", "next": "next", "last": "last",
}  # fmt: skip
_MAX_DAY = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Period word -> {hour as said: (hour on the clock, falls on the next day)}.
_PERIODS: dict[str, dict[int, tuple[int, bool]]] = {
    "pagi": {h: (h, False) for h in range(1, 12)},
    "siang": {h: (h if h >= 10 else h + 12, False) for h in (10, 11, 12, 1, 2, 3, 4)},
    "sore": {h: (h + 12, False) for h in range(2, 8)},
    "malam": {
        **{h: (h + 12, False) for h in range(6, 12)},
        **{h: (h % 12, True) for h in (12, 1, 2, 3, 4)},
    },
    "am": {h: (h % 12, False) for h in range(1, 13)},
    "pm": {h: (h % 12 + 12, False) for h in range(1, 13)},
}
_TIME_FILLER = frozenset({"jam", "pukul", "pkl", "wib", "menit"})
_TIME_MARKERS = frozenset({"jam", "pukul", "pkl", "setengah"})
_HHMM = re.compile(r"\d{1,2}[:.]\d{2}")
_CLOCK = re.compile(
    r"(?:(?P<half>setengah) )?(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?"
    r"(?: (?P<rel>lewat|lebih|kurang) (?P<amount>\d{1,2}|seperempat|setengah))?"
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{2}|\d{4}))?")
_NAMED_DATE = re.compile(r"(\d{1,2}) ([a-z]+)(?: (\d{2}|\d{4}))?")
_WEEKDAY = re.compile(r"(?:(this|next|last) )?([a-z]+)(?: (.+))?")
_DAYS_AGO = re.compile(r"(\d{1,3}) hari (lagi|yang lalu|yg lalu|lalu)")


def parse_date(text: str, now: datetime, direction: Direction) -> DateResult:
    """Read a day such as "besok", "Selasa depan", "12/8", "tgl 12" or "12 Agustus 2019"."""
    s = _normalize(text)
    return _resolve_date(s, now.date(), direction) if s else DateResult(error="empty")


def parse_time(text: str) -> TimeResult:
    """Read a clock time such as "9", "jam 2 siang", "setengah 9" or "09.00 WIB"."""
    s = _normalize(text)
    return _resolve_time(s) if s else TimeResult(error="empty")


def parse_datetime(text: str, now: datetime, direction: Direction) -> DateTimeResult:
    """Read a day with an optional time ("besok jam 9", "lusa"); the time may be left out."""
    tokens = _normalize(text).split()
    if not tokens:
        return DateTimeResult(error="empty")
    cut = _time_start(tokens)
    date_part, time_part = " ".join(tokens[:cut]), " ".join(tokens[cut:])
    if not date_part:
        return DateTimeResult(error="missing_date", detail=time_part)
    if any(t in _PERIODS for t in tokens[:cut]):
        return DateTimeResult(error="ambiguous", detail="time of day without an hour")
    day = _resolve_date(date_part, now.date(), direction)
    if day.value is None:
        return DateTimeResult(error=day.error, detail=day.detail)
    if not time_part:
        return DateTimeResult(day=day.value)
    clock = _resolve_time(time_part)
    if clock.value is None:
        return DateTimeResult(error=clock.error, detail=clock.detail)
    on = day.value + timedelta(days=clock.next_day)
    value = datetime.combine(on, clock.value, tzinfo=now.tzinfo)
    if direction == "future" and value < now:
        return DateTimeResult(error="past", detail=value.isoformat())
    if direction == "past" and value > now:
        return DateTimeResult(error="future", detail=value.isoformat())
    return DateTimeResult(day=on, time_of_day=clock.value, value=value)


def _normalize(text: str) -> str:
    s = text.lower().replace("'", "").replace("’", "")
    s = re.sub(r"(?<=[a-z])\.", " ", s)  # "Agu. 2019", "tgl.12"
    s = re.sub(r"(?<=[a-z])[-/]|[-/](?=[a-z])", " ", s)  # "12-Agu-2019"
    s = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", s)  # "9pm", "tgl12"
    s = " ".join(re.sub(r"[,;!?()\"]", " ", s).split()).strip(" .")
    return _words_to_digits(s)


def _words_to_digits(s: str) -> str:
    """Turn runs of number words into digits so "jam dua belas" reads as "jam 12"."""
    out: list[str] = []
    run: list[str] = []
    for token in [*s.split(" "), ""]:
        if token and is_number_word(token):
            run.append(token)
            continue
        value = parse_int(" ".join(run)) if run else None
        out.extend([str(value)] if value is not None else run)
        out.append(token)
        run = []
    return " ".join(out).strip()


def _resolve_date(s: str, today: date, direction: Direction) -> DateResult:
    s = s.removeprefix("pada ")
    if s in _RELATIVE:
        return _check(today + timedelta(days=_RELATIVE[s]), today, direction)
    if m := _DAYS_AGO.fullmatch(s):
        days = int(m[1]) if m[2] == "lagi" else -int(m[1])
        return _check(today + timedelta(days=days), today, direction)
    s = s.removeprefix("hari ")
    # "Kamis, 3 Desember 2026" (the way the bot writes a day, copied back): the date
    # decides, the weekday must agree with it.
    first, _, rest = s.partition(" ")
    if first in _WEEKDAYS and rest and rest.split()[0][0].isdigit():
        dated = _resolve_date(rest, today, direction)
        if dated.value is not None and dated.value.weekday() != _WEEKDAYS[first]:
            return DateResult(error="unknown", detail=s)
        return dated
    if m := re.fullmatch(r"(?:tanggal|tgl|tg) (\d{1,2})", s):
        return _day_of_month(int(m[1]), today, direction)
    if _ASCII_NUMBER.fullmatch(s):
        return DateResult(error="ambiguous" if 1 <= int(s) <= 31 else "unknown", detail=s)
    s = re.sub(r"^(?:tanggal|tgl|tg) ", "", s)
    if m := _NUMERIC_DATE.fullmatch(s):
        if m[2] == "." and not m[4]:
            return DateResult(error="unknown", detail=s)  # "12.8" is too close to a time
        return _build(int(m[1]), int(m[3]), m[4], today, direction)
    if (m := _NAMED_DATE.fullmatch(s)) and m[2] in _MONTHS:
        return _build(int(m[1]), _MONTHS[m[2]], m[3], today, direction)
    if s in _MONTHS:
        return DateResult(error="ambiguous", detail="month without a day")
    if (m := _WEEKDAY.fullmatch(s)) and m[2] in _WEEKDAYS and not (m[1] and m[3]):
        modifier = _MODIFIERS.get(m[1] or m[3] or "", "")
        if m[3] and not modifier:
            return DateResult(error="unknown", detail=s)
        return _weekday(_WEEKDAYS[m[2]], modifier, today, direction)
    return DateResult(error="unknown", detail=s)


def _weekday(weekday: int, modifier: str, today: date, direction: Direction) -> DateResult:
    ahead = (weekday - today.weekday()) % 7  # 0..6 days until it comes round again
    behind = (today.weekday() - weekday) % 7
    monday = today - timedelta(days=today.weekday())
    if modifier == "next":
        return _check(monday + timedelta(days=7 + weekday), today, direction)
    if modifier == "prev":
        return _check(monday + timedelta(days=weekday - 7), today, direction)
    if modifier == "last":
        return _check(today - timedelta(days=behind or 7), today, direction)
    if direction == "future":
        return DateResult(today + timedelta(days=ahead if modifier == "this" else ahead or 7))
    return DateResult(today - timedelta(days=behind if modifier == "this" else behind or 7))


def _build(
    day: int, month: int, year_text: str | None, today: date, direction: Direction
) -> DateResult:
    detail = f"{day}/{month}" + (f"/{year_text}" if year_text else "")
    if not 1 <= month <= 12 or not 1 <= day <= _MAX_DAY[month]:
        return DateResult(error="impossible_date", detail=detail)
    if year_text is None:
        asked, current = (month, day), (today.month, today.day)
        if direction == "future":
            year = today.year if asked >= current else today.year + 1
        else:
            year = today.year if asked <= current else today.year - 1
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
        year -= 100 if direction == "past" and year > today.year else 0
    else:
        year = int(year_text)
    try:
        value = date(year, month, day)
    except ValueError:
        return DateResult(error="impossible_date", detail=f"{day}/{month}/{year}")
    return _check(value, today, direction)


def _day_of_month(day: int, today: date, direction: Direction) -> DateResult:
    """For "tgl 31": the nearest month (this one first) that has that day, in the direction."""
    step = 1 if direction == "future" else -1
    index = today.year * 12 + today.month - 1
    for _ in range(13):
        year, month0 = divmod(index, 12)
        if 1 <= day <= _MAX_DAY[month0 + 1]:
            try:
                candidate = date(year, month0 + 1, day)
            except ValueError:  # 29 Feb outside a leap year: keep looking
                candidate = None
            if candidate and (candidate - today).days * step >= 0:
                return DateResult(candidate)
        index += step
    return DateResult(error="impossible_date", detail=f"tgl {day}")


def _check(value: date, today: date, direction: Direction) -> DateResult:
    if direction == "future" and value < today:
        return DateResult(error="past", detail=value.isoformat())
    if direction == "past" and value > today:
        return DateResult(error="future", detail=value.isoformat())
    return DateResult(value)


def _time_start(tokens: list[str]) -> int:
    """Index where the time begins in "besok pagi jam 9" (1) or "Senin 13.00" (1)."""
    for i, token in enumerate(tokens):
        followed_by_period = i + 1 < len(tokens) and tokens[i + 1] in _PERIODS
        if (
            token in _TIME_MARKERS
            or _HHMM.fullmatch(token)
            or (_ASCII_NUMBER.fullmatch(token) and followed_by_period)
        ):
            return i - 1 if i > 0 and tokens[i - 1] in _PERIODS else i
    return len(tokens)


def _resolve_time(s: str) -> TimeResult:
    tokens = [t for t in s.split() if t not in _TIME_FILLER]
    periods = [t for t in tokens if t in _PERIODS]
    m = _CLOCK.fullmatch(" ".join(t for t in tokens if t not in _PERIODS))
    if not m or len(periods) > 1 or (m["half"] and (m["m"] or m["rel"])) or (m["m"] and m["rel"]):
        return TimeResult(error="unknown", detail=s)
    hour = int(m["h"])
    table = _PERIODS[periods[0]] if periods else {h: (h, False) for h in range(24)}
    if hour > 12 and periods and (hour, False) in table.values():
        table = {hour: (hour, False)}  # 24-hour clock with a matching word: "13.00 siang"
    words = {"seperempat": 15, "setengah": 30}
    amount = words[m["amount"]] if m["amount"] in words else int(m["amount"] or 0)
    minute = int(m["m"] or 0)
    if hour not in table or minute > 59 or (m["rel"] and not 1 <= amount <= 59):
        return TimeResult(error="impossible_time", detail=s)
    hour, next_day = table[hour]
    # "setengah 9" is half *before* nine; "10 kurang seperempat" is a quarter before ten.
    if m["half"]:
        minute = -30
    elif m["rel"]:
        minute = -amount if m["rel"] == "kurang" else amount
    total = hour * 60 + minute
    if total < 0:
        if not next_day:
            return TimeResult(error="impossible_time", detail=s)
        total, next_day = total + 24 * 60, False
    return TimeResult(time(total // 60, total % 60), next_day=next_day)
