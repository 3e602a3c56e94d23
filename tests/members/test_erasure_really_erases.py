"""UU PDP, "Hapus data saya" that really erases: Wulandari registers on Telegram, signs up
for a posyandu, gets an announcement and her reminders, sends a photo and listens to a
voice note; then she erases her data. Afterwards her name, her phone and her Telegram id
are found nowhere: not in the database file, its -wal and -shm, the inbox and its stored
replies, nor in MEDIA_DIR. On PostgreSQL the same holds for the rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import String, cast, select, update

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_sender import TelegramSender, make_bot
from models import (
    AuditEntry,
    ChannelIdentity,
    ConversationState,
    IdentityMember,
    Kegiatan,
    Member,
    OutboxMessage,
)
from models.base import transaction, utcnow
from models.inbox import InboxMessage
from models.kegiatan.signups import sign_up
from models.outbox.broadcasts import Broadcast, create_broadcast
from models.outbox.tables import enqueue
from models.reminders.kegiatan import ReminderPlan
from models.voice.store import FOLDER as VOICE_FOLDER
from scheduler.dispatcher import Dispatcher
from scheduler.sweeps import kegiatan_reminders_once
from tests.support.attendance import household_of_two
from tests.support.chat import Chat
from tests.support.fakes.kegiatan import kegiatan
from tests.support.fakes.outbox import WIB
from tests.support.fakes.telegram_api import FakeTelegramServer, SentMessage
from tests.support.telegram_harness import TOKEN, TgUser

WULAN = 6400000077
NAME = "Wulandari Kusumawardhani"
PHONE = "0813-9753-1864"
# How her phone may be written anywhere: as typed, as stored (E.164) and its digits.
PHONES = ("0813-9753-1864", "+6281397531864", "81397531864", "813-9753-1864")
PLAN = ReminderPlan(tz=WIB, hours_before=2)


class Wulan(TgUser):
    """Her phone: her Telegram profile name is her own name, as on most phones."""

    async def say(self, text: str, expect: str = "", timeout: float = 5.0) -> list[SentMessage]:
        self.mark = len(self.messages())
        self.fake.inject_message(self.chat_id, text, first_name=NAME)
        return await self._expect(expect, timeout)


async def register_on_telegram(wulan: Wulan) -> None:
    await wulan.say("/start")
    await wulan.say("daftar")
    await wulan.say("ya")
    await wulan.say(NAME)
    await wulan.say("Sumberan")
    await wulan.say("3/5")
    await wulan.say(PHONE)
    await wulan.say("simpan", expect=NAME.split()[0])


async def her_member_id(app: App) -> int:
    async with app.sessions() as s:
        found = await s.scalar(select(Member.id).where(Member.full_name == NAME))
    assert found is not None
    return found


async def send_the_outbox(app: App, fake: FakeTelegramServer) -> None:
    """Every queued row goes out through the real Telegram sender to the fake Bot API."""
    async with transaction(app.sessions) as s:
        await s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "queued")
            .values(not_before=utcnow() - timedelta(seconds=1))
        )
    async with make_bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url) as bot:
        sender = TelegramSender(bot, max_rate=30.0, per_chat_interval=0.0)
        dispatcher = Dispatcher(app.sessions, [sender], tz=WIB, quiet_hours=None)
        try:
            for _ in range(20):
                await dispatcher.run_once()
                async with app.sessions() as s:
                    waiting = await s.scalar(
                        select(OutboxMessage.id).where(
                            OutboxMessage.status.in_(("queued", "sending"))
                        )
                    )
                if waiting is None:
                    return
        finally:
            await dispatcher.close()  # its advisory-lock connection (PostgreSQL)
    raise AssertionError("the outbox never emptied")


def secrets() -> list[bytes]:
    words = [NAME, NAME.split()[1], str(WULAN), *PHONES]
    return [w.encode() for w in words] + [w.encode("utf-16-le") for w in words]


def found_in(path: Path) -> list[str]:
    data = path.read_bytes()
    return [s.decode("utf-8", "replace") for s in secrets() if s in data]


async def test_after_her_erasure_nothing_anywhere_names_her(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    wulan = Wulan(fake, WULAN, telegram)
    await register_on_telegram(wulan)
    member = await her_member_id(app)

    # She signs up for the posyandu, an announcement goes out, and her reminders.
    kid = await kegiatan(app, "Posyandu Melati", kuota=10, days=1)
    async with transaction(app.sessions) as s:
        await sign_up(s, kid, member, utcnow())
        await create_broadcast(
            s, text="Besok ada pemeriksaan gratis di balai RW 05.", audience={"kind": "all"},
            actor="test",
        )  # fmt: skip
    async with app.sessions() as s:
        starts = (await s.get_one(Kegiatan, kid)).starts_at
    await kegiatan_reminders_once(app.sessions, starts - timedelta(hours=1), PLAN)
    await send_the_outbox(app, fake)
    async with app.sessions() as s:
        sent = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.member_id == member)))
    assert {r.kind for r in sent} >= {"announcement"} and len(sent) >= 2
    assert all(r.status == "sent" for r in sent)

    # A photo with her name in its caption, and a voice note of a message naming her.
    wulan.mark = len(wulan.messages())
    fake.inject_photo(WULAN, caption=f"KK {NAME}", first_name=NAME)
    await wulan._expect("")
    await wulan.say("ubah data", expect=NAME)
    await wulan.say("dengar")
    media_dir: Path = app.engine.config.media_dir
    voices = list((media_dir / VOICE_FOLDER).glob("*.ogg"))
    assert voices, "she heard a voice note"

    # She erases her data.
    await wulan.say("menu")
    await wulan.say("hapus data saya", expect="Hapus data")
    await wulan.tap("Ya, hapus", expect="sudah dihapus")
    await telegram.wait_idle()

    async with app.sessions() as s:
        erased = await s.get_one(Member, member)
        assert erased.erased and erased.full_name is None and erased.phone_e164 is None
        # Her chat is gone (it served nobody else), and with it her conversation state.
        chats = await s.scalars(select(ChannelIdentity.external_id))
        assert str(WULAN) not in list(chats)
        assert await s.scalar(select(ConversationState.identity_id).where(
            ConversationState.active_member_id == member)) is None  # fmt: skip
        # Her outbox rows stay for the counts, but no longer say whom or what.
        rows = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(
            [r.id for r in sent]))))  # fmt: skip
        assert [(r.member_id, r.identity_id, r.params) for r in rows] == [(None, None, {})] * len(
            sent
        )
        # The audit log names her anonymous row only, never a chat.
        entries = list(await s.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "member", AuditEntry.object_id == str(member))))  # fmt: skip
        assert {e.action for e in entries} >= {"member.register", "member.erase"}
        assert {e.actor for e in entries} == {f"member:{member}"}
        # The inbox: no update of hers, no reply to her, no trace of her chat.
        inbox = [(r.chat, str(r.payload)) for r in await s.scalars(select(InboxMessage))]
        assert all(chat != str(WULAN) for chat, _ in inbox)
        for word in (NAME, *PHONES):
            assert not any(word in payload for _, payload in inbox), word
            for table, column in (
                (OutboxMessage, OutboxMessage.params),
                (ConversationState, ConversationState.offered),
                (ConversationState, ConversationState.data),
            ):
                hit = await s.scalar(select(table).where(cast(column, String).contains(word)))
                assert hit is None, (table.__tablename__, word)

    # No voice note is left that could say her name, nor any file naming her.
    assert not list((media_dir / VOICE_FOLDER).glob("*.ogg"))
    for path in media_dir.rglob("*"):
        if path.is_file():
            assert not found_in(path), path

    database = app.db.url.database
    if app.db.dialect.name == "sqlite" and database:
        files = [Path(database), Path(f"{database}-wal"), Path(f"{database}-shm")]
        for path in files:
            if path.exists():
                assert not found_in(path), (path.name, found_in(path))

    # Should she write again, she is a new chat: asked to register, knowing nobody.
    await wulan.say("menu", expect="Menu utama")
    assert any("Daftar" in label for label in wulan.keyboard_labels()), wulan.keyboard_labels()
    async with app.sessions() as s:
        again = await s.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == str(WULAN))
        )
        assert again is not None
        links = select(IdentityMember.member_id).where(IdentityMember.identity_id == again.id)
        assert list(await s.scalars(links)) == []


async def test_on_a_shared_phone_her_erasure_keeps_the_chat_for_the_other_mother(
    app: App,
) -> None:
    phone = Chat(app.engine, identity="tg-rumah-7")
    await household_of_two(phone, "Siti Aminah", "Dewi Lestari")
    await phone.send("menu")
    await phone.tap_label("Ganti ibu")
    await phone.tap_label("Siti Aminah")
    async with transaction(app.sessions) as s:
        siti = await s.scalar(select(Member.id).where(Member.full_name == "Siti Aminah"))
        dewi = await s.scalar(select(Member.id).where(Member.full_name == "Dewi Lestari"))
        chat = await s.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == "tg-rumah-7")
        )
        assert siti and dewi and chat
        await enqueue(
            s, identity_id=chat.id, channel=chat.channel, kind="announcement", member_id=siti,
            params={"text": "Pengingat untuk Siti Aminah: posyandu besok.", "lang": "id"},
            idempotency_key="reminder-siti",
        )  # fmt: skip
        s.add(Broadcast(actor="test", text="Selamat untuk Ibu Siti Aminah, juara lomba!",
                        audience={"kind": "all"}, status="sent"))  # fmt: skip
    await phone.send("hapus data saya")
    assert "Hapus data Siti Aminah?" in phone.text
    await phone.send("ya")
    assert "sudah dihapus" in phone.text
    async with app.sessions() as s:
        kept = await s.get(ChannelIdentity, chat.id)
        links = select(IdentityMember.member_id).where(IdentityMember.identity_id == chat.id)
        serves = list(await s.scalars(links))
        row = await s.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "reminder-siti")
        )
        registered = select(AuditEntry).where(AuditEntry.action == "member.register")
        actors = {e.object_id: e.actor for e in await s.scalars(registered)}
        state = await s.get_one(ConversationState, chat.id)
        announced = list(await s.scalars(select(Broadcast.text)))
    # The phone stays for Dewi; nothing more goes out about Siti, and what was queued is empty.
    assert kept is not None and serves == [dewi]
    assert row is not None and (row.status, row.member_id, row.params) == ("skipped", None, {})
    # Siti's registration no longer says which chat she used; Dewi's still does.
    assert actors == {str(siti): f"member:{siti}", str(dewi): f"{chat.channel}-identity:{chat.id}"}
    assert "Siti Aminah" not in f"{state.data} {state.offered}"
    assert announced == [""]  # the announcement that named her lost its text
