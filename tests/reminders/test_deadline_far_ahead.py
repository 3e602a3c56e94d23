"""The annual penilaian is set months ahead: its tenggat shows its date and how far off it
is (not "sudah lewat"), is listed with the coming ones, and is reminded 30, 7 and 1 days
before, not earlier. A tenggat's page says when it is next due ("Berikutnya:"), not its
title again. Today is frozen at Monday 4 January 2027, 10.00 WIB."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import App
from models.base import transaction
from models.deadlines import DeadlineDraft, DeadlinePlan, create_deadline, due_dates, next_due
from scheduler.sweeps import deadline_reminders_once
from tests.reminders.conftest import TODAY, WIB
from tests.reminders.test_deadline_chat import admin_chat, deadlines
from tests.reminders.test_deadlines import rows
from tests.support.chat import Chat
from tests.support.fakes.outbox import add_member

pytestmark = pytest.mark.usefixtures("monday_4_january_2027")


async def add(admin: Chat, title: str, due: str, repeat: str = "sekali") -> None:
    await admin.tap("a:dl.new")
    for answer in (title, due, repeat, "lewati", "Kader", "lewati"):
        await admin.send(answer)
    await admin.send("simpan")
    assert "disimpan" in admin.text


async def test_the_penilaian_five_months_ahead_shows_its_date_and_is_reminded_in_time(
    app: App,
) -> None:
    async with transaction(app.sessions) as s:
        await add_member(s, "kader-1", role="kader", channel="test")
    admin = await admin_chat(app)
    await add(admin, "Penilaian P2WKSS tingkat kota", "15 Juni 2027")
    await add(admin, "Laporan bulanan kader", "25/1/2027", repeat="bulanan")
    await admin.tap("a:dl.list")
    # Listed with its date, after the monthly report due before it.
    assert admin.labels[:2] == [
        "Laporan bulanan kader (Senin, 25 Januari 2027)",
        "Penilaian P2WKSS tingkat kota (Selasa, 15 Juni 2027)",
    ]
    assert "sudah lewat" not in " ".join(admin.labels)
    await admin.tap_label("Penilaian P2WKSS")
    assert "Berikutnya: Selasa, 15 Juni 2027 (162 hari lagi)\n" in admin.text

    # Its reminders: none while it is months away, the first 30 days before at 08.00 WIB.
    plan = DeadlinePlan(tz=WIB)
    due = date(2027, 6, 15)
    for day, so_far in [
        (TODAY, 0),
        (due - timedelta(days=31), 0),
        (due - timedelta(days=30), 1),
        (due - timedelta(days=7), 2),
    ]:
        now = datetime.combine(day, time(8, 0), tzinfo=WIB).astimezone(UTC)
        await deadline_reminders_once(app.sessions, now, plan)
        # The monthly report's own reminders go meanwhile; only the penilaian's counted.
        found = [r for r in await rows(app) if r.params["title"].startswith("Penilaian")]
        assert len(found) == so_far, day
    assert sorted(r.params["days"] for r in found) == [7, 30]


async def test_the_list_has_the_soonest_first_and_the_passed_ones_last(app: App) -> None:
    admin = await admin_chat(app)
    now = datetime.combine(TODAY, time(10, 0), tzinfo=WIB)
    async with transaction(app.sessions) as s:
        for title, due_on, monthly_day in [
            ("Penilaian P2WKSS tingkat kota", date(2027, 6, 15), None),
            ("Profil kampung", date(2027, 1, 2), None),
            ("Laporan bulanan kader", date(2026, 3, 25), 25),  # set up long ago
        ]:
            draft = DeadlineDraft(title=title, due_on=due_on, monthly_day=monthly_day)
            await create_deadline(s, draft, now=now, actor="test")
    await admin.tap("a:dl.list")
    assert admin.labels[:3] == [
        "Laporan bulanan kader (Senin, 25 Januari 2027)",
        "Penilaian P2WKSS tingkat kota (Selasa, 15 Juni 2027)",
        "Profil kampung (sudah lewat)",
    ]
    await admin.tap_label("Profil kampung")
    assert "Berikutnya: sudah lewat (Sabtu, 2 Januari 2027)\n" in admin.text


async def test_the_next_date_of_a_tenggat_is_on_its_page_the_indonesian_way(app: App) -> None:
    admin = await admin_chat(app)
    await add(admin, "Laporan bulanan kader", "25/1/2027", repeat="bulanan")
    [d] = await deadlines(app)
    await admin.tap(f"a:dl.show:{d.id}")
    assert admin.text.startswith("Laporan bulanan kader\n")
    assert "Berikutnya: Senin, 25 Januari 2027 (21 hari lagi)\n" in admin.text
    assert "Berulang tiap bulan tanggal 25" in admin.text
    await add(admin, "Kumpul profil kampung", "besok")
    await admin.tap("a:dl.list")
    await admin.tap_label("Kumpul profil kampung")
    assert "Berikutnya: Selasa, 5 Januari 2027 (besok)\n" in admin.text
    assert admin.text.count("Kumpul profil kampung") == 1  # the title once, not again


async def test_in_english_the_next_date_says_how_many_days_are_left(app: App) -> None:
    admin = await admin_chat(app)
    await add(admin, "Penilaian P2WKSS tingkat kota", "15 Juni 2027")
    await admin.send("bahasa")
    await admin.tap_label("English")
    [d] = await deadlines(app)
    await admin.tap(f"a:dl.show:{d.id}")
    assert "Next: Tuesday, 15 June 2027 (162 days left)\n" in admin.text


def test_next_due_is_worked_out_however_far_ahead() -> None:
    # One-off: its day while not passed, however far; then nothing.
    assert next_due(date(2027, 6, 15), None, TODAY) == date(2027, 6, 15)
    assert next_due(date(2028, 6, 15), None, TODAY) == date(2028, 6, 15)
    assert next_due(date(2027, 1, 3), None, TODAY) is None
    # Monthly, starting months ahead: its first day, not "passed".
    assert next_due(date(2027, 6, 25), 25, TODAY) == date(2027, 6, 25)
    # Monthly on the 31st: the last day of a shorter month, then on into the next.
    assert next_due(date(2026, 1, 31), 31, date(2027, 2, 10)) == date(2027, 2, 28)
    assert next_due(date(2026, 1, 31), 31, date(2027, 3, 1)) == date(2027, 3, 31)
    assert next_due(date(2026, 12, 31), 31, date(2027, 12, 31)) == date(2027, 12, 31)
    assert next_due(date(2026, 12, 5), 5, date(2027, 12, 6)) == date(2028, 1, 5)


@given(
    due_on=st.dates(date(2020, 1, 1), date(2032, 12, 31)),
    monthly_day=st.none() | st.integers(1, 31),
    today=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
)
def test_next_due_is_the_first_of_the_due_dates_from_today(
    due_on: date, monthly_day: int | None, today: date
) -> None:
    """The same dates as the sweep's `due_dates`, over a window far past any due date."""
    first = next(due_dates(due_on, monthly_day, today, date(2034, 1, 1)), None)
    assert next_due(due_on, monthly_day, today) == first
