"""Bad input at every registration step: a kind message, the step and her answers kept."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import App
from handlers.core.i18n import t
from handlers.core.types import Kind
from tests.support.chat import Chat
from tests.support.lookups import state_of

STEPS = ["consent", "name", "kampung", "rtrw", "phone", "summary"]
GOOD = {"consent": "ya", "name": "Siti Aminah", "kampung": "2", "rtrw": "3/5",
        "phone": "081234567890", "summary": "simpan"}  # fmt: skip

TEXT_CASES = {
    "empty text": "",
    "emoji only": "😀🙏🌸",
    "5,000 characters": "a" * 5000,
    "a number where a name is expected": "12345",
    "an SQL fragment": "Robert'); DROP TABLE members;--",
    "an HTML fragment": "<b>Siti</b><script>alert(1)</script>",
}
OTHER_KINDS = [Kind.PHOTO, Kind.VOICE, Kind.STICKER, Kind.DOCUMENT, Kind.LOCATION]


async def reach(chat: Chat, step: str) -> None:
    await chat.send("daftar")
    for s in STEPS[: STEPS.index(step)]:
        await chat.send(GOOD[s])


async def check_kept(app: App, chat: Chat, before: tuple[Any, ...], case: str) -> None:
    after = await state_of(app, chat.identity)
    assert after == before, f"{case}: state changed from {before} to {after}"
    assert chat.replies, f"{case}: no answer at all"
    text = chat.text
    assert text and text != t("id", "common.error"), f"{case}: got {text!r}"
    assert len(chat.replies[0].text) < 400, f"{case}: message too long to read"


@pytest.mark.parametrize("step", STEPS)
async def test_bad_input_at_every_step_keeps_the_step_and_her_answers(
    app: App, chat: Chat, step: str
) -> None:
    await reach(chat, step)
    before = await state_of(app, chat.identity)
    assert before[1] == step

    for case, text in TEXT_CASES.items():
        await chat.send(text)
        await check_kept(app, chat, before, case)
    for kind in OTHER_KINDS:
        await chat.send_kind(kind)
        await check_kept(app, chat, before, kind.value)
    await chat.share_contact("+6289911112222", user_id="someone-else")
    await check_kept(app, chat, before, "someone else's contact")
    await chat.tap("s:unknown-choice")
    await check_kept(app, chat, before, "unknown choice id")
    assert "tidak berlaku" in chat.text
    await chat.tap("a:no-such-action:1")
    await check_kept(app, chat, before, "unknown action id")

    # Everything she gave is still there: finishing from here saves a complete member.
    for s in STEPS[STEPS.index(step) :]:
        await chat.send(GOOD[s])
    assert "Siti Aminah sudah terdaftar" in chat.text


EXPECTED = [
    ("name", "12345", "angka"),
    ("name", "😀🙏", "huruf"),
    ("name", "a" * 5000, "terlalu panjang"),
    ("name", "<b>Siti</b>", "hanya boleh berisi huruf"),
    ("name", "", "belum diisi"),
    ("rtrw", "tiga", "Contoh: 3/5"),
    ("rtrw", "0/5", "mulai dari 1"),
    ("phone", "0254 200123", "telepon rumah"),
    ("phone", "+14155552671", "nomor HP Indonesia"),
    ("phone", "08123", "tidak bisa kami baca"),
    ("kampung", "Jakarta", "pilih kampung"),
    ("consent", "mungkin", "ya atau tidak"),
]


@pytest.mark.parametrize(("step", "text", "expected"), EXPECTED)
async def test_each_bad_answer_says_what_is_needed(
    app: App, chat: Chat, step: str, text: str, expected: str
) -> None:
    await reach(chat, step)
    await chat.send(text)
    assert expected in chat.text


async def test_a_name_too_long_is_refused_not_cut(app: App, chat: Chat) -> None:
    await reach(chat, "name")
    await chat.send("Siti " + "a" * 80)
    assert "terlalu panjang" in chat.text
    assert (await state_of(app, chat.identity))[1] == "name"


async def test_bad_input_messages_come_in_her_language(app: App, chat: Chat) -> None:
    await chat.send("language")
    await chat.send("English")
    await reach(chat, "name")
    await chat.send("12345")
    assert "cannot contain numbers" in chat.text
    await chat.send_kind(Kind.VOICE)
    assert "type your full name" in chat.text


async def test_names_are_stored_tidied_spaces_squeezed(app: App, chat: Chat) -> None:
    await reach(chat, "name")
    await chat.send("   Hj. Siti  Nur'aini   ")
    _, step, data = await state_of(app, chat.identity)
    assert step == "kampung" and data["form"]["full_name"] == "Hj. Siti Nur'aini"
