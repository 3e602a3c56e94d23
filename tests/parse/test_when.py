"""How dates and times typed in chat are read, relative to a fixed "now".

Unless a test says otherwise, "now" is Wednesday 25 November 2026, 10:00 in Jakarta.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.parse import Direction, parse_date, parse_datetime, parse_time

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA)  # a Wednesday


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari ini", date(2026, 11, 25)),
        ("Hari Ini.", date(2026, 11, 25)),
        ("besok", date(2026, 11, 26)),
        ("lusa", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 26)),
        ("3 hari lagi", date(2026, 11, 28)),
        ("Senin", date(2026, 11, 30)),
        ("Selasa", date(2026, 12, 1)),
        ("Rabu", date(2026, 12, 2)),  # today is Wednesday: a bare "Rabu" means next week's
        ("Kamis", date(2026, 11, 26)),
        ("Jumat", date(2026, 11, 27)),
        ("Jum'at", date(2026, 11, 27)),
        ("Sabtu", date(2026, 11, 28)),
        ("Minggu", date(2026, 11, 29)),
        ("Ahad", date(2026, 11, 29)),
        ("hari Senin", date(2026, 11, 30)),
        ("Monday", date(2026, 11, 30)),
        ("sunday", date(2026, 11, 29)),
        ("Rabu ini", date(2026, 11, 25)),  # "ini" lets today count
        ("Senin ini", date(2026, 11, 30)),
        ("Senin depan", date(2026, 11, 30)),
        ("Selasa depan", date(2026, 12, 1)),
        ("Jumat depan", date(2026, 12, 4)),  # next week's Friday, not this week's
        ("minggu depan", date(2026, 12, 6)),  # Sunday of next week (weeks start on Monday)
        ("Senin minggu depan", date(2026, 11, 30)),
        ("next Friday", date(2026, 12, 4)),
        ("12/8", date(2027, 8, 12)),  # day first; August 2026 is over, so next year
        ("12-8", date(2027, 8, 12)),
        ("12/12", date(2026, 12, 12)),
        ("25/11", date(2026, 11, 25)),  # today itself is fine
        ("12 Agustus", date(2027, 8, 12)),
        ("12 Agu", date(2027, 8, 12)),
        ("12 agt", date(2027, 8, 12)),
        ("12 Ags", date(2027, 8, 12)),
        ("tanggal 12 Agustus", date(2027, 8, 12)),
        ("tgl 12", date(2026, 12, 12)),  # the 12th of November is over: December's
        ("tgl 25", date(2026, 11, 25)),
        ("tanggal 30", date(2026, 11, 30)),
        ("tgl 31", date(2026, 12, 31)),  # November has no 31st
        ("tgl. 5", date(2026, 12, 5)),
        ("dua belas Desember", date(2026, 12, 12)),
        ("12 Des 2026", date(2026, 12, 12)),
        ("1/1/27", date(2027, 1, 1)),
        ("12-Agu-2027", date(2027, 8, 12)),
        ("12.08.2027", date(2027, 8, 12)),
        ("pada 12 Agustus 2027", date(2027, 8, 12)),
    ],
)
def test_a_future_day_such_as_an_appointment_is_read(text: str, expected: date) -> None:
    result = parse_date(text, NOW, "future")
    assert (result.value, result.error) == (expected, None)
    assert result.ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari ini", date(2026, 11, 25)),
        ("kemarin", date(2026, 11, 24)),
        ("kemaren", date(2026, 11, 24)),
        ("kemarin lusa", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 24)),
        ("3 hari yang lalu", date(2026, 11, 22)),
        ("Senin", date(2026, 11, 23)),
        ("Rabu", date(2026, 11, 18)),  # today is Wednesday: a bare "Rabu" means last week's
        ("Rabu ini", date(2026, 11, 25)),
        ("Kamis", date(2026, 11, 19)),
        ("Minggu", date(2026, 11, 22)),
        ("Senin lalu", date(2026, 11, 23)),
        ("Jumat kemarin", date(2026, 11, 20)),
        ("Senin minggu lalu", date(2026, 11, 16)),
        ("last Friday", date(2026, 11, 20)),
        ("12/8", date(2026, 8, 12)),
        ("12-8", date(2026, 8, 12)),
        ("12/12", date(2025, 12, 12)),  # December 2026 has not happened yet
        ("12/08/2019", date(2019, 8, 12)),
        ("12/8/19", date(2019, 8, 12)),
        ("12/8/95", date(1995, 8, 12)),  # a birth year: 2095 would be in the future
        ("12/8/27", date(1927, 8, 12)),  # a grandmother's birth year, same rule
        ("12 Agustus", date(2026, 8, 12)),
        ("12 Agustus 2019", date(2019, 8, 12)),
        ("12 Agu", date(2026, 8, 12)),
        ("12 agt 2019", date(2019, 8, 12)),
        ("12 Agu. 2019", date(2019, 8, 12)),
        ("12 August 2019", date(2019, 8, 12)),
        ("tgl 12", date(2026, 11, 12)),
        ("tgl 30", date(2026, 10, 30)),
        ("tgl 31", date(2026, 10, 31)),
        ("tanggal 12 Agustus", date(2026, 8, 12)),
        ("5 Januari", date(2026, 1, 5)),
    ],
)
def test_a_past_day_such_as_a_birth_date_is_read(text: str, expected: date) -> None:
    result = parse_date(text, NOW, "past")
    assert (result.value, result.error) == (expected, None)


@pytest.mark.parametrize(
    ("month_text", "month"),
    [
        ("Januari", 1), ("Jan", 1), ("January", 1), ("Februari", 2), ("Feb", 2),
        ("Pebruari", 2), ("Maret", 3), ("Mar", 3), ("March", 3), ("April", 4), ("Apr", 4),
        ("Mei", 5), ("May", 5), ("Juni", 6), ("Jun", 6), ("Juli", 7), ("Jul", 7),
        ("Agustus", 8), ("Agu", 8), ("Agt", 8), ("Ags", 8), ("Aug", 8), ("September", 9),
        ("Sep", 9), ("Sept", 9), ("Oktober", 10), ("Okt", 10), ("Oct", 10),
        ("November", 11), ("Nov", 11), ("Nop", 11), ("Desember", 12), ("Des", 12),
        ("December", 12), ("Dec", 12),
    ],
)  # fmt: skip
def test_every_spelling_of_a_month_is_understood(month_text: str, month: int) -> None:
    assert parse_date(f"3 {month_text} 2020", NOW, "past").value == date(2020, month, 3)


@pytest.mark.parametrize(
    ("text", "direction", "error"),
    [
        ("", "future", "empty"),
        ("  ...  ", "past", "empty"),
        ("kapan-kapan", "future", "unknown"),
        ("Senin pagi-pagi", "future", "unknown"),
        ("12.8", "future", "unknown"),  # looks like a time; dates need "/" or "-"
        ("12/8/219", "past", "unknown"),
        ("besok jam 9", "future", "unknown"),  # a time belongs to parse_datetime
        ("12", "future", "ambiguous"),  # the 12th? December? twelve days?
        ("5", "past", "ambiguous"),
        ("Agustus", "past", "ambiguous"),
        ("31 Februari", "future", "impossible_date"),
        ("30/2", "past", "impossible_date"),
        ("31 April", "future", "impossible_date"),
        ("31/4/2020", "past", "impossible_date"),
        ("0/5", "past", "impossible_date"),
        ("12/13", "future", "impossible_date"),
        ("tgl 32", "future", "impossible_date"),
        ("tgl 0", "past", "impossible_date"),
        ("29 Februari 2027", "future", "impossible_date"),
        ("29/2/2026", "past", "impossible_date"),
        ("kemarin", "future", "past"),
        ("kemarin lusa", "future", "past"),
        ("12 Agustus 2019", "future", "past"),
        ("24/11/2026", "future", "past"),
        ("Senin lalu", "future", "past"),
        ("besok", "past", "future"),
        ("lusa", "past", "future"),
        ("Selasa depan", "past", "future"),
        ("26/11/2026", "past", "future"),
        ("12/8/2027", "past", "future"),
        ("1 Januari 2030", "past", "future"),
    ],
)
def test_a_day_that_cannot_be_used_gets_an_error_to_ask_again(
    text: str, direction: Direction, error: str
) -> None:
    result = parse_date(text, NOW, direction)
    assert (result.value, result.error) == (None, error)
    assert not result.ok


@pytest.mark.parametrize(
    ("text", "direction", "expected"),
    [
        ("5 Januari", "future", date(2027, 1, 5)),
        ("5/1", "future", date(2027, 1, 5)),
        ("tgl 5", "future", date(2027, 1, 5)),
        ("besok", "future", date(2026, 12, 21)),
        ("24 Desember", "future", date(2026, 12, 24)),
        ("31 Desember", "past", date(2025, 12, 31)),
        ("5 Januari", "past", date(2026, 1, 5)),
    ],
)
def test_dates_without_a_year_roll_over_the_new_year(
    text: str, direction: Direction, expected: date
) -> None:
    now = at(2026, 12, 20)
    assert parse_date(text, now, direction).value == expected


def test_new_years_eve_tomorrow_is_next_year() -> None:
    assert parse_date("besok", at(2026, 12, 31), "future").value == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "now", "direction", "expected"),
    [
        ("29 Februari", at(2028, 1, 10), "future", date(2028, 2, 29)),
        ("29/2", at(2028, 3, 10), "past", date(2028, 2, 29)),
        ("29 Februari 2028", NOW, "future", date(2028, 2, 29)),
        ("tgl 29", at(2027, 2, 5), "future", date(2027, 3, 29)),  # February 2027 has no 29th
    ],
)
def test_leap_day_is_fine_in_a_leap_year(
    text: str, now: datetime, direction: Direction, expected: date
) -> None:
    assert parse_date(text, now, direction).value == expected


@pytest.mark.parametrize(
    ("text", "direction"),
    [("29 Februari", "future"), ("29 Februari", "past"), ("29/2", "future")],
)
def test_leap_day_without_a_year_is_refused_when_that_year_has_none(
    text: str, direction: Direction
) -> None:
    # Next February (2027) and this one (2026) have no 29th; we do not jump to 2028.
    assert parse_date(text, NOW, direction).error == "impossible_date"


# --- times ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9.00", time(9, 0)),
        ("9", time(9, 0)),
        ("jam 9", time(9, 0)),
        ("Jam 9.", time(9, 0)),
        ("pukul 09.00", time(9, 0)),
        ("pkl 9.30", time(9, 30)),
        ("jam 2 siang", time(14, 0)),
        ("jam 7 malam", time(19, 0)),
        ("jam 4 sore", time(16, 0)),
        ("jam 6 pagi", time(6, 0)),
        ("jam 11 siang", time(11, 0)),
        ("jam 12 siang", time(12, 0)),
        ("setengah 9", time(8, 30)),  # half *before* nine
        ("jam setengah 3 sore", time(14, 30)),
        ("setengah 12 malam", time(23, 30)),
        ("9 lewat 15", time(9, 15)),
        ("jam 9 lewat seperempat", time(9, 15)),
        ("jam 9 lebih 10 menit", time(9, 10)),
        ("jam 10 kurang seperempat", time(9, 45)),
        ("jam 10 kurang 5", time(9, 55)),
        ("13.00", time(13, 0)),
        ("13.00 siang", time(13, 0)),
        ("1 siang", time(13, 0)),
        ("7.30 malam", time(19, 30)),
        ("09.00 WIB", time(9, 0)),
        ("jam sembilan", time(9, 0)),
        ("jam dua belas siang", time(12, 0)),
        ("setengah sembilan", time(8, 30)),
        ("00:00", time(0, 0)),
        ("23.59", time(23, 59)),
        ("9am", time(9, 0)),
        ("9 pm", time(21, 0)),
        ("12pm", time(12, 0)),
    ],
)
def test_a_clock_time_is_read(text: str, expected: time) -> None:
    result = parse_time(text)
    assert (result.value, result.next_day, result.error) == (expected, False, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("jam 12 malam", time(0, 0)), ("jam 1 malam", time(1, 0)), ("12 malam", time(0, 0))],
)
def test_late_night_hours_belong_to_the_following_day(text: str, expected: time) -> None:
    result = parse_time(text)
    assert (result.value, result.next_day) == (expected, True)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "empty"),
        ("jam", "unknown"),
        ("nanti", "unknown"),
        ("9.5", "unknown"),  # 9:05 or 9:30? ask again
        ("09.00 WITA", "unknown"),  # another time zone: not silently shifted
        ("setengah 9.30", "unknown"),
        ("jam 9 pagi malam", "unknown"),
        ("besok jam 9", "unknown"),
        ("25.00", "impossible_time"),
        ("24.00", "impossible_time"),
        ("9.75", "impossible_time"),
        ("jam 9 siang", "impossible_time"),
        ("jam 10 malam lewat 75", "impossible_time"),
        ("13.00 pagi", "impossible_time"),
        ("jam 12 pagi", "impossible_time"),
        ("setengah 0", "impossible_time"),
    ],
)
def test_a_time_that_cannot_be_used_gets_an_error_to_ask_again(text: str, error: str) -> None:
    result = parse_time(text)
    assert (result.value, result.error) == (None, error)


# --- date and time together ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("besok jam 9", at(2026, 11, 26, 9)),
        ("Besok pagi jam 9", at(2026, 11, 26, 9)),
        ("besok setengah 9", at(2026, 11, 26, 8, 30)),
        ("Senin 13.00", at(2026, 11, 30, 13)),
        ("Selasa depan jam 2 siang", at(2026, 12, 1, 14)),
        ("12/8 09:00", at(2027, 8, 12, 9)),
        ("12 Agustus 2027 pukul 09.00", at(2027, 8, 12, 9)),
        ("hari ini jam 7 malam", at(2026, 11, 25, 19)),
        ("hari ini jam 10", at(2026, 11, 25, 10)),  # exactly now is not the past
        ("Kamis 7 malam", at(2026, 11, 26, 19)),
        ("tomorrow 9am", at(2026, 11, 26, 9)),
        ("Senin jam 12 malam", at(2026, 12, 1, 0)),  # midnight at the end of Monday
        ("besok jam sembilan", at(2026, 11, 26, 9)),
        # The bot's own way of writing a moment, copied back (found trying the console).
        ("Kamis, 3 Desember 2026 pukul 09.00 WIB", at(2026, 12, 3, 9)),
        ("Sabtu 5/12 jam 8", at(2026, 12, 5, 8)),
    ],
)
def test_a_day_with_a_time_becomes_one_moment_in_local_time(text: str, expected: datetime) -> None:
    result = parse_datetime(text, NOW, "future")
    assert result.error is None
    assert result.value == expected
    assert result.value is not None and result.value.tzinfo is JAKARTA
    assert (result.day, result.time_of_day) == (expected.date(), expected.time())


def test_a_past_moment_such_as_a_birth_is_read() -> None:
    result = parse_datetime("12 Agustus 2019 pukul 09.00", NOW, "past")
    assert result.value == at(2019, 8, 12, 9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lusa", date(2026, 11, 27)),
        ("Senin depan", date(2026, 11, 30)),
        ("12/8", date(2027, 8, 12)),
    ],
)
def test_a_day_without_a_time_leaves_the_time_to_ask_separately(text: str, expected: date) -> None:
    result = parse_datetime(text, NOW, "future")
    assert (result.day, result.time_of_day, result.value, result.error) == (
        expected,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("text", "direction", "error"),
    [
        ("", "future", "empty"),
        ("jam 9", "future", "missing_date"),
        ("13.00", "past", "missing_date"),
        ("besok pagi", "future", "ambiguous"),  # morning, but what time?
        ("12 jam 9", "future", "ambiguous"),
        ("kapan saja jam 9", "future", "unknown"),
        ("besok jam 25", "future", "impossible_time"),
        ("31/4 jam 9", "future", "impossible_date"),
        ("hari ini jam 7 pagi", "future", "past"),  # 07.00 today is already gone at 10.00
        ("kemarin jam 9", "future", "past"),
        ("hari ini jam 7 malam", "past", "future"),
        ("besok jam 9", "past", "future"),
        ("Senin, 3 Desember 2026 pukul 09.00", "future", "unknown"),  # 3 Desember is a Kamis
    ],
)
def test_a_moment_that_cannot_be_used_gets_an_error_to_ask_again(
    text: str, direction: Direction, error: str
) -> None:
    result = parse_datetime(text, NOW, direction)
    assert (result.value, result.day, result.error) == (None, None, error)


def test_the_result_keeps_the_callers_time_zone() -> None:
    makassar = ZoneInfo("Asia/Makassar")
    now = datetime(2026, 11, 25, 10, 0, tzinfo=makassar)
    result = parse_datetime("besok jam 9", now, "future")
    assert result.value == datetime(2026, 11, 26, 9, 0, tzinfo=makassar)
    assert result.value is not None and result.value.tzinfo is makassar


@pytest.mark.parametrize(
    "text",
    ["💩", "::", "/", "-", "tgl", "setengah", "kurang", "0/0", "99/99/9999", "31/12/99999",
     "1/1/0000", "jam 123", "999 hari lagi", "senin senin", "next", "minggu minggu depan ini",
     "²", "² jam 9", "tgl ²", "jam ²", "١٢/٨", "½ 9"],
)  # fmt: skip
def test_nonsense_never_crashes_and_gives_either_a_value_or_an_error(text: str) -> None:
    directions: tuple[Direction, ...] = ("future", "past")
    for direction in directions:
        day = parse_date(text, NOW, direction)
        assert (day.value is None) != (day.error is None)
        moment = parse_datetime(text, NOW, direction)
        assert moment.error is not None or moment.day is not None
    clock = parse_time(text)
    assert (clock.value is None) != (clock.error is None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_at_all_never_crashes_the_readers(text: str) -> None:
    """Found by trying: "²" is a digit to str.isdigit() but not to int()."""
    for direction in ("future", "past"):
        parse_date(text, NOW, direction)
        parse_datetime(text, NOW, direction)
    parse_time(text)
