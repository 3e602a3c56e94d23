"""Kegiatan reminders written by the sweep, on a real database, with the sweep's `now`
under the test's control (the chat side runs on real time, the sweep on the test's)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.app import App
from handlers.core.delivery import render_outbox
from models import Kegiatan, OutboxMessage, make_sessionmaker
from models.base import transaction, utcnow
from models.kegiatan.admin import cancel_kegiatan, edit_kegiatan
from models.reminders.kegiatan import DAY_BEFORE, HOURS_BEFORE, ReminderPlan
from models.reminders.tables import ReminderLog
from scheduler.dispatcher import Dispatcher
from scheduler.sweeps import Sweeper, kegiatan_reminders_once
from tests.support.chat import Chat, mothers, register
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.kegiatan import kegiatan
from tests.support.fakes.outbox import RecordingSender

WIB = ZoneInfo("Asia/Jakarta")
PLAN = ReminderPlan(tz=WIB, day_before_at=time(7, 0), hours_before=2)


async def reminders(app: App) -> list[OutboxMessage]:
    async with app.sessions() as s:
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.kind.like("kegiatan_reminder%"))
            .order_by(OutboxMessage.id)
        )
        return list(await s.scalars(stmt))


async def due_now(app: App) -> None:
    async with transaction(app.sessions) as s:
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "queued")
            .values(not_before=utcnow() - timedelta(seconds=1))
        )


async def start_of(app: App, kid: int) -> datetime:
    async with app.sessions() as s:
        return (await s.get_one(Kegiatan, kid)).starts_at


async def member_of(app: App, name: str) -> int:
    from models.people.tables import Member

    async with app.sessions() as s:
        found = await s.scalar(select(Member.id).where(Member.full_name == name))
    assert found is not None
    return found


async def siti_and_dewi(app: App) -> tuple[Chat, Chat, int]:
    """Siti has the only seat of the Posyandu, Dewi is first on its waiting list."""
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    kid = await kegiatan(app, "Posyandu balita", kuota=1)
    await siti.tap(f"a:kg.signup:{kid}")
    await dewi.tap(f"a:kg.signup:{kid}")
    assert "daftar tunggu" in dewi.text
    return siti, dewi, kid


async def test_each_reminder_is_written_once_across_sweeps_and_a_restart(app: App) -> None:
    _, _, kid = await siti_and_dewi(app)
    start = await start_of(app, kid)
    day_before = PLAN.due_at(DAY_BEFORE, start)
    assert day_before.astimezone(WIB).time() == time(7, 0)
    assert day_before.astimezone(WIB).date() == start.astimezone(WIB).date() - timedelta(days=1)

    early = await kegiatan_reminders_once(app.sessions, day_before - timedelta(minutes=1), PLAN)
    assert early.written == 0 and await reminders(app) == []
    first = await kegiatan_reminders_once(app.sessions, day_before, PLAN)
    assert first.written == 2
    for _ in range(3):
        again = await kegiatan_reminders_once(
            app.sessions, day_before + timedelta(seconds=15), PLAN
        )
        assert again.written == 0
    # A restart: a new process with fresh sessions and a new sweeper sees the same rows.
    restarted = Sweeper(make_sessionmaker(app.db), PLAN)
    assert await restarted.run_once(day_before + timedelta(minutes=5))
    await restarted.close()
    rows = await reminders(app)
    assert len(rows) == 2

    siti_id, dewi_id = await member_of(app, "Siti Aminah"), await member_of(app, "Dewi Lestari")
    by_member = {r.member_id: r for r in rows}
    siti_row, dewi_row = by_member[siti_id], by_member[dewi_id]
    assert siti_row.kind == "kegiatan_reminder" and siti_row.expires_at == start
    assert not siti_row.respects_quiet_hours and not siti_row.respects_opt_out
    reply = render_outbox(siti_row)
    assert "Pengingat: Posyandu balita" in reply.text
    assert "pukul" in reply.text and "WIB" in reply.text  # when, the Indonesian way
    assert "Balai Warga Sumberan" in reply.text  # where
    assert [c.label for c in reply.choices] == ["Tetap ikut", "Batal ikut"]
    assert [c.id for c in reply.choices] == [
        f"a:rm.keep:{kid}:{siti_id}",
        f"a:kg.unsignup:{kid}:{siti_id}",
    ]
    waiting = render_outbox(dewi_row)
    assert dewi_row.kind == "kegiatan_reminder_waiting"
    assert "daftar tunggu, nomor 1" in waiting.text
    assert [c.id for c in waiting.choices] == [f"a:kg.unsignup:{kid}:{dewi_id}"]

    # Two hours before: the registered mother only, once.
    two_hours = PLAN.due_at(HOURS_BEFORE, start)
    assert two_hours == start - timedelta(hours=2)
    for _ in range(2):
        await kegiatan_reminders_once(app.sessions, two_hours + timedelta(seconds=30), PLAN)
    rows = await reminders(app)
    assert len(rows) == 3 and rows[-1].member_id == siti_id
    async with app.sessions() as s:
        kinds = sorted((r.member_id, r.kind) for r in await s.scalars(select(ReminderLog)))
    assert kinds == sorted([(siti_id, DAY_BEFORE), (dewi_id, DAY_BEFORE), (siti_id, HOURS_BEFORE)])


async def test_a_moved_kegiatan_gets_reminders_for_its_new_time(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Senam sehat", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    start = await start_of(app, kid)
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, start), PLAN)
    assert len(await reminders(app)) == 1

    moved = start + timedelta(days=3)
    async with transaction(app.sessions) as s:
        result = await edit_kegiatan(s, kid, now=utcnow(), actor="test", starts_at=moved)
    assert result.outcome == "ok"
    # The old time's reminders are not due again; the new time's come when due.
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(HOURS_BEFORE, start), PLAN)
    assert len(await reminders(app)) == 1
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, moved), PLAN)
    rows = await reminders(app)
    assert len(rows) == 2 and rows[-1].expires_at == moved
    assert rows[-1].params["starts_at"] == moved.isoformat()
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(HOURS_BEFORE, moved), PLAN)
    assert len(await reminders(app)) == 3


async def test_a_cancelled_kegiatan_sends_no_reminders(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Pelatihan menjahit", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    start = await start_of(app, kid)
    async with transaction(app.sessions) as s:
        await cancel_kegiatan(s, kid, now=utcnow(), actor="test")
    for due in (PLAN.due_at(DAY_BEFORE, start), PLAN.due_at(HOURS_BEFORE, start)):
        result = await kegiatan_reminders_once(app.sessions, due + timedelta(minutes=1), PLAN)
        assert result.written == 0
    assert await reminders(app) == []


async def test_after_downtime_late_before_the_start_goes_out_after_the_start_is_dropped(
    app: App,
) -> None:
    siti, dewi, kid = await siti_and_dewi(app)
    start = await start_of(app, kid)
    # Down from before the day-before reminder until 30 minutes before the start: the
    # registered mother gets the latest one (2 hours before) late, not both; the waiting
    # one gets hers (she has no later one).
    caught_up = await kegiatan_reminders_once(app.sessions, start - timedelta(minutes=30), PLAN)
    assert (caught_up.written, caught_up.superseded, caught_up.dropped) == (2, 1, 0)
    kinds = sorted(r.kind for r in await reminders(app))
    assert kinds == ["kegiatan_reminder", "kegiatan_reminder_waiting"]

    # A second kegiatan whose start passed while the bot was down: nothing goes, counted.
    other = await kegiatan(app, "Penyuluhan gizi", kuota=None, days=3)
    await siti.tap(f"a:kg.signup:{other}")
    await dewi.tap(f"a:kg.signup:{other}")
    other_start = await start_of(app, other)
    late = await kegiatan_reminders_once(app.sessions, other_start + timedelta(minutes=10), PLAN)
    assert late.written == 0 and late.dropped == 4  # two mothers x two reminders
    assert len(await reminders(app)) == 2
    again = await kegiatan_reminders_once(app.sessions, other_start + timedelta(minutes=11), PLAN)
    assert again.dropped == 0  # counted once


async def test_a_reminder_held_back_until_the_start_is_dropped_not_sent(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    start = await start_of(app, kid)
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(HOURS_BEFORE, start), PLAN)
    [row] = await reminders(app)
    # The channel was paused (retry-after, a closed window) until after the start.
    clock = FakeClock(start + timedelta(minutes=1))
    sender = RecordingSender(clock, channel="test")
    async with Dispatcher(app.sessions, [sender], tz=WIB, clock=clock) as d:
        assert await d.run_once() == 0
    assert sender.calls == []
    async with app.sessions() as s:
        got = await s.get_one(OutboxMessage, row.id)
    assert (got.status, got.last_error) == ("skipped", "expired")


async def test_a_reminder_before_the_start_is_sent(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    start = await start_of(app, kid)
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(HOURS_BEFORE, start), PLAN)
    clock = FakeClock(start - timedelta(minutes=90))
    sender = RecordingSender(clock, channel="test")
    async with Dispatcher(app.sessions, [sender], tz=WIB, clock=clock) as d:
        assert await d.run_once() == 1
    assert len(sender.calls) == 1 and "Posyandu" in sender.calls[0].reply.text


async def test_tetap_ikut_is_recorded_for_the_mother_named_and_the_admin_sees_it(
    app: App,
) -> None:
    from models.people.roles import grant_admin

    [hp] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await hp.tap(f"a:kg.signup:{kid}")
    await hp.tap("a:mb.new")  # a second mother on the same phone
    for answer in ("ya", "Dewi Lestari", "Sumberan", "3/5", "lewati", "simpan"):
        await hp.send(answer)
    await hp.tap(f"a:kg.show:{kid}")
    await hp.tap_label("Daftar")
    start = await start_of(app, kid)
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, start), PLAN)
    siti_id, dewi_id = await member_of(app, "Siti Aminah"), await member_of(app, "Dewi Lestari")
    rows = {r.member_id: r for r in await reminders(app)}
    assert set(rows) == {siti_id, dewi_id}
    siti_reply = render_outbox(rows[siti_id])
    assert siti_reply.text.startswith("👤 Untuk Ibu Siti Aminah\n")  # for whom, first

    # Dewi is the active mother; Siti's button confirms for Siti.
    await hp.tap(siti_reply.choices[0].id)
    assert "Ibu Siti Aminah tercatat tetap ikut Posyandu" in hp.text

    # A button naming a mother this phone does not act for does nothing.
    other = Chat(app.engine, identity="ibu-ani")
    await register(other, name="Ani Wulandari")
    await other.tap(f"a:kg.signup:{kid}")
    await hp.tap(f"a:rm.keep:{kid}:{await member_of(app, 'Ani Wulandari')}")
    assert "tercatat" not in hp.text

    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", "admin-1", actor="test")
    admin = Chat(app.engine, identity="admin-1")
    await admin.tap(f"a:kga.show:{kid}")
    assert "Sudah konfirmasi tetap ikut: 1 (Siti Aminah)" in admin.text

    # Moved: her "tetap ikut" was for the old time, so it no longer counts.
    async with transaction(app.sessions) as s:
        await edit_kegiatan(s, kid, now=utcnow(), actor="test", starts_at=start + timedelta(days=1))
    await admin.tap(f"a:kga.show:{kid}")
    assert "Belum ada yang konfirmasi" in admin.text


async def test_she_may_type_tetap_ikut_or_batal_ikut_after_the_reminder_arrives(
    app: App,
) -> None:
    from handlers.core.delivery import take_due

    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:kg.signup:{kid}")
    await siti.send("menu")
    start = await start_of(app, kid)
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(DAY_BEFORE, start), PLAN)
    # The console's way of delivering (the sweep ran "ahead" on its own clock, so the row
    # is made due now first): the reminder is on her screen.
    await due_now(app)
    [reply] = await take_due(app.sessions, "test", siti.identity)
    assert "Pengingat: Posyandu" in reply.text
    await siti.send("tetap ikut")
    assert "Ibu tercatat tetap ikut Posyandu" in siti.text
    await kegiatan_reminders_once(app.sessions, PLAN.due_at(HOURS_BEFORE, start), PLAN)
    await due_now(app)
    [reply] = await take_due(app.sessions, "test", siti.identity)
    await siti.send("batal ikut")
    assert "Yakin Ibu batal ikut Posyandu" in siti.text
