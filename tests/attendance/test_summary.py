"""After the end: the summary of the daftar hadir to the admins and the kader of the
kampung, counted right and sent once; yesterday's attendance in the admins' digest; and
the day's reminder telling her how to check in without giving the code away."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from handlers.core.delivery import render_outbox
from models import make_sessionmaker
from models.base import transaction, utcnow
from models.reminders.kegiatan import HOURS_BEFORE, ReminderPlan
from scheduler.attendance import AttendancePlan, attendance_sweeps, sweep_attendance
from scheduler.digest import DigestPlan, sweep_digest
from scheduler.sweeps import Sweeper, kegiatan_reminders_once
from tests.support.attendance import (
    chat_member,
    code,
    ended,
    kegiatan_soon,
    load,
    rows_of,
    set_status,
)
from tests.support.chat import Chat, mothers
from tests.support.staff import admin_chat, make_kader, member_id

WIB = ZoneInfo("Asia/Jakarta")
PLAN = AttendancePlan(tz=WIB)


async def summaries(app: App) -> int:
    async with transaction(app.sessions) as s:
        return (await sweep_attendance(s, utcnow(), PLAN)).written


async def a_morning_at_posyandu(app: App, kampung: tuple[str, ...] = ("Sumberan",)) -> int:
    """Siti and Dewi signed up; Siti came with the code, Sari walked in, Dewi did not
    come; then the kegiatan ended."""
    kid = await kegiatan_soon(app, "Posyandu balita", kampung=kampung)
    siti, dewi, sari = await mothers(app, "Siti Aminah", "Dewi Lestari", "Sari Wulan")
    for chat in (siti, dewi):
        await chat.tap(f"a:kg.signup:{kid}")
    secret = await code(app, kid)
    for chat in (siti, sari):
        await chat.send(f"hadir {secret}")
        assert "tercatat hadir" in chat.text
    await ended(app, kid)
    return kid


async def test_the_summary_counts_and_goes_once_to_admins_and_the_kader(app: App) -> None:
    admin = await admin_chat(app)
    await make_kader(app)  # Ani, Sumberan
    await make_kader(app, identity="tg-wati", name="Wati Sumarni", kampung="Cibening")
    kid = await a_morning_at_posyandu(app)
    later = await kegiatan_soon(app, "Kelas gizi")  # not ended yet
    off = await kegiatan_soon(app, "Senam sehat")
    await ended(app, off)
    await set_status(app, off, "cancelled")

    assert await summaries(app) == 2
    rows = await rows_of(app, "attendance_summary")
    assert {r.member_id for r in rows} == {
        await member_id(app, "Ani Lestari"),
        await chat_member(app, admin),
    }
    assert {r.params["kegiatan_id"] for r in rows} == {kid}
    text = render_outbox(rows[0]).text
    assert text.startswith("📋 Ringkasan kehadiran: Posyandu balita\n")
    assert "Terdaftar 2, hadir 2 (datang langsung 1), tidak hadir 1." in text
    assert [c.id for c in render_outbox(rows[0]).choices] == [f"a:hd.list:{kid}:0"]

    # Once: again, and after a restart, nothing more; the open kegiatan has none yet.
    assert await summaries(app) == 0
    restarted = Sweeper(
        make_sessionmaker(app.db), ReminderPlan(tz=WIB), extra=attendance_sweeps(PLAN)
    )
    assert await restarted.run_once(utcnow())
    await restarted.close()
    assert len(await rows_of(app, "attendance_summary")) == 2
    assert later not in {r.params["kegiatan_id"] for r in await rows_of(app, "attendance_summary")}
    # The kader opens the list from her summary.
    ani = Chat(app.engine, identity="tg-kader")
    await ani.tap(f"a:hd.list:{kid}:0")
    assert "Terdaftar 2 · hadir 2 (datang langsung 1) · tidak hadir 1" in ani.text


async def test_a_kegiatan_for_every_kampung_tells_every_kader(app: App) -> None:
    await make_kader(app)
    await make_kader(app, identity="tg-wati", name="Wati Sumarni", kampung="Cibening")
    await a_morning_at_posyandu(app, kampung=())
    assert await summaries(app) == 2
    assert {r.member_id for r in await rows_of(app, "attendance_summary")} == {
        await member_id(app, "Ani Lestari"),
        await member_id(app, "Wati Sumarni"),
    }


async def test_the_digest_has_yesterdays_attendance(app: App) -> None:
    admin = await admin_chat(app)
    await a_morning_at_posyandu(app)
    async with transaction(app.sessions) as s:
        written = await sweep_digest(s, utcnow(), DigestPlan(tz=WIB, at=time(0, 0)))
    assert written == 1
    [row] = await rows_of(app, "admin_digest")
    assert row.member_id == await chat_member(app, admin)
    body = render_outbox(row).text
    assert "Kehadiran kegiatan sejak kemarin: 1 kegiatan" in body
    assert "Posyandu balita: hadir 1 dari 2 terdaftar, 1 datang langsung" in body


async def test_the_reminder_says_how_to_check_in_but_not_the_code(app: App) -> None:
    kid = await kegiatan_soon(app, "Posyandu balita", starts_in=timedelta(hours=3))
    [siti] = await mothers(app, "Siti Aminah")
    await siti.tap(f"a:kg.signup:{kid}")
    secret = await code(app, kid)
    plan = ReminderPlan(tz=WIB, day_before_at=None, hours_before=2)
    start = (await load(app, kid)).starts_at
    swept = await kegiatan_reminders_once(app.sessions, plan.due_at(HOURS_BEFORE, start), plan)
    assert swept.written == 1
    [row] = await rows_of(app, "kegiatan_reminder")
    text = render_outbox(row).text
    assert "Saat datang, ketik: hadir <kode> (kodenya diberikan di tempat kegiatan)." in text
    assert secret not in text
