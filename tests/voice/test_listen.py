"""Stories of "Dengarkan": a mother hears the message under which she tapped, or the last one
when she types "dengar"; listening moves no flow and keeps a confirmation fresh; a long
message comes in parts; a failed voice gives the text back; a slow voice does not hold up
another chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import soundfile  # type: ignore[import-untyped]

from bot.app import App
from handlers.core.delivery import render_outbox
from handlers.core.types import Incoming, Kind, Reply
from handlers.voice.notes import screen_of, shared_notes
from models import OutboxMessage, make_sessionmaker, utcnow
from tests.support.chat import Chat, register
from tests.support.voice import (
    Gate,
    broken_voice,
    delivered,
    engine_with,
    names_of,
    notes_in,
    state_version,
    voice_paths,
)


def voices(replies: list[Reply]) -> list[Reply]:
    return [r for r in replies if r.voice is not None]


async def test_a_mother_taps_dengarkan_and_hears_her_last_message(app: App, chat: Chat) -> None:
    await register(chat)
    last = chat.replies[-1]
    assert last.listen is not None and last.listen.label == "🔊 Dengarkan"
    # Not one of the numbered choices: "1" still picks the first menu entry.
    assert last.listen.id not in [c.id for c in last.choices]
    answer = [r for r in chat.replies if r.text]
    replies = await chat.tap(last.listen.id)
    [note] = replies
    assert note.voice is not None and note.text == ""
    info = soundfile.info(str(note.voice))
    assert (info.format, info.subtype) == ("OGG", "OPUS") and info.samplerate <= 16_000
    today = utcnow().astimezone(app.engine.config.tz).date()
    notes = shared_notes(app.engine.config.media_dir)
    assert [note.voice] == voice_paths(notes, [screen_of(r) for r in answer], today)


async def test_the_word_dengar_moves_no_flow(app: App, chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("daftar")
    await chat.send("ya")
    assert "nama lengkap" in chat.text
    version = await state_version(app, chat)
    for word in ("dengar", "Dengarkan", "🔊 Dengarkan"):
        replies = await chat.deliver(
            Incoming(
                channel=chat.channel, identity=chat.identity, message_id=word, kind=Kind.TEXT,
                text=word, received_at=utcnow() + timedelta(seconds=10 * len(word)),
            )
        )  # fmt: skip
        assert [r.voice is not None for r in replies] == [True]
    # Her state was not written: the name question is still the one she answers.
    assert await state_version(app, chat) == version
    await chat.send("Siti Aminah")
    assert "kampung mana" in chat.text
    assert await names_of(app) == []  # "dengar" was not taken as her name


async def test_listening_keeps_a_pending_confirmation_fresh(app: App, chat: Chat) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("hapus data saya")
    assert "Hapus data Siti Aminah?" in chat.text
    question = chat.replies[-1]
    assert question.listen is not None
    assert voices(await chat.tap(question.listen.id))
    await chat.send("ya")  # still fresh: listening was no answer and nothing was delivered
    assert "sudah dihapus" in chat.text
    assert await names_of(app) == [None]


async def test_dengarkan_under_a_delivered_message_speaks_that_message(
    app: App, chat: Chat
) -> None:
    await register(chat)
    row_id = await delivered(app, chat, "Posyandu besok pagi pukul 08.00 WIB di balai RW 05.")
    async with make_sessionmaker(app.db).begin() as s:
        row = await s.get_one(OutboxMessage, row_id)
        shown = render_outbox(row)
    assert shown.listen is not None and shown.listen.id == f"a:vc.listen:o{row_id}"
    # She answered since (a menu), then taps under the announcement: she hears it.
    await chat.send("menu")
    [note] = await chat.tap(shown.listen.id)
    today = utcnow().astimezone(app.engine.config.tz).date()
    notes = shared_notes(app.engine.config.media_dir)
    assert [note.voice] == voice_paths(notes, [screen_of(shown)], today)


async def test_a_forged_listen_button_names_nothing(app: App, chat: Chat) -> None:
    await register(chat)
    other = Chat(app.engine, identity="tg-2002")
    row_id = await delivered(app, other, "Untuk Ibu Dewi: jadwal imunisasi.")
    replies = await chat.tap(f"a:vc.listen:o{row_id}")
    assert not voices(replies)
    assert replies[0].text == "Belum ada pesan untuk didengarkan."


async def test_typed_dengar_after_a_notice_speaks_the_notice(app: App, chat: Chat) -> None:
    await register(chat)
    row_id = await delivered(app, chat, "Kegiatan penyuluhan KB dipindah ke Kamis.")
    async with make_sessionmaker(app.db).begin() as s:
        shown = render_outbox(await s.get_one(OutboxMessage, row_id))
    [note] = await chat.send("dengar")
    today = utcnow().astimezone(app.engine.config.tz).date()
    notes = shared_notes(app.engine.config.media_dir)
    assert [note.voice] == voice_paths(notes, [screen_of(shown)], today)


async def test_a_long_message_comes_in_parts_that_each_make_sense(app: App, chat: Chat) -> None:
    await register(chat)
    paragraph = (
        "Ibu-ibu, kegiatan penyuluhan gizi balita diadakan di posyandu Melati. Bawa buku KIA "
        "dan timbang balita Ibu. Ada makanan tambahan untuk anak di bawah lima tahun."
    )
    text = "\n".join([paragraph] * 6)
    row_id = await delivered(app, chat, text)
    async with make_sessionmaker(app.db).begin() as s:
        shown = screen_of(render_outbox(await s.get_one(OutboxMessage, row_id)))
    notes = notes_in(app)
    engine = engine_with(app, notes)
    replies = await Chat(engine, identity=chat.identity).tap(f"a:vc.listen:o{row_id}")
    parts = voices(replies)
    assert len(parts) >= 2
    assert [r.text for r in parts] == [f"🔊 Bagian {n} dari {len(parts)}" for n in
                                       range(1, len(parts) + 1)]  # fmt: skip
    today = utcnow().astimezone(app.engine.config.tz).date()
    spoken_parts = notes.parts([shown], "id", today)
    assert all(len(p) <= 600 and p.endswith(".") for p in spoken_parts)
    assert [r.voice for r in parts] == voice_paths(notes, [shown], today)
    seconds = [soundfile.info(str(r.voice)).duration for r in parts]
    assert all(s > 5 for s in seconds)


async def test_a_failed_voice_gives_the_text_again_with_an_apology(app: App, chat: Chat) -> None:
    await register(chat)
    row_id = await delivered(app, chat, "Posyandu besok pagi.")
    engine = engine_with(app, notes_in(app, broken_voice))
    replies = await Chat(engine, identity=chat.identity).tap(f"a:vc.listen:o{row_id}")
    assert not voices(replies)
    assert replies[-1].text.startswith("Maaf, pesan suaranya tidak bisa dibuat.")
    assert "Posyandu besok pagi." in replies[-1].text


async def test_a_slow_voice_does_not_delay_another_chats_reply(app: App) -> None:
    gate = Gate()
    engine = engine_with(app, notes_in(app, gate.backend))
    siti, dewi = Chat(engine, identity="tg-siti"), Chat(engine, identity="tg-dewi")
    await register(siti, name="Siti Aminah")
    await register(dewi, name="Dewi Lestari")
    listening = asyncio.create_task(siti.send("dengar"))
    try:
        await gate.wait_entered()  # Siti's voice note is being made, and waits
        # Dewi writes meanwhile (a database write on SQLite's writer gate too): answered.
        await dewi.send("menu")
        assert "Menu utama" in dewi.text
        await dewi.send("2")
        assert dewi.replies and not listening.done()
    finally:
        gate.release.set()
    replies = await listening
    assert [r.voice is not None for r in replies] == [True]


async def test_an_old_dengarkan_button_speaks_the_latest_message(app: App, chat: Chat) -> None:
    await register(chat)
    old = chat.replies[-1].listen
    assert old is not None
    await chat.send("lainnya")
    latest = [r for r in chat.replies if r.text]
    replies = await chat.tap(old.id)
    assert replies[0].text == "Pesan itu sudah lewat. Ini pesan yang terakhir."
    today = utcnow().astimezone(app.engine.config.tz).date()
    notes = shared_notes(app.engine.config.media_dir)
    assert [r.voice for r in voices(replies)] == voice_paths(
        notes, [screen_of(r) for r in latest], today
    )
