"""The admins' daily digest lists the kader reports waiting for review, per kampung, when
there are any."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from handlers.core.delivery import render_outbox
from models.base import utcnow
from scheduler.digest import DigestPlan
from scheduler.sweeps import digest_once
from tests.support.questions import add_report, admin, kader, rows_of_kind

WIB = ZoneInfo("Asia/Jakarta")
PLAN = DigestPlan(tz=WIB, at=time(7, 0))


def seven(days: int) -> datetime:
    """07:05 WIB, `days` after today."""
    day = utcnow().astimezone(WIB).date() + timedelta(days=days)
    return datetime.combine(day, time(7, 5), tzinfo=WIB).astimezone(UTC)


async def test_the_digest_counts_reports_waiting_for_review_per_kampung(app: App) -> None:
    await admin(app)
    await kader(app, "kader-dewi", "Dewi Lestari")
    await kader(app, "kader-yuli", "Yuli Astuti", kampung="Cibening")
    # No report waiting: no line about reports.
    assert await digest_once(app.sessions, seven(1), PLAN) == 1
    [first] = await rows_of_kind(app, "admin_digest")
    assert "Laporan kader" not in render_outbox(first).text

    now = utcnow()
    for _ in range(2):
        await add_report(app, "Dewi Lestari", "submitted", now, now)
    await add_report(app, "Yuli Astuti", "submitted", now, now)
    await add_report(app, "Dewi Lestari", "draft", now)  # still being written
    await add_report(app, "Yuli Astuti", "approved", now, now)  # already reviewed
    await add_report(app, "Yuli Astuti", "needs_fix", now, now)  # back with the kader
    assert await digest_once(app.sessions, seven(2), PLAN) == 1
    latest = render_outbox((await rows_of_kind(app, "admin_digest"))[-1]).text
    assert "Laporan kader menunggu diperiksa: 3 (Cibening 1, Sumberan 2)" in latest
