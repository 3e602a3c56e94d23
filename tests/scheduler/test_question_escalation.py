"""Questions no kader answered within a day go to the admins, once, through the sweep;
the chat side runs on real time, the sweep on the test's clock."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from bot.settings import load_settings
from models import make_sessionmaker
from models.base import transaction
from models.reminders.kegiatan import ReminderPlan
from scheduler.kader import QuestionPlan, kader_sweeps, sweep_questions
from scheduler.sweeps import Sweeper
from tests.support.questions import (
    admin,
    kader,
    mother,
    questions,
    rendered,
    rows_for,
    rows_of_kind,
)

WIB = ZoneInfo("Asia/Jakarta")
PLAN = QuestionPlan(tz=WIB, escalate_after=timedelta(hours=24))


async def escalate(app: App, at_hours: float) -> int:
    """One escalation sweep, `at_hours` after the first question was asked."""
    first = (await questions(app))[0].created_at
    async with transaction(app.sessions) as s:
        return await sweep_questions(s, first + timedelta(hours=at_hours), PLAN)


async def test_a_question_unanswered_for_a_day_goes_to_the_admins_once(app: App) -> None:
    boss = await admin(app, "admin-1")
    await admin(app, "admin-2")
    dewi = await kader(app, "kader-dewi", "Dewi Lestari")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    ani = await mother(app, "ibu-ani", "Ani Wulandari", rt_rw="2/4")
    await siti.send("tanya")
    await siti.send("Apakah ada bantuan untuk usaha warung (UP2K)?")
    await ani.send("tanya")
    await ani.send("Kapan pembagian vitamin A?")
    _, ani_q = await questions(app)
    # Dewi answers Ani's question in time; Siti's waits.
    await dewi.tap(f"a:tn.answer:{ani_q.id}")
    await dewi.send("Bulan Februari di posyandu, Bu.")

    assert await escalate(app, 23.9) == 0
    assert await rows_of_kind(app, "question_escalated") == []
    assert await escalate(app, 24) == 1
    to_admins = await rows_of_kind(app, "question_escalated")
    assert len(to_admins) == 2 and len({r.member_id for r in to_admins}) == 2
    text = rendered(to_admins[0]).text
    assert text.startswith("⏫ Belum dijawab kader dalam 24 jam.")
    assert "Ibu Siti Aminah (Sumberan, RT 003/RW 005)" in text and "UP2K" in text
    assert "Vitamin A" not in text and "vitamin A" not in text
    [q, _] = await questions(app)
    assert q.escalated_at is not None and q.status == "open"

    # Not twice: later sweeps and a restarted sweeper leave it be.
    assert await escalate(app, 25) == 0
    restarted = Sweeper(
        make_sessionmaker(app.db), ReminderPlan(tz=WIB), extra=kader_sweeps(PLAN, None)
    )
    assert await restarted.run_once(q.created_at + timedelta(hours=30))
    await restarted.close()
    assert len(await rows_of_kind(app, "question_escalated")) == 2

    # The admin answers from the notice's button; the kader can still see it was answered.
    [jawab] = rendered(to_admins[0]).choices
    await boss.tap(jawab.id)
    await boss.send("Ada, Bu. Silakan datang ke kantor kelurahan hari Senin.")
    assert "Jawaban sudah dikirim ke Ibu Siti Aminah" in boss.text
    [answer] = await rows_for(app, "ibu-siti", "question_answered_staff")
    assert "kantor kelurahan hari Senin" in rendered(answer).text
    await dewi.tap(jawab.id)
    assert "sudah dijawab oleh petugas P2WKSS" in dewi.text


async def test_with_no_admin_yet_the_question_waits_for_a_later_sweep(app: App) -> None:
    await kader(app, "kader-dewi", "Dewi Lestari")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("tanya")
    await siti.send("Di mana bisa cek tekanan darah?")
    assert await escalate(app, 30) == 0
    [q] = await questions(app)
    assert q.escalated_at is None
    await admin(app)
    assert await escalate(app, 31) == 1
    assert len(await rows_for(app, "admin-1", "question_escalated")) == 1


def test_the_escalation_time_is_a_setting() -> None:
    settings = load_settings(question_escalate_hours=6)
    assert settings.question_plan.escalate_after == timedelta(hours=6)
    assert load_settings().question_plan.escalate_after == timedelta(hours=24)
