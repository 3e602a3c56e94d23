"""Registration reads answers the way mothers type them: kampung with a typo or a
leading "Kp.", names in one case or with "Ibu" in front or an emoji."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from models import Member, make_sessionmaker
from tests.support.chat import Chat


async def until_kampung(chat: Chat, name: str = "Siti Aminah") -> None:
    for answer in ("daftar", "ya", name):
        await chat.send(answer)
    assert "kampung mana" in chat.text


async def saved(app: App) -> Member:
    async with make_sessionmaker(app.db).begin() as s:
        member: Member | None = await s.scalar(select(Member))
    assert member is not None
    return member


@pytest.mark.parametrize("typed", ["Kp. Sumberan", "kampung sumberan", "SUMBERAN"])
async def test_kampung_with_a_leading_kampung_word_is_taken_at_once(chat: Chat, typed: str) -> None:
    await until_kampung(chat)
    await chat.send(typed)
    assert "RT/RW" in chat.text


async def test_kampung_with_a_typo_is_asked_once_more(app: App, chat: Chat) -> None:
    await until_kampung(chat)
    await chat.send("sumbran")
    assert "Maksud Ibu kampung Sumberan (Kel. Warung Jaud)?" in chat.text
    await chat.send("iya")
    assert "RT/RW" in chat.text
    for answer in ("3/5", "081234567890", "ya"):
        await chat.send(answer)
    member = await saved(app)
    assert member.kampung is not None and member.kampung.name == "Sumberan"


async def test_a_wrong_guess_goes_back_to_the_kampung_list(chat: Chat) -> None:
    await until_kampung(chat)
    await chat.send("cibenin")
    assert "Cibening" in chat.text
    await chat.send("bukan")
    assert "kampung mana" in chat.text
    await chat.send("jakarta")
    assert "pilih kampung" in chat.text


async def test_a_kampung_typo_when_changing_from_the_summary_is_checked_then_summary(
    chat: Chat,
) -> None:
    await until_kampung(chat)
    for answer in ("Sumberan", "3/5", "081234567890"):
        await chat.send(answer)
    await chat.tap_label("Ubah kampung")
    await chat.send("cibenin")
    assert "Maksud Ibu kampung Cibening" in chat.text
    await chat.send("ya")
    assert "Sudah benar?" in chat.text and "Cibening (Kel. Bendung)" in chat.text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("siti aminah", "Siti Aminah"), ("IBU SITI AMINAH", "Siti Aminah"),
     ("Bu  Siti   Aminah", "Siti Aminah"), ("Siti Aminah 🌸", "Siti Aminah")],
)  # fmt: skip
async def test_names_are_tidied_and_shown_back_in_the_summary(
    app: App, chat: Chat, typed: str, stored: str
) -> None:
    await until_kampung(chat, name=typed)
    for answer in ("Sumberan", "3/5", "081234567890"):
        await chat.send(answer)
    assert f"Nama: {stored}" in chat.text
    await chat.send("simpan")
    assert (await saved(app)).full_name == stored


@pytest.mark.parametrize("typed", ["tidak punya", "gak punya hp", "belum ada", "ndak"])
async def test_no_phone_of_her_own_in_her_words(app: App, chat: Chat, typed: str) -> None:
    """Found trying the demo: "tidak punya" was read as a bad phone number."""
    await until_kampung(chat)
    await chat.send("Sumberan")
    await chat.send("3/5")
    await chat.send(typed)
    assert "Nomor HP: (tidak ada)" in chat.text, chat.text
    await chat.send("simpan")
    member = await saved(app)
    assert member.full_name == "Siti Aminah" and member.phone_e164 is None


async def test_a_phone_number_with_words_is_still_a_number_to_read(chat: Chat) -> None:
    await until_kampung(chat)
    await chat.send("Sumberan")
    await chat.send("3/5")
    await chat.send("hp suami 0812")  # not a "no": read as a number, asked again kindly
    assert "tidak bisa kami baca" in chat.text and "Tidak punya HP sendiri" in chat.labels
