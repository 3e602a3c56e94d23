"""Who may do what with reports: a mother gets a refusal however she tries (menu word,
typed, forged button id); a kader sees and changes only her own kampung's and her own
reports; approving and returning are for admins only, checked on every answer. A refusal
never costs her what she was filling in."""

from __future__ import annotations

from sqlalchemy import update

from bot.app import App
from models import Member
from models.base import transaction
from tests.support.chat import Chat, register
from tests.support.lookups import state_of
from tests.support.reports import KADER, admin_chat, held_kegiatan, kader_chat, reports

NOT_ALLOWED = "hanya untuk petugas"


async def sent_report(app: App, rina: Chat) -> int:
    for answer in ("lapor", "penyuluhan", "1", "kemarin", "1", "9", "0", "Menu gizi."):
        await rina.send(answer)
    for answer in ("tanpa foto", "tidak ada", "tidak ada", "kirim"):
        await rina.send(answer)
    [report] = [r for r in await reports(app) if r.status == "submitted"]
    return report.id


async def test_a_mother_is_refused_report_actions_typed_or_forged(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    report_id = await sent_report(app, rina)
    siti = Chat(app.engine, identity="tg-siti")
    await register(siti)
    await siti.send("menu")
    assert "Lapor" not in siti.labels
    await siti.send("lapor")
    assert NOT_ALLOWED in siti.text
    for forged in (
        "a:lp.new",
        f"a:lp.show:{report_id}",
        f"a:lp.fix:{report_id}",
        f"a:lp.approve:{report_id}",
        f"a:lp.return:{report_id}",
        "a:lp.inbox",
    ):
        await siti.tap(forged)
        assert NOT_ALLOWED in siti.text, forged
    # Her own conversation is untouched: half-way through changing her data, still there.
    await siti.send("ubah data")
    before = await state_of(app, "tg-siti")
    assert before[0] is not None
    await siti.tap(f"a:lp.approve:{report_id}")
    assert NOT_ALLOWED in siti.text and (await state_of(app, "tg-siti"))[:2] == before[:2]
    [report] = await reports(app)
    assert report.status == "submitted"


async def test_a_kader_acts_only_on_her_own_kampung_and_loses_nothing(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    report_id = await sent_report(app, rina)
    dewi = await kader_chat(app, "tg-dewi", name="Dewi Kader", kampung="Cibening")
    # Dewi is half-way through her own report.
    for answer in ("lapor", "pelatihan", "Pelatihan batik", "kemarin", "DP3AKB", "7"):
        await dewi.send(answer)
    flow, step, data = await state_of(app, "tg-dewi")
    assert (flow, step) == ("lp.report", "men")

    await dewi.tap(f"a:lp.show:{report_id}")
    assert "dari kampung lain" in dewi.text
    await dewi.tap(f"a:lp.fix:{report_id}")
    assert "dari kampung lain" in dewi.text
    await dewi.tap(f"a:lp.resume:{report_id}")
    assert "bukan laporan Ibu" in dewi.text
    await dewi.tap(f"a:lp.approve:{report_id}")
    assert NOT_ALLOWED in dewi.text
    await dewi.tap(f"a:lp.return:{report_id}")
    assert NOT_ALLOWED in dewi.text
    await dewi.tap("a:lp.inbox")
    assert NOT_ALLOWED in dewi.text
    # Each refusal asked her own question again; nothing she gave was lost.
    assert "peserta laki-laki" in dewi.text
    assert await state_of(app, "tg-dewi") == (flow, step, data)
    await dewi.send("2")
    assert "ringkasan" in dewi.text

    # A kader of the same kampung may read Rina's sent report, not change it.
    ani = await kader_chat(app, "tg-ani", name="Ani Kader", kampung="Sumberan")
    await ani.tap(f"a:lp.show:{report_id}")
    assert "Penyuluhan gizi balita" in ani.text and "Perbaiki" not in ani.labels
    await ani.tap(f"a:lp.fix:{report_id}")
    assert "bukan laporan Ibu" in ani.text


async def test_a_kader_whose_role_is_taken_mid_report_is_stopped_at_the_next_answer(
    app: App,
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    for answer in ("lapor", "penyuluhan", "1"):
        await rina.send(answer)
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.full_name == "Rina Kader").values(role="ibu"))
    await rina.send("kemarin")
    assert NOT_ALLOWED in rina.text
    assert (await state_of(app, KADER))[0] is None
    [draft] = await reports(app)
    assert draft.status == "draft"  # kept, should the role come back


async def test_approving_is_checked_on_every_answer(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    report_id = await sent_report(app, rina)
    admin = await admin_chat(app)
    await admin.tap(f"a:lp.return:{report_id}")
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.role == "admin").values(role="ibu"))
    await admin.send("Foto kurang jelas")
    assert NOT_ALLOWED in admin.text
    [report] = await reports(app)
    assert report.status == "submitted" and report.review_note is None
