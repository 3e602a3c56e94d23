"""Stories of an admin writing announcements in chat: to a kampung, to everyone, later;
cancelling, the delivery report, photos, every kind of bad answer, and people who are
not admins trying to get in (by the menu, by typing, by forging a choice id)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import App
from handlers.core.delivery import Blocked, Failed
from handlers.core.i18n import format_datetime_local
from handlers.core.media import (
    MAX_PHOTO_BYTES,
    MediaDownloadError,
    register_downloader,
    unregister_downloader,
)
from handlers.core.types import Kind, Media
from models import AuditEntry, ChannelIdentity, Member, utcnow
from models.base import transaction
from models.kegiatan.admin import create_kegiatan, publish
from models.kegiatan.signups import cancel_signup, sign_up
from models.outbox.broadcasts import (
    MAX_BROADCAST_TEXT,
    Broadcast,
    audience_recipients,
    check_audience,
    count_audience,
    sweep_broadcasts,
)
from models.outbox.tables import OutboxMessage
from models.people.roles import grant_admin, revoke_admin
from tests.support.chat import Chat, register
from tests.support.fakes.clock import FakeClock
from tests.support.fakes.kegiatan import draft
from tests.support.fakes.outbox import RecordingSender, add_member, dispatcher, kampung_ids, link
from tests.support.lookups import state_of

WIB = ZoneInfo("Asia/Jakarta")
ADMIN = "tg-admin"
NOT_ALLOWED = "hanya untuk petugas"
STALE = "sudah tidak berlaku"


@dataclass
class Village:
    """Who lives where: chat (identity) ids by name, and the members behind them."""

    chats: dict[str, int]
    members: dict[str, int]


async def admin_chat(app: App, identity: str = ADMIN) -> Chat:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "test", identity, actor="test")
    return Chat(app.engine, identity=identity)


async def village(app: App) -> Village:
    """Sumberan: ibu A; ibu B and C sharing one phone; ibu D without a phone; kader K; ibu H
    erased. Cibening: ibu E; ibu F opted out; ibu G whose chat blocked the bot.
    A and E have not been active for 60 days / ever; everyone else was active yesterday."""
    now = utcnow()
    recent, old = now - timedelta(days=1), now - timedelta(days=60)
    chats: dict[str, int] = {}
    members: dict[str, int] = {}
    async with transaction(app.sessions) as s:
        place = await kampung_ids(s)
        sumberan, cibening = place["Sumberan"], place["Cibening"]
        people: list[tuple[str, str | None, int, str, datetime | None]] = [
            ("A", "tg-a", sumberan, "ibu", old),
            ("B", "tg-bc", sumberan, "ibu", recent),
            ("D", None, sumberan, "ibu", recent),
            ("K", "tg-k", sumberan, "kader", recent),
            ("H", "tg-h", sumberan, "ibu", recent),
            ("E", "tg-e", cibening, "ibu", None),
            ("F", "tg-f", cibening, "ibu", recent),
            ("G", "tg-g", cibening, "ibu", recent),
        ]
        for name, chat, kampung, role, active in people:
            members[name], identity = await add_member(
                s, chat, role=role, kampung_id=kampung, last_active_at=active
            )
            if chat is not None:
                chats[name] = identity
        members["C"], _ = await add_member(s, None, kampung_id=sumberan, last_active_at=recent)
        await link(s, members["C"], "tg-bc")
        chats["C"] = chats["B"]
        await s.execute(
            update(Member).where(Member.id == members["H"]).values(erased_at=now, full_name=None)
        )
        flags: dict[str, dict[str, Any]] = {
            "F": {"announcements_opted_out": True},
            "G": {"unreachable": True},
        }
        for name, values in flags.items():
            await s.execute(
                update(ChannelIdentity).where(ChannelIdentity.id == chats[name]).values(**values)
            )
    return Village(chats, members)


def recipients(text: str) -> int:
    found = re.search(r"Penerima: (\d+) HP", text)
    assert found, text
    return int(found[1])


def going_out(app: App, broadcast_id: int, count: int) -> str:
    """What the admin is told after "Kirim sekarang": it is being sent, or (in the quiet
    hours the test run may fall in) it waits in the queue, never both."""
    quiet = app.engine.config.quiet_hours
    if quiet is not None and quiet.active(utcnow()):
        return f"Pengumuman #{broadcast_id} untuk {count} HP menunggu di antrean"
    return f"Pengumuman #{broadcast_id} sedang dikirim ke {count} HP"


def waiting(app: App) -> str:
    """The status of an announcement nothing of which has gone out yet."""
    quiet = app.engine.config.quiet_hours
    if quiet is not None and quiet.active(utcnow()):
        return f"menunggu jam tenang selesai (pukul {quiet.end.strftime('%H.%M')})"
    return "menunggu giliran dikirim"


async def start(chat: Chat, text: str = "Besok posyandu di balai warga jam 9.") -> None:
    await chat.send("menu")
    await chat.tap_label("Kirim pengumuman")
    assert "Tulis isi pengumuman" in chat.text
    await chat.send(text)
    assert "untuk siapa" in chat.text


async def outbox(app: App) -> list[OutboxMessage]:
    async with app.sessions() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def broadcasts(app: App) -> list[Broadcast]:
    async with app.sessions() as s:
        return list(await s.scalars(select(Broadcast).order_by(Broadcast.id)))


async def audits(app: App, action: str) -> list[AuditEntry]:
    async with app.sessions() as s:
        return list(await s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- sending --------------------------------------------------------------------------------


async def test_an_admin_sends_an_announcement_to_a_kampung_one_message_per_chat(
    app: App,
) -> None:
    v = await village(app)
    admin = await admin_chat(app)
    typed = "Besok posyandu di balai warga jam 9.\nBawa buku KIA ya, Bu."
    await start(admin, typed)
    await admin.tap_label("Kampung tertentu")
    await admin.tap_label("Sumberan")
    assert "Sudah dipilih: Sumberan" in admin.text
    await admin.tap_label("Selesai")
    # The preview: the message as a mother sees it, then who and how many.
    assert admin.replies[0].text == "📢 Pengumuman P2WKSS\n\n" + typed
    assert "Untuk: Kampung Sumberan" in admin.text
    # A, the phone B and C share, and the kader; not D (no phone) nor H (erased).
    assert recipients(admin.text) == 3
    assert admin.labels[:2] == ["Kirim sekarang", "Kirim nanti"]
    await admin.tap_label("Kirim sekarang")
    assert going_out(app, 1, 3) in admin.text
    assert "Lihat laporan" in admin.labels

    rows = await outbox(app)
    assert sorted(r.identity_id or 0 for r in rows) == sorted(
        [v.chats["A"], v.chats["B"], v.chats["K"]]
    )
    assert {r.params["text"] for r in rows} == {typed}
    assert {r.kind for r in rows} == {"announcement"} and {r.broadcast_id for r in rows} == {1}
    shared = next(r for r in rows if r.identity_id == v.chats["B"])
    assert shared.member_id == v.members["B"]
    [entry] = await audits(app, "broadcast.create")
    admin_member = await _admin_member(app)
    assert (entry.actor, entry.actor_member_id, entry.object_id) == (
        f"member:{admin_member}",
        admin_member,
        "1",
    )
    assert "Ibu" not in str(entry.detail) and typed not in str(entry.detail)
    assert (await state_of(app, ADMIN))[0] is None


async def _admin_member(app: App) -> int:
    async with app.sessions() as s:
        [member_id] = await s.scalars(select(Member.id).where(Member.role == "admin"))
    return member_id


async def test_the_preview_counts_match_what_goes_out_for_every_audience(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    async with app.sessions() as s:
        place = await kampung_ids(s)
    cases: list[tuple[list[str], dict[str, Any], int]] = [
        (["Semua anggota"], {"kind": "all"}, 5),  # A, B/C, K, E and the admin herself
        (["Ibu binaan saja"], {"kind": "ibu"}, 3),
        (["Kader saja"], {"kind": "kader"}, 1),
        (["Kampung tertentu", "Cibening", "Selesai"], {"kind": "kampung", "kampung_ids": []}, 1),
        (["Yang lama tidak aktif", "30"], {"kind": "inactive", "days": 30}, 2),
    ]
    for steps, audience, expected in cases:
        await start(admin)
        for step in steps:
            await (admin.send(step) if step.isdigit() else admin.tap_label(step))
        if audience["kind"] == "kampung":
            audience["kampung_ids"] = [place["Cibening"]]
        async with app.sessions() as s:
            counted = await count_audience(s, audience)
        assert recipients(admin.text) == counted == expected, steps
        await admin.tap_label("Batal")
        assert "tidak dikirim" in admin.text
    assert await outbox(app) == []

    await start(admin)
    await admin.tap_label("Yang lama tidak aktif")
    await admin.send("tiga puluh")
    assert recipients(admin.text) == 2
    await admin.tap_label("Kirim sekarang")
    assert {r.identity_id for r in await outbox(app)} == {
        c.id for c in await _chats(app, "tg-a", "tg-e")
    }


async def _chats(app: App, *external: str) -> list[ChannelIdentity]:
    async with app.sessions() as s:
        found = await s.scalars(
            select(ChannelIdentity).where(ChannelIdentity.external_id.in_(external))
        )
        return list(found)


async def test_several_kampung_by_tapping_and_typing(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin)
    await admin.send("2")  # a button's number works too: 2 is "Ibu binaan saja"
    assert "Untuk: Ibu binaan" in admin.text
    await admin.tap_label("Ubah penerima")
    await admin.tap_label("Kampung tertentu")
    await admin.send("sumberan dan Cibening")
    assert "Sudah dipilih: Cibening, Sumberan" in admin.text
    await admin.tap_label("Sumberan")  # a second tap takes it off
    assert admin.text.endswith("Sudah dipilih: Cibening")
    await admin.send("Sumberan")
    await admin.send("selesai")
    assert "Untuk: Kampung Cibening, Sumberan" in admin.text
    assert recipients(admin.text) == 4


# --- later, cancel, report ------------------------------------------------------------------


def _tomorrow_at_nine() -> datetime:
    today = utcnow().astimezone(WIB).date()
    return datetime.combine(today + timedelta(days=1), time(9), tzinfo=WIB)


async def test_scheduled_for_tomorrow_then_cancelled_sends_nothing_at_its_time(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin, "Lomba P2WKSS: penilaian hari Kamis.")
    await admin.tap_label("Semua anggota")
    await admin.tap_label("Kirim nanti")
    assert "Kapan pengumuman dikirim" in admin.text
    await admin.send("besok jam 9")
    at = _tomorrow_at_nine()
    shown = format_datetime_local(at, "id", WIB)
    assert shown.endswith("pukul 09.00 WIB") and shown in admin.text
    assert "ke 5 HP" in admin.text
    await admin.tap_label("Ya, jadwalkan")
    assert f"Pengumuman #1 dijadwalkan {shown}" in admin.text
    [b] = await broadcasts(app)
    assert (b.status, b.scheduled_at, b.recipient_count) == ("scheduled", at, 5)
    assert await outbox(app) == []

    # Later she opens the list and cancels it.
    await admin.send("menu")
    await admin.tap_label("Pengumuman terjadwal / terkirim")
    assert "#1" in admin.text and shown in admin.text and "Lomba P2WKSS" in admin.text
    await admin.tap_label("Batalkan #1")
    assert "Batalkan pengumuman #1" in admin.text
    await admin.tap_label("Ya, batalkan")
    assert "Pengumuman #1 dibatalkan" in admin.text
    await admin.tap("a:bc_cancel:1:ya")  # a second tap on the old button
    assert "sudah dibatalkan" in admin.text

    async with transaction(app.sessions) as s:
        assert (await sweep_broadcasts(s, at)).enqueued == []
    assert await outbox(app) == []
    [b] = await broadcasts(app)
    assert b.status == "cancelled"
    assert len(await audits(app, "broadcast.cancel")) == 1


async def test_the_delivery_report_shows_sent_failed_blocked_opted_out_and_queued(
    app: App,
) -> None:
    v = await village(app)
    admin = await admin_chat(app)
    async with transaction(app.sessions) as s:
        # One more mother, on another channel whose sender is not running: stays queued.
        place = await kampung_ids(s)
        await add_member(s, "wa-1", kampung_id=place["Cibening"], channel="whatsapp")
        await add_member(s, "tg-new", kampung_id=place["Cibening"])
    await start(admin, "Pelatihan UP2K hari Sabtu.")
    await admin.tap_label("Ibu binaan saja")
    assert recipients(admin.text) == 5
    await admin.tap_label("Kirim sekarang")
    # E says BERHENTI after it was queued; A's chat has blocked the bot; B's send fails.
    async with transaction(app.sessions) as s:
        await s.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == v.chats["E"])
            .values(announcements_opted_out=True)
        )
    clock = FakeClock(utcnow() + timedelta(minutes=1))
    telegram = RecordingSender(clock, channel="telegram")
    telegram.answers[v.chats["A"]] = [Blocked()]
    telegram.answers[v.chats["B"]] = [Failed("chat not found", retryable=False)]
    async with dispatcher(app, clock, telegram, quiet_hours=None) as d:
        await d.run_once()
    await admin.tap("a:bc_report:1")
    text = admin.text
    assert "Laporan pengumuman #1" in text and "Untuk: Ibu binaan" in text
    for line in (
        "Penerima: 5",
        "Terkirim: 1",
        "Gagal: 1",
        "Memblokir bot: 1",
        "Berhenti langganan: 1",
        "Masih antre: 1",
    ):
        assert line in text, line
    assert "Perbarui laporan" in admin.labels


async def test_a_report_or_cancel_of_an_unknown_or_finished_broadcast(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    for forged in ("a:bc_report:99", "a:bc_report:abc", "a:bc_cancel:99", "a:bc_cancel:"):
        await admin.tap(forged)
        assert "tidak ditemukan" in admin.text, forged
    await start(admin)
    await admin.tap_label("Kader saja")
    await admin.tap_label("Kirim sekarang")
    await admin.tap("a:bc_cancel:1")
    assert "sudah mulai dikirim" in admin.text
    [b] = await broadcasts(app)
    assert b.status == "enqueued"
    await admin.tap("a:bc_report:1")
    # Nothing has gone out yet: it waits its turn in the queue (it is not "being sent").
    assert f"Status: {waiting(app)}" in admin.text and "Masih antre: 1" in admin.text
    await admin.tap("a:bc_list")
    assert "Pengumuman terjadwal:\nTidak ada." in admin.text
    assert "Laporan #1" in admin.labels


# --- photos ---------------------------------------------------------------------------------


@pytest.fixture
def photos(tmp_path: Path) -> Iterator[list[Media]]:
    """A downloader for the test channel that stores a file per platform id."""
    asked: list[Media] = []

    async def download(media: Media, folder: Path, *, max_bytes: int) -> Path:
        asked.append(media)
        if media.file_ref == "huge":
            raise MediaDownloadError("too_large")
        folder = tmp_path / folder.name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{media.file_ref}.jpg"
        path.write_bytes(b"\xff\xd8photo")
        return path

    register_downloader("test", download)
    yield asked
    unregister_downloader("test")


def _photo(chat: Chat, file_ref: str, caption: str = "", size: int | None = None) -> Any:
    return chat._incoming(Kind.PHOTO, media=Media(file_ref=file_ref, size=size), text=caption)


async def test_a_photo_goes_out_with_the_announcement(app: App, photos: list[Media]) -> None:
    await village(app)
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Kirim pengumuman")
    await admin.send("Foto kegiatan posyandu kemarin.")
    assert "satu foto" in admin.text and admin.labels == ["Tanpa foto"]
    await admin.deliver(_photo(admin, "big", size=MAX_PHOTO_BYTES + 1))
    assert "terlalu besar" in admin.text and photos == []
    await admin.deliver(_photo(admin, "huge"))
    assert "terlalu besar" in admin.text
    assert (await state_of(app, ADMIN))[1] == "photo"
    await admin.deliver(_photo(admin, "file-7"))
    assert "Foto disimpan" in admin.text and "untuk siapa" in admin.text
    await admin.tap_label("Kader saja")
    preview = admin.replies[0]
    assert preview.photo is not None and preview.photo.name == "file-7.jpg"
    await admin.tap_label("Kirim sekarang")
    [row] = await outbox(app)
    assert row.media_path is not None and Path(row.media_path).read_bytes() == b"\xff\xd8photo"


async def test_a_photo_with_a_caption_is_text_and_photo_at_once(
    app: App, photos: list[Media]
) -> None:
    admin = await admin_chat(app)
    await admin.tap("a:bc_new")
    await admin.deliver(_photo(admin, "file-8", caption="Jadwal posyandu bulan ini"))
    assert "untuk siapa" in admin.text
    _, _, data = await state_of(app, ADMIN)
    form = data["form"]
    assert form["text"] == "Jadwal posyandu bulan ini" and form["media_path"].endswith("file-8.jpg")


async def test_without_a_downloader_photos_are_refused_kindly_and_text_goes_on(
    app: App,
) -> None:
    admin = await admin_chat(app)
    await admin.tap("a:bc_new")
    await admin.send_kind(Kind.PHOTO)
    assert "foto belum bisa dikirim lewat saluran ini" in admin.text
    assert "Tulis isi pengumuman" in admin.text
    await admin.deliver(_photo(admin, "file-9", caption="Arisan PKK hari Minggu"))
    assert "foto belum bisa dikirim" in admin.text and "untuk siapa" in admin.text
    _, step, data = await state_of(app, ADMIN)
    assert step == "audience" and data["form"]["media_path"] is None


# --- bad input, every step ------------------------------------------------------------------


async def test_bad_text_is_refused_kindly_and_the_step_kept(app: App) -> None:
    admin = await admin_chat(app)
    await admin.tap("a:bc_new")
    bad = [
        ("   ", "masih kosong"),
        ("🙏🙏🎉", "bukan hanya emoji"),
        ("x" * 10_000, f"Paling banyak {MAX_BROADCAST_TEXT} huruf"),
    ]
    for text, expected in bad:
        await admin.send(text)
        assert expected in admin.text, text
        assert (await state_of(app, ADMIN))[:2] == ("bc.compose", "text")
    await admin.send_kind(Kind.STICKER)
    assert "dengan huruf" in admin.text
    await admin.send("y" * MAX_BROADCAST_TEXT)
    assert "untuk siapa" in admin.text


async def test_bad_audience_answers_keep_the_step(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin)
    await admin.send("tetangga sebelah")
    assert "Pilih salah satu tombol" in admin.text and "untuk siapa" in admin.text
    await admin.send("9")
    assert "Pilih salah satu tombol" in admin.text

    await admin.tap_label("Kampung tertentu")
    await admin.tap_label("Selesai")
    assert "Belum ada kampung yang dipilih" in admin.text
    await admin.send("Kampung Durian")
    assert 'Kampung "Kampung Durian" tidak ada di daftar' in admin.text
    await admin.send("Sumberan, Durian")
    assert '"Durian" tidak ada' in admin.text and "Sudah dipilih" not in admin.text
    await admin.tap("s:k99999")  # a forged kampung id is not on offer: stale
    assert STALE in admin.text
    assert (await state_of(app, ADMIN))[1] == "kampung"
    await admin.tap_label("Cibening")
    await admin.tap_label("Selesai")
    assert recipients(admin.text) == 1

    await admin.tap_label("Ubah penerima")
    await admin.tap_label("Yang lama tidak aktif")
    for typed, expected in [
        ("banyak", "dengan angka"),
        ("0", "1 atau lebih"),
        ("-5", "1 atau lebih"),
        ("minus tiga", "1 atau lebih"),
        ("99999", "Paling banyak 3650 hari"),
        ("🙂", "dengan angka"),
    ]:
        await admin.send(typed)
        assert expected in admin.text, typed
        assert (await state_of(app, ADMIN))[1] == "days"
    await admin.send("60.")
    assert "tidak aktif 60 hari terakhir" in admin.text


async def test_bad_times_are_refused_kindly_and_the_step_kept(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin)
    await admin.tap_label("Semua anggota")
    await admin.send("sesudah lebaran")
    assert "Ubah penerima" in admin.labels and "Pilih salah satu" in admin.text
    await admin.tap_label("Kirim nanti")
    for typed, expected in [
        ("kemarin jam 9", "sudah lewat"),
        ("1/1/2020 jam 10", "sudah lewat"),
        ("31 Februari jam 9", "tidak ada di kalender"),
        ("jam 9", "Tulis juga harinya"),
        ("besok pagi", "kurang jelas"),
        ("sesudah lebaran", "belum saya mengerti"),
        ("besok jam 25", "Jam itu tidak ada"),
        ("12/12/2099 jam 10", "satu tahun"),
    ]:
        await admin.send(typed)
        assert expected in admin.text, typed
        assert (await state_of(app, ADMIN))[1] == "when", typed
    await admin.send("lusa")  # a day without a time: she is asked for the hour
    assert "Jam berapa" in admin.text
    await admin.send("25.00")
    assert "Jam itu tidak ada" in admin.text
    await admin.send("1")  # one o'clock, not "button 1"
    assert "pukul 01.00 WIB" in admin.text
    await admin.tap_label("Ubah waktu")
    await admin.send("besok jam 9")
    await admin.tap_label("Kembali ke pratinjau")
    assert "Kirim nanti" in admin.labels
    assert await broadcasts(app) == []


async def test_an_old_step_button_is_stale_and_the_current_step_is_shown(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin)
    everyone = admin.choice("Semua anggota").id
    await admin.tap(everyone)
    send_now = admin.choice("Kirim sekarang").id
    await admin.tap_label("Ubah teks")
    assert "Besok posyandu" in admin.text  # the current text, to copy and change
    await admin.tap(everyone)
    assert STALE in admin.text and "Tulis teks pengganti" in admin.text
    await admin.tap(send_now)
    assert STALE in admin.text
    await admin.send("Posyandu diundur ke hari Jumat.")
    assert "Posyandu diundur" in admin.replies[0].text and "Kirim sekarang" in admin.labels
    await admin.tap(send_now)  # the same id is on offer again, for the new text
    [row, *_] = await outbox(app)
    assert row.params["text"] == "Posyandu diundur ke hari Jumat."
    await admin.tap(send_now)  # and once it is sent, a second tap sends nothing more
    assert STALE in admin.text and "Menu utama" in admin.text
    assert len(await broadcasts(app)) == 1


# --- participants of a kegiatan -------------------------------------------------------------


async def _kegiatan_with_people(app: App, v: Village) -> int:
    now = utcnow()
    async with transaction(app.sessions) as s:
        spec = draft("Pelatihan menjahit", kuota=2, starts_at=now + timedelta(days=3))
        kegiatan = await create_kegiatan(s, spec, now=now, actor="test")
        await publish(s, kegiatan.id, now=now, actor="test")
        for name in ("A", "B", "E", "K"):  # A, B get seats; E, K wait
            await sign_up(s, kegiatan.id, v.members[name], now)
        return kegiatan.id


async def test_the_participants_of_a_kegiatan_audience(app: App) -> None:
    v = await village(app)
    kegiatan_id = await _kegiatan_with_people(app, v)
    async with transaction(app.sessions) as s:
        seats = await audience_recipients(s, {"kind": "kegiatan", "kegiatan_id": kegiatan_id})
        everyone = await audience_recipients(
            s, {"kind": "kegiatan", "kegiatan_id": kegiatan_id, "include_waiting": True}
        )
        assert {r.identity_id for r in seats} == {v.chats["A"], v.chats["B"]}
        waiting_too = {v.chats["A"], v.chats["B"], v.chats["E"], v.chats["K"]}
        assert {r.identity_id for r in everyone} == waiting_too
        await cancel_signup(s, kegiatan_id, v.members["A"], utcnow())
        # A cancelled: her seat went to E, first in line, and A is no longer a participant.
        left = await audience_recipients(s, {"kind": "kegiatan", "kegiatan_id": kegiatan_id})
        assert {r.identity_id for r in left} == {v.chats["B"], v.chats["E"]}
    for bad in (
        {"kind": "kegiatan"},
        {"kind": "kegiatan", "kegiatan_id": "1"},
        {"kind": "kegiatan", "kegiatan_id": 0},
        {"kind": "kegiatan", "kegiatan_id": True},
        {"kind": "kegiatan", "kegiatan_id": 1, "include_waiting": "ya"},
    ):
        with pytest.raises(ValueError, match="kegiatan"):
            check_audience(bad)


async def test_an_admin_writes_to_the_participants_of_a_kegiatan(app: App) -> None:
    admin = await admin_chat(app)
    await start(admin)
    await admin.tap_label("Peserta kegiatan")
    assert "Belum ada kegiatan yang akan datang" in admin.text and "untuk siapa" in admin.text
    v = await village(app)
    kegiatan_id = await _kegiatan_with_people(app, v)
    await admin.tap_label("Peserta kegiatan")
    assert "1. Pelatihan menjahit" in admin.text
    await admin.send("ya")
    assert "Pilih kegiatan dari tombol" in admin.text
    await admin.send("1")
    assert "daftar tunggu" in admin.text
    await admin.send("mungkin")
    assert "Jawab ya atau tidak" in admin.text
    await admin.send("ya")
    assert "Untuk: Peserta kegiatan Pelatihan menjahit (termasuk daftar tunggu)" in admin.text
    assert recipients(admin.text) == 4
    await admin.tap_label("Kirim sekarang")
    [b] = await broadcasts(app)
    assert b.audience == {"kind": "kegiatan", "kegiatan_id": kegiatan_id, "include_waiting": True}
    assert len(await outbox(app)) == 4


# --- who may broadcast ----------------------------------------------------------------------


async def _ibu(app: App) -> Chat:
    chat = Chat(app.engine, identity="tg-ibu")
    await register(chat)
    return chat


async def _kader(app: App) -> Chat:
    chat = Chat(app.engine, identity="tg-kader")
    await register(chat, name="Kader Rina")
    async with transaction(app.sessions) as s:
        await s.execute(update(Member).where(Member.full_name == "Kader Rina").values(role="kader"))
    return chat


async def _guest(app: App) -> Chat:
    return Chat(app.engine, identity="tg-guest")


@pytest.mark.parametrize("who", [_guest, _ibu, _kader], ids=["guest", "ibu", "kader"])
async def test_non_admins_cannot_broadcast_by_menu_typing_or_forged_ids(app: App, who: Any) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin)
    await admin.tap_label("Semua anggota")
    await admin.tap_label("Kirim nanti")
    await admin.send("besok jam 9")
    await admin.tap_label("Ya, jadwalkan")

    chat: Chat = await who(app)
    await chat.send("menu")
    assert "Kirim pengumuman" not in chat.labels
    assert not any("Pengumuman terjadwal" in label for label in chat.labels)
    for typed in ("kirim pengumuman", "Pengumuman", "pengumuman terjadwal", "broadcast"):
        await chat.send(typed)
        assert NOT_ALLOWED in chat.text, typed
        assert (await state_of(app, chat.identity))[0] is None
    for forged in (
        "a:bc_new",
        "a:bc_list",
        "a:bc_cancel:1",
        "a:bc_cancel:1:ya",
        "a:bc_report:1",
    ):
        await chat.tap(forged)
        assert NOT_ALLOWED in chat.text, forged
        assert "Lomba" not in chat.text and "#1" not in chat.text
    for forged in ("s:now", "s:all", "s:yes"):
        await chat.tap(forged)
        assert STALE in chat.text
    [b] = await broadcasts(app)
    assert b.status == "scheduled" and len(await outbox(app)) == 0


async def test_an_admin_whose_role_is_revoked_midway_cannot_finish(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await start(admin)
    await admin.tap_label("Semua anggota")
    async with transaction(app.sessions) as s:
        assert await revoke_admin(s, "test", ADMIN, actor="test")
    await admin.send("1")  # "Kirim sekarang" by number
    assert NOT_ALLOWED in admin.text
    assert await broadcasts(app) == [] and (await state_of(app, ADMIN))[0] is None


async def test_english_for_an_admin_who_chose_it(app: App) -> None:
    await village(app)
    admin = await admin_chat(app)
    await admin.send("bahasa")
    await admin.send("2")
    await admin.send("menu")
    await admin.tap_label("Send announcement")
    await admin.send("Posyandu tomorrow at 9.")
    await admin.tap_label("Kader only")
    assert "Recipients: 1 phones" in admin.text and "P2WKSS announcement" in admin.text
    await admin.tap_label("Send later")
    await admin.send("besok jam 9")
    assert "at 09:00 WIB" in admin.text


async def test_an_admin_sending_in_quiet_hours_is_told_when_it_goes_out(app: App) -> None:
    from datetime import datetime as dt
    from zoneinfo import ZoneInfo

    from handlers.core.config import Config
    from handlers.core.engine import Engine

    await village(app)
    wib = ZoneInfo("Asia/Jakarta")
    local = dt.now(wib)
    quiet = ((local - timedelta(hours=1)).time(), (local + timedelta(hours=1)).time())
    engine = Engine(app.sessions, Config.build(wib, quiet_hours=quiet))
    await admin_chat(app)
    admin = Chat(engine, identity=ADMIN)
    await start(admin, "Rapat kader besok pagi.")
    await admin.tap_label("Semua")
    await admin.tap_label("Kirim sekarang")
    assert "jam tenang" in admin.text and quiet[1].strftime("%H.%M") in admin.text
