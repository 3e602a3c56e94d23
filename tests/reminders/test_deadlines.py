"""Deadline (tenggat) reminders: the 30/7/1 cascade at 08:00 local, the monthly recurring
one, catching up after downtime, and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from handlers.core.delivery import render_outbox
from models import OutboxMessage
from models.base import transaction
from models.deadlines import DeadlineDraft, DeadlinePlan, create_deadline, resolve_audience
from models.people.roles import grant_admin
from scheduler.sweeps import deadline_reminders_once
from tests.support.fakes.outbox import add_member

WIB = ZoneInfo("Asia/Jakarta")
PLAN = DeadlinePlan(tz=WIB, at=time(8, 0))


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB).astimezone(UTC)


async def rows(app: App) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.kind == "deadline_reminder")
            .order_by(OutboxMessage.id)
        )
        return list(await s.scalars(stmt))


async def setup(app: App, draft: DeadlineDraft) -> int:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
        await grant_admin(s, "test", "admin-2", actor="test")
        await add_member(s, "kader-1", role="kader", channel="test")
        await add_member(s, "ibu-1", role="ibu", channel="test")
        return (await create_deadline(s, draft, now=at(date(2027, 1, 1)), actor="test")).id


async def test_a_deadline_is_reminded_30_7_and_1_days_before_at_eight(app: App) -> None:
    due = date(2027, 3, 15)
    await setup(
        app,
        DeadlineDraft(
            title="Penilaian P2WKSS tingkat kota",
            due_on=due,
            prepare="Profil kampung, foto kegiatan, daftar hadir",
            audience="admin",
        ),
    )
    steps = [
        (at(due - timedelta(days=30), 7, 59), 0),
        (at(due - timedelta(days=30)), 2),  # two admins
        (at(due - timedelta(days=30), 8, 15), 0),
        (at(due - timedelta(days=8), 12), 0),
        (at(due - timedelta(days=7)), 2),
        (at(due - timedelta(days=1)), 2),
        (at(due - timedelta(days=1), 9), 0),
        (at(due, 8), 0),
    ]
    for now, written in steps:
        result = await deadline_reminders_once(app.sessions, now, PLAN)
        assert result.written == written, now
    found = await rows(app)
    assert len(found) == 6
    assert sorted({r.params["days"] for r in found}) == [1, 7, 30]
    reply = render_outbox(found[0])
    assert "Tenggat: Penilaian P2WKSS tingkat kota" in reply.text
    assert "15 Maret 2027" in reply.text and "30 hari lagi" in reply.text
    assert "Profil kampung" in reply.text


async def test_after_downtime_only_the_nearest_goes_and_a_passed_due_date_is_dropped(
    app: App,
) -> None:
    due = date(2027, 3, 15)
    await setup(app, DeadlineDraft(title="Laporan triwulan", due_on=due, audience="kader"))
    # Down from before the 7-day one until 3 days before: one reminder (7 days), not two.
    first = await deadline_reminders_once(app.sessions, at(due - timedelta(days=3), 10), PLAN)
    assert (first.written, first.superseded) == (1, 1)
    # Down again until after the due date: the 1-day one is dropped, counted once.
    late = await deadline_reminders_once(app.sessions, at(due + timedelta(days=1), 9), PLAN)
    assert (late.written, late.dropped) == (0, 1)
    again = await deadline_reminders_once(app.sessions, at(due + timedelta(days=1), 10), PLAN)
    assert (again.written, again.dropped) == (0, 0)


async def test_a_monthly_deadline_is_reminded_every_month(app: App) -> None:
    async with transaction(app.sessions) as s:
        sumberan = await resolve_audience(s, "kampung:Sumberan")
    assert sumberan.startswith("kampung:")
    await setup(
        app,
        DeadlineDraft(
            title="Laporan bulanan kader",
            due_on=date(2027, 1, 25),
            audience="kader",
            remind=(3, 1),
            monthly_day=25,
        ),
    )
    written = []
    day = date(2027, 1, 1)
    while day <= date(2027, 4, 30):
        result = await deadline_reminders_once(app.sessions, at(day, 8, 1), PLAN)
        if result.written:
            written.append(day)
        day += timedelta(days=1)
    assert written == [
        date(2027, 1, 22), date(2027, 1, 24),
        date(2027, 2, 22), date(2027, 2, 24),
        date(2027, 3, 22), date(2027, 3, 24),
        date(2027, 4, 22), date(2027, 4, 24),
    ]  # fmt: skip
    assert {r.params["title"] for r in await rows(app)} == {"Laporan bulanan kader"}
