"""Who may answer: a kader her own kampung's questions only, admins all, a mother none;
typed words and forged button ids included, and checked again when the answer is saved."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from models import Member
from models.base import transaction
from tests.support.chat import Chat
from tests.support.lookups import state_of
from tests.support.questions import (
    kader,
    kampung_id,
    mother,
    questions,
    rows_for,
    set_role,
)


async def asked(app: App) -> tuple[Chat, int]:
    """Siti of Sumberan has asked; returns her chat and the question id."""
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("tanya")
    await siti.send("Bagaimana cara daftar BPJS untuk bayi?")
    [q] = await questions(app)
    return siti, q.id


async def nothing_answered(app: App) -> None:
    [q] = await questions(app)
    assert q.status == "open" and q.answered_by_member_id is None
    assert await rows_for(app, "ibu-siti", "question_answered") == []


async def test_a_kader_of_another_kampung_cannot_answer_by_a_forged_id(app: App) -> None:
    yuli = await kader(app, "kader-yuli", "Yuli Astuti", kampung="Cibening")
    _, qid = await asked(app)
    await yuli.tap(f"a:tn.answer:{qid}")
    assert "pertanyaan itu dari kampung lain" in yuli.text
    assert "BPJS" not in yuli.text  # nothing of the question is shown
    assert (await state_of(app, "kader-yuli"))[0] is None
    await yuli.send("Datang saja ke kantor BPJS.")  # not taken as an answer
    await nothing_answered(app)
    # Her list does not show it; ids that are no question are "not found".
    await yuli.send("pertanyaan ibu")
    assert "Tidak ada pertanyaan ibu yang menunggu jawaban" in yuli.text
    for forged in ("a:tn.answer:99999", "a:tn.answer:abc", "a:tn.answer:", "a:tn.answer:-1"):
        await yuli.tap(forged)
        assert "pertanyaan itu tidak ditemukan" in yuli.text
    await nothing_answered(app)


async def test_a_mother_cannot_answer_typed_or_with_a_forged_id(app: App) -> None:
    siti, qid = await asked(app)
    ani = await mother(app, "ibu-ani", "Ani Wulandari")  # same kampung, still a mother
    for chat in (siti, ani):
        await chat.tap(f"a:tn.answer:{qid}")
        assert "hanya untuk petugas" in chat.text
        await chat.send("Jawabannya ke kantor BPJS")
        await chat.tap("a:tn.list")
        assert "hanya untuk petugas" in chat.text
        for typed in ("jawab", "pertanyaan ibu"):
            await chat.send(typed)
            assert "hanya untuk petugas" in chat.text, typed
            assert "BPJS untuk bayi" not in chat.text
    await nothing_answered(app)


async def test_a_guest_is_asked_to_register_before_asking(app: App) -> None:
    guest = Chat(app.engine, identity="tamu-1")
    await guest.send("/start")
    assert "Tanya kader" not in guest.labels
    await guest.tap("a:tn.ask")
    assert "perlu mendaftar dulu" in guest.text
    assert await questions(app) == []


async def test_roles_and_kampung_are_checked_again_when_the_answer_is_saved(app: App) -> None:
    dewi = await kader(app, "kader-dewi", "Dewi Lestari")
    rina = await kader(app, "kader-rina", "Rina Marlina")
    _, qid = await asked(app)
    await dewi.tap(f"a:tn.answer:{qid}")
    await rina.tap(f"a:tn.answer:{qid}")
    assert "Tulis jawabannya" in dewi.text and "Tulis jawabannya" in rina.text
    # Dewi is no longer a kader; Rina moved to Cibening while typing.
    await set_role(app, "Dewi Lestari", "ibu")
    cibening = await kampung_id(app, "Cibening")
    async with transaction(app.sessions) as s:
        found = await s.scalar(select(Member).where(Member.full_name == "Rina Marlina"))
        assert found is not None
        found.kampung_id = cibening
    await dewi.send("Ke puskesmas, Bu.")
    assert "hanya untuk petugas" in dewi.text
    await rina.send("Ke kantor kelurahan, Bu.")
    assert "pertanyaan itu dari kampung lain" in rina.text
    await nothing_answered(app)


async def test_a_kader_typing_tanya_is_told_it_is_for_mothers(app: App) -> None:
    """Found trying the demo: she was told "hanya untuk petugas", and she is one."""
    rina = await kader(app, "kader-rina", "Rina Kader")
    await rina.send("tanya")
    assert "untuk ibu binaan, bukan untuk petugas" in rina.text
    assert "hanya untuk petugas" not in rina.text
