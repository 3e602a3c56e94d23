"""The weekly nudge: on Monday after KADER_NUDGE_AT, each kader with no report created or
submitted in the last 7 days gets one gentle message, once; the sweep runs on the test's
clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from bot.settings import load_settings
from models import make_sessionmaker
from models.base import transaction, utcnow
from models.reminders.kegiatan import ReminderPlan
from scheduler.kader import NudgePlan, kader_sweeps, sweep_nudge
from scheduler.sweeps import Sweeper
from tests.support.questions import add_report, kader, member_id, rendered, rows_of_kind

WIB = ZoneInfo("Asia/Jakarta")
PLAN = NudgePlan(tz=WIB, at=time(8, 0))


def monday(hour: int = 8, minute: int = 0, weeks: int = 0) -> datetime:
    """hh:mm WIB on the first Monday after today (plus `weeks`)."""
    today = utcnow().astimezone(WIB).date()
    first = today + timedelta(days=7 - today.weekday())
    day = first + timedelta(weeks=weeks)
    return datetime.combine(day, time(hour, minute), tzinfo=WIB).astimezone(UTC)


async def nudge(app: App, now: datetime) -> int:
    async with transaction(app.sessions) as s:
        return await sweep_nudge(s, now, PLAN)


async def test_only_kader_without_a_report_in_7_days_are_nudged_once(app: App) -> None:
    for identity, name in (
        ("kader-ani", "Ani Kader"),  # no report at all
        ("kader-budi", "Budiarti"),  # reported three days ago
        ("kader-cici", "Cici Lestari"),  # started 10 days ago, sent it in 2 days ago
        ("kader-dina", "Dina Marlina"),  # last report 10 days ago
        ("kader-euis", "Euis Rahmawati"),  # only a draft begun yesterday: not a report
    ):
        await kader(app, identity, name)
    await kader(app, "kader-fitri", "Fitri Yanti", kampung="Cibening")  # no report
    at = monday()
    await add_report(app, "Budiarti", "submitted", at - timedelta(days=3), at - timedelta(days=3))
    await add_report(
        app, "Cici Lestari", "submitted", at - timedelta(days=10), at - timedelta(days=2)
    )
    await add_report(
        app, "Dina Marlina", "approved", at - timedelta(days=10), at - timedelta(days=10)
    )
    await add_report(app, "Euis Rahmawati", "draft", at - timedelta(days=1))

    assert await nudge(app, at - timedelta(minutes=1)) == 0
    assert await nudge(app, at - timedelta(days=6)) == 0  # the Tuesday before: not Monday
    assert await nudge(app, at) == 4
    rows = await rows_of_kind(app, "kader_nudge")
    nudged = {r.member_id for r in rows}
    assert nudged == {
        await member_id(app, name)
        for name in ("Ani Kader", "Dina Marlina", "Euis Rahmawati", "Fitri Yanti")
    }
    text = rendered(rows[0]).text
    assert text.startswith("🌱 Selamat pagi, Bu Ani Kader.")
    assert "belum ada laporan kegiatan" in text and "Lapor" in text

    # Once: later the same Monday, after a restart, and on Tuesday, nothing more.
    assert await nudge(app, at + timedelta(hours=3)) == 0
    restarted = Sweeper(
        make_sessionmaker(app.db), ReminderPlan(tz=WIB), extra=kader_sweeps(None, PLAN)
    )
    assert await restarted.run_once(at + timedelta(hours=4))
    await restarted.close()
    assert await nudge(app, at + timedelta(days=1)) == 0
    assert len(await rows_of_kind(app, "kader_nudge")) == 4

    # The next Monday: Ani reported in the meantime; the others are nudged again.
    await add_report(app, "Ani Kader", "submitted", at + timedelta(days=2), at + timedelta(days=2))
    assert await nudge(app, monday(weeks=1)) == 5  # everyone else's reports are old now
    again = {r.member_id for r in (await rows_of_kind(app, "kader_nudge"))[4:]}
    assert await member_id(app, "Ani Kader") not in again
    assert await member_id(app, "Dina Marlina") in again


async def test_downtime_on_monday_morning_is_caught_up_the_same_day(app: App) -> None:
    await kader(app, "kader-ani", "Ani Kader")
    # The worker was down from Sunday night; it comes back at 13.00 on Monday.
    assert await nudge(app, monday(13, 0)) == 1
    assert await nudge(app, monday(13, 15)) == 0


async def test_the_nudge_can_be_moved_or_turned_off(app: App) -> None:
    settings = load_settings(kader_nudge_at="09:30")
    assert settings.nudge_plan is not None and settings.nudge_plan.at == time(9, 30)
    assert load_settings().nudge_plan == NudgePlan(tz=WIB, at=time(8, 0))
    off = load_settings(kader_nudge_enabled=False)
    assert off.nudge_plan is None
    await kader(app, "kader-ani", "Ani Kader")
    sweeper = Sweeper(
        app.sessions, off.reminder_plan, extra=kader_sweeps(off.question_plan, off.nudge_plan)
    )
    assert await sweeper.run_once(monday(10))
    await sweeper.close()
    assert await rows_of_kind(app, "kader_nudge") == []
