"""The daily admin digest: written once per admin and day after its local time, what it
counts, and off by a setting."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import App
from bot.settings import load_settings
from handlers.core.delivery import render_outbox
from models import OutboxMessage, make_sessionmaker
from models.base import transaction, utcnow
from models.deadlines import DeadlineDraft, create_deadline
from models.outbox.tables import enqueue, finish_row
from models.people.roles import grant_admin
from models.reminders.kegiatan import ReminderPlan
from scheduler.digest import DigestPlan
from scheduler.sweeps import Sweeper, digest_once
from tests.support.chat import mothers
from tests.support.fakes.kegiatan import kegiatan

WIB = ZoneInfo("Asia/Jakarta")
PLAN = DigestPlan(tz=WIB, at=time(7, 0))


async def digests(app: App) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == "admin_digest")
        return list(await s.scalars(stmt.order_by(OutboxMessage.id)))


def seven(day_offset: int = 0, minute: int = 0) -> datetime:
    """07:mm local on the day of the next digest after now (offset 1), or a day after."""
    now = utcnow().astimezone(WIB)
    first = now.date() if now.time() < time(7, 0) else now.date() + timedelta(days=1)
    day = first + timedelta(days=day_offset - 1)
    return datetime.combine(day, time(7, minute), tzinfo=WIB).astimezone(UTC)


async def test_the_digest_counts_and_comes_once_a_day_per_admin(app: App) -> None:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
        await grant_admin(s, "test", "admin-2", actor="test")
    # Since the last digest time (07:00 local): what the next digest counts.
    siti, dewi, ani = await mothers(app, "Siti Aminah", "Dewi Lestari", "Ani Wulandari")
    kid = await kegiatan(app, "Posyandu balita", kuota=1, days=3)
    await siti.tap(f"a:kg.signup:{kid}")
    await dewi.tap(f"a:kg.signup:{kid}")
    await ani.tap(f"a:kg.signup:{kid}")
    await kegiatan(app, "Pelatihan menjahit", kuota=None, days=20)  # not in 7 days
    async with transaction(app.sessions) as s:
        today = utcnow().astimezone(WIB).date()
        for title, days in (("Penilaian P2WKSS tingkat kota", 10), ("Laporan tahunan", 40)):
            await create_deadline(
                s, DeadlineDraft(title=title, due_on=today + timedelta(days=days)),
                now=utcnow(), actor="test",
            )  # fmt: skip
        row = await enqueue(
            s, identity_id=1, channel="test", kind="announcement", params={"text": "x"},
            idempotency_key="failed-1",
        )  # fmt: skip
        assert row is not None
        finish_row(await s.get_one(OutboxMessage, row), "failed", "error:x")

    assert await digest_once(app.sessions, seven(1, 0) - timedelta(minutes=1), PLAN) == 0
    assert await digest_once(app.sessions, seven(1, 0), PLAN) == 2
    assert await digest_once(app.sessions, seven(1, 1), PLAN) == 0
    # A restart at 07:00: a new process neither skips nor repeats it.
    restarted = Sweeper(make_sessionmaker(app.db), ReminderPlan(tz=WIB), digest=PLAN)
    assert await restarted.run_once(seven(1, 2))
    await restarted.close()
    rows = await digests(app)
    assert len(rows) == 2 and rows[0].member_id != rows[1].member_id
    text = render_outbox(rows[0]).text
    assert text.startswith("📋 Ringkasan harian, ")
    assert "Pendaftar baru (ibu): 3" in text
    assert "1 dapat tempat, 2 masuk daftar tunggu, 0 batal" in text
    assert "Daftar tunggu sekarang: 2" in text
    assert "Kegiatan 7 hari ke depan: 1" in text and "Posyandu balita (1/1)" in text
    assert "Pelatihan menjahit" not in text
    assert "Tenggat 14 hari ke depan: 1" in text and "Penilaian P2WKSS tingkat kota" in text
    assert "Pesan gagal terkirim sejak kemarin: 1" in text

    # The next day: a new one, with yesterday's news gone.
    assert await digest_once(app.sessions, seven(2, 5), PLAN) == 2
    latest = render_outbox((await digests(app))[-1]).text
    assert "Pendaftar baru (ibu): 0" in latest


async def test_the_digest_can_be_turned_off(app: App) -> None:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
    settings = load_settings(digest_enabled=False)
    assert settings.digest_plan is None
    sweeper = Sweeper(app.sessions, settings.reminder_plan, settings.deadline_plan, None)
    await sweeper.run_once(seven(1, 0))
    await sweeper.close()
    assert await digests(app) == []
