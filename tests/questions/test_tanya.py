"""Tanya: a mother asks, the kader of her kampung answers, the answer comes back to her
through the outbox, and the question is closed."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from handlers.core.types import Kind
from models import QuestionMessage
from tests.support.questions import (
    admin,
    kader,
    member_id,
    mother,
    questions,
    rendered,
    rows_for,
)

QUESTION = "Bu, kapan jadwal posyandu bulan ini? Anak saya belum imunisasi campak."


async def test_a_question_answered_by_the_kader_reaches_the_mother(app: App) -> None:
    dewi = await kader(app, "kader-dewi", "Dewi Lestari")  # Sumberan
    rina = await kader(app, "kader-rina", "Rina Marlina")  # Sumberan too
    await kader(app, "kader-cibening", "Yuli Astuti", kampung="Cibening")
    siti = await mother(app, "ibu-siti", "Siti Aminah")  # Sumberan, RT 3/RW 5

    await siti.send("menu")
    assert "Tanya kader" in siti.labels
    await siti.tap_label("Tanya kader")
    assert "Tulis pertanyaan Ibu" in siti.text
    await siti.send(QUESTION)
    assert "sudah dikirim ke kader kampung Ibu" in siti.text
    [q] = await questions(app)
    assert (q.status, q.escalated_at) == ("open", None)

    # Both kader of Sumberan get it, naming her and where she lives; Cibening's does not.
    [to_dewi] = await rows_for(app, "kader-dewi", "question_new")
    assert len(await rows_for(app, "kader-rina", "question_new")) == 1
    assert await rows_for(app, "kader-cibening") == []
    notice = rendered(to_dewi)
    assert "Pertanyaan dari Ibu Siti Aminah (Sumberan, RT 003/RW 005)" in notice.text
    assert QUESTION in notice.text and "WIB" in notice.text
    [jawab] = notice.choices
    assert (jawab.label, jawab.id) == ("Jawab", f"a:tn.answer:{q.id}")

    # Rina opens it too, but Dewi answers first.
    await rina.tap(jawab.id)
    assert "Tulis jawabannya" in rina.text
    await dewi.tap(jawab.id)
    assert QUESTION in dewi.text and "Ibu Siti Aminah (Sumberan, RT 003/RW 005)" in dewi.text
    await dewi.send("Posyandu Sumberan hari Kamis jam 8 di balai warga. Bawa buku KIA ya, Bu.")
    assert "Jawaban sudah dikirim ke Ibu Siti Aminah" in dewi.text

    [q] = await questions(app)
    assert q.status == "answered" and q.answered_at is not None
    assert q.answered_by_member_id == await member_id(app, "Dewi Lestari")
    [answer] = await rows_for(app, "ibu-siti", "question_answered")
    text = rendered(answer).text
    assert text.startswith("💬 Jawaban dari kader Dewi Lestari")
    assert "Pertanyaan Ibu: Bu, kapan jadwal posyandu" in text
    assert "hari Kamis jam 8 di balai warga" in text

    # Rina's answer comes second: she is told who answered, and sees what she wrote.
    await rina.send("Kamis pagi, Bu.")
    assert "sudah dijawab lebih dulu oleh kader Dewi Lestari" in rina.text
    assert "Kamis pagi, Bu." in rina.text
    assert len(await rows_for(app, "ibu-siti", "question_answered")) == 1
    # Tapping Jawab again later says so at once, with the answer.
    await rina.tap(jawab.id)
    assert "sudah dijawab oleh kader Dewi Lestari" in rina.text
    assert "hari Kamis jam 8" in rina.text and "Tulis jawabannya" not in rina.text

    # She sees her question and its answer under "Pertanyaan saya" (under "Lainnya").
    await siti.send("menu")
    await siti.tap_label("Lainnya")
    await siti.tap_label("Pertanyaan saya")
    assert "kapan jadwal posyandu" in siti.text
    assert "Jawaban kader Dewi Lestari: Posyandu Sumberan hari Kamis" in siti.text


async def test_pertanyaan_ibu_lists_her_kampung_newest_first_and_admins_see_all(
    app: App,
) -> None:
    dewi = await kader(app, "kader-dewi", "Dewi Lestari")
    boss = await admin(app)
    await kader(app, "kader-yuli", "Yuli Astuti", kampung="Cibening")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    ani = await mother(app, "ibu-ani", "Ani Wulandari", rt_rw="2/4")
    euis = await mother(app, "ibu-euis", "Euis Rahmawati", kampung="Cibening")
    for chat, text in (
        (siti, "Pertanyaan pertama dari Siti"),
        (euis, "Pertanyaan dari Cibening"),
        (ani, "Pertanyaan kedua dari Ani"),
    ):
        await chat.send("tanya")
        await chat.send(text)

    await dewi.send("Pertanyaan ibu")
    text = dewi.text
    assert "belum dijawab (2)" in text
    assert text.index("Ani Wulandari") < text.index("Siti Aminah")  # newest first
    assert "Cibening" not in text
    assert dewi.labels[:2] == ["Jawab 1 · Ani Wulandari", "Jawab 2 · Siti Aminah"]
    # By number, as typed.
    await dewi.send("2")
    assert "Pertanyaan pertama dari Siti" in dewi.text
    await dewi.send("batal")
    assert "jawaban tidak dikirim" in dewi.text

    await boss.send("pertanyaan ibu")
    assert "belum dijawab (3)" in boss.text and "Euis Rahmawati (Cibening" in boss.text


async def test_no_kader_in_her_kampung_sends_her_question_to_the_admins_at_once(
    app: App,
) -> None:
    boss = await admin(app)
    await kader(app, "kader-dewi", "Dewi Lestari")  # Sumberan only
    euis = await mother(app, "ibu-euis", "Euis Rahmawati", kampung="Cibening")
    await euis.send("tanya kader")
    await euis.send("Apakah ada pelatihan menjahit untuk ibu-ibu?")
    assert "langsung dikirim ke petugas P2WKSS" in euis.text
    [q] = await questions(app)
    assert q.escalated_at is not None
    assert await rows_for(app, "kader-dewi") == []
    [notice] = await rows_for(app, "admin-1", "question_no_kader")
    assert "belum punya kader" in rendered(notice).text

    await boss.tap(rendered(notice).choices[0].id)
    await boss.send("Ada, bulan depan di Kelurahan Bendung. Nanti diumumkan.")
    assert "Jawaban sudah dikirim ke Ibu Euis Rahmawati" in boss.text
    [answer] = await rows_for(app, "ibu-euis", "question_answered_staff")
    assert rendered(answer).text.startswith("💬 Jawaban dari petugas P2WKSS")
    [q] = await questions(app)
    assert q.status == "answered"


async def test_a_question_too_long_or_not_text_is_asked_again_and_batal_sends_nothing(
    app: App,
) -> None:
    await kader(app, "kader-dewi", "Dewi Lestari")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("tanya")
    await siti.send("a" * 1001)
    assert "Terlalu panjang (1001 huruf). Paling banyak 1000 huruf." in siti.text
    await siti.send_kind(Kind.STICKER)
    assert "Mohon jawab dengan tulisan." in siti.text
    assert "Tulis pertanyaan Ibu dengan huruf" in siti.text
    await siti.send("batal")
    assert "pertanyaan tidak dikirim" in siti.text
    assert await questions(app) == [] and await rows_for(app, "kader-dewi") == []
    # Asked again, it goes.
    await siti.send("tanya")
    await siti.send("a" * 1000)
    assert "sudah dikirim" in siti.text
    assert len(await questions(app)) == 1


async def test_an_answer_too_long_is_asked_again_and_the_question_kept(app: App) -> None:
    dewi = await kader(app, "kader-dewi", "Dewi Lestari")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("tanya")
    await siti.send("Apakah air sumur perlu dimasak?")
    [q] = await questions(app)
    await dewi.tap(f"a:tn.answer:{q.id}")
    await dewi.send("x" * 1001)
    assert "Terlalu panjang" in dewi.text and "Tulis jawaban untuk Ibu Siti Aminah" in dewi.text
    await dewi.send_kind(Kind.PHOTO)
    assert "Mohon jawab dengan tulisan." in dewi.text
    await dewi.send("Ya, Bu, selalu dimasak sampai mendidih.")
    assert "Jawaban sudah dikirim" in dewi.text
    [q] = await questions(app)
    assert q.status == "answered"


async def test_a_mother_with_no_questions_is_offered_to_ask(app: App) -> None:
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("pertanyaan saya")
    assert "belum pernah mengirim pertanyaan" in siti.text
    await siti.tap_label("Tanya kader")
    assert "Tulis pertanyaan Ibu" in siti.text


async def test_a_mother_erases_her_data_her_open_question_goes_with_it(app: App) -> None:
    """Hapus data saya: the question's text and the notice still waiting for the kader are
    gone; the anonymous question row stays for the counts."""
    await kader(app, "kader-rina", "Rina Kader")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("tanya")
    await siti.send("Anak saya demam tiga hari, harus ke mana?")
    [waiting] = await rows_for(app, "kader-rina", "question_new")
    assert waiting.status == "queued"
    await siti.send("hapus data saya")
    await siti.send("ya")
    assert "sudah dihapus" in siti.text
    [q] = await questions(app)
    assert q.status == "closed"
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(QuestionMessage)) == 0
    [withdrawn] = await rows_for(app, "kader-rina", "question_new")
    assert withdrawn.status == "skipped"
