"""Stories about the moments that go wrong: an erasure question left unanswered while a
notice arrives, a stale or forged button, a shared phone, a greeting, a keycap digit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.core.types import Incoming, Kind
from models import Member, OutboxMessage, make_sessionmaker, utcnow
from models.people.members import ensure_identity
from tests.support.chat import Chat, register


async def delivered_notice(
    app: App, chat: Chat, choices: list[dict[str, str]] | None = None
) -> None:
    """A proactive message the outbox delivered to this chat just now."""
    async with make_sessionmaker(app.db).begin() as s:
        identity_id = await ensure_identity(s, chat.channel, chat.identity)
        params: dict[str, object] = {"text": "Posyandu besok pagi", "lang": "id"}
        if choices:
            params["choices"] = choices
        s.add(
            OutboxMessage(
                identity_id=identity_id,
                channel=chat.channel,
                kind="announcement",
                params=params,
                idempotency_key=uuid.uuid4().hex,
                status="sent",
                sent_at=utcnow(),
            )
        )


async def names(app: App) -> list[str | None]:
    async with make_sessionmaker(app.db).begin() as s:
        return list(await s.scalars(select(Member.full_name).order_by(Member.id)))


@pytest.mark.parametrize("answer", ["ok", "1", "ya"])
async def test_erasure_left_unanswered_then_a_notice_then_ok_asks_again(
    app: App, chat: Chat, answer: str
) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("hapus data saya")
    assert "Hapus data Siti Aminah?" in chat.text
    await delivered_notice(app, chat)
    await chat.send(answer)
    assert await names(app) == ["Siti Aminah"]  # not erased by an ambiguous "ok"
    assert "perlu dijawab lagi" in chat.text and "Hapus data Siti Aminah?" in chat.text
    await chat.send("ya")  # now fresh: the next message, nothing in between
    assert await names(app) == [None]
    assert "sudah dihapus" in chat.text


async def test_erasure_answered_after_the_window_is_asked_again(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("hapus data saya")
    late = Incoming(
        channel=chat.channel,
        identity=chat.identity,
        message_id="late-1",
        kind=Kind.TEXT,
        text="ya",
        received_at=utcnow() + timedelta(minutes=11),
    )
    await chat.deliver(late)
    assert await names(app) == ["Siti Aminah"]
    assert "perlu dijawab lagi" in chat.text


async def test_an_old_erasure_button_only_shows_the_question_again(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("hapus data saya")
    old_yes = chat.choice("Ya, hapus").id
    await chat.send("bantuan")  # the question is shown again, with a new token
    await chat.tap(old_yes)
    assert await names(app) == ["Siti Aminah"]
    assert "Hapus data Siti Aminah?" in chat.text


async def test_batal_on_the_erasure_question_says_her_data_stays(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("hapus data saya")
    await chat.send("gak jadi")
    assert "data Siti Aminah tidak dihapus" in chat.text
    assert await names(app) == ["Siti Aminah"]


@pytest.mark.parametrize("yes", ["ya", "iya", "sudah", "benar", "sip", "ok", "yes", "Sudah benar"])
async def test_sudah_benar_at_the_end_of_registration_takes_everyday_yes(
    app: App, chat: Chat, yes: str
) -> None:
    for answer in ("daftar", "ya", "Siti Aminah", "Sumberan", "3/5", "081234567890"):
        await chat.send(answer)
    assert "Sudah benar?" in chat.text
    await chat.send(yes)
    assert "Siti Aminah sudah terdaftar" in chat.text


@pytest.mark.parametrize(
    "forged", ["a:mb.use:99999999999999999999", "a:mb.use:²", "a:mb.use:-1", "a:use:١٢"]
)
async def test_forged_member_ids_are_not_found_not_errors(chat: Chat, forged: str) -> None:
    await register(chat, name="Siti Aminah")
    await chat.tap(forged)
    assert "tidak dikenal" in chat.text and "gangguan" not in chat.text


@pytest.mark.parametrize("greeting", ["Assalamualaikum", "halo", "Selamat pagi", "selamat sore"])
async def test_greetings_get_a_greeting_and_the_menu(chat: Chat, greeting: str) -> None:
    await chat.send(greeting)
    assert "Halo" in chat.text and "Menu utama" in chat.text
    assert "belum mengerti" not in chat.text


async def test_a_keycap_digit_picks_from_the_menu(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("1️⃣")
    assert "setuju" in chat.text  # "Daftar" started


async def test_one_after_a_notice_without_buttons_does_not_run_the_old_menu(
    app: App, chat: Chat
) -> None:
    await chat.send("/start")  # the menu: 1 is "Daftar"
    await delivered_notice(app, chat)
    await chat.send("1")
    assert "setuju" not in chat.text  # no registration started by a stale number
    assert "Menu utama" in chat.text


async def test_one_after_a_notice_with_buttons_is_that_notices_first_button(
    app: App, chat: Chat
) -> None:
    await chat.send("/start")
    await delivered_notice(app, chat, [{"id": "a:core.help", "key": "menu.help"}])
    await chat.send("1")
    assert "Cara memakai layanan ini" in chat.text


async def test_shared_phone_erasure_names_the_mother_it_erases(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("daftar")
    await chat.tap_label("Ibu lain")
    for answer in ("ya", "Nur Halimah", "Sumberan", "2/2", "Tidak punya HP sendiri", "simpan"):
        await chat.send(answer)
    await chat.send("hapus data saya")
    assert "Hapus data Nur Halimah?" in chat.text
    await chat.send("ya")
    assert await names(app) == ["Siti Aminah", None]
