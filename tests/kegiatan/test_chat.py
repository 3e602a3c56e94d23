"""Mothers find kegiatan, sign up, wait, cancel and get their calendar, through the core."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from handlers.core.types import Kind
from models import Kegiatan, OutboxMessage, utcnow
from models.base import transaction
from models.kegiatan.admin import cancel_kegiatan
from tests.support.chat import Chat, mothers
from tests.support.fakes.kegiatan import kegiatan


async def test_pelatihan_menjahit_full_waiting_list_cancel_promotion_and_seat_back(
    app: App,
) -> None:
    siti, dewi, ani = await mothers(app, "Siti Aminah", "Dewi Lestari", "Ani Wulandari")
    kid = await kegiatan(app, "Pelatihan menjahit", kuota=1)

    await siti.send("kegiatan")
    # One short line per kegiatan, as its button: day, date, time, title.
    [line] = [label for label in siti.labels if "Pelatihan menjahit" in label]
    assert line.split(" · ")[1] == "Pelatihan menjahit" and "Pelatihan" not in siti.text
    await siti.send("1")
    assert "Sisa tempat: 1" in siti.text and "Dinas Kesehatan" in siti.text
    await siti.tap_label("Daftar")
    assert "Ibu terdaftar di Pelatihan menjahit" in siti.text
    await siti.tap(f"a:signup:{kid}")
    assert "sudah terdaftar" in siti.text  # twice is idempotent

    await dewi.tap(f"a:kg:{kid}")
    assert "sudah penuh" in dewi.text
    await dewi.tap_label("Masuk daftar tunggu")
    assert "daftar tunggu nomor 1" in dewi.text
    await ani.tap(f"a:signup:{kid}")
    assert "daftar tunggu nomor 2" in ani.text

    await siti.send("jadwal saya")
    assert "Pelatihan menjahit" in siti.text and "terdaftar" in siti.text
    await siti.tap(f"a:unsignup:{kid}")
    assert "Yakin" in siti.text
    await siti.send("tidak")
    assert "tidak diubah" in siti.text
    await siti.tap(f"a:unsignup:{kid}")
    await siti.send("ya")
    assert "sudah dibatalkan" in siti.text

    async with app.sessions() as s:
        rows = list(
            await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "signup_promoted"))
        )
    assert len(rows) == 1 and rows[0].params["judul"] == "Pelatihan menjahit"
    assert "WIB" in rows[0].params["when"]
    give_back = rows[0].params["choices"][0]["id"]
    assert give_back == f"a:kg.unsignup:{kid}:{rows[0].member_id}"  # names the mother

    # Dewi got the seat; she gives it back from the button on the notice: Ani moves up.
    await dewi.tap(give_back)
    await dewi.tap_label("Ya, batal ikut")
    assert "sudah dibatalkan" in dewi.text
    await ani.send("jadwal saya")
    assert "terdaftar" in ani.text and "tunggu" not in ani.text


async def test_the_list_is_for_her_kampung_soonest_first_and_paged(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    await kegiatan(app, "Kelas Cibening", kampung=("Cibening",), days=1)
    for day in range(7, 1, -1):
        await kegiatan(app, f"Sesi hari {day}", days=day)
    await kegiatan(app, "Draf rahasia", published=False)
    await siti.send("kegiatan")
    assert "(1–5 dari 6)" in siti.text
    shown = " | ".join(siti.labels)
    assert "Kelas Cibening" not in shown and "Draf" not in shown
    assert shown.index("Sesi hari 2") < shown.index("Sesi hari 6")
    await siti.tap_label("Berikutnya")
    assert "(6–6 dari 6)" in siti.text and "Sesi hari 7" in " | ".join(siti.labels)


async def test_signing_up_to_a_cancelled_or_other_kampung_or_unknown_kegiatan(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    other = await kegiatan(app, "Kelas Cibening", kampung=("Cibening",))
    await siti.tap(f"a:signup:{other}")
    assert "untuk kampung lain" in siti.text
    gone = await kegiatan(app, "Batal", kuota=None)
    await siti.tap(f"a:kg:{gone}")  # she is looking at it…
    async with transaction(app.sessions) as s:
        await cancel_kegiatan(s, gone, now=utcnow(), actor="test")
    await siti.tap_label("Daftar")  # …and taps after it was cancelled
    assert "dibatalkan" in siti.text
    await siti.tap("a:signup:99999")
    assert "tidak ada atau sudah dihapus" in siti.text
    await siti.tap("a:unsignup:abc")
    assert "tidak ada atau sudah dihapus" in siti.text


async def test_cancelling_something_she_is_not_registered_for(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Posyandu", kuota=None)
    await siti.tap(f"a:unsignup:{kid}")
    assert "tidak terdaftar" in siti.text


async def test_a_guest_cannot_sign_up_even_with_a_forged_button(app: App) -> None:
    kid = await kegiatan(app, "Posyandu")
    guest = Chat(app.engine, identity="tamu")
    await guest.tap(f"a:signup:{kid}")
    assert "perlu mendaftar dulu" in guest.text and "Daftar" in guest.labels
    await guest.tap(f"a:kg.signup:{kid}")
    assert "perlu mendaftar dulu" in guest.text


async def test_overlapping_kegiatan_get_a_warning_not_a_block(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    first = await kegiatan(app, "Pagi", kuota=None)
    second = await kegiatan(app, "Bersamaan", kuota=None)
    await siti.tap(f"a:signup:{first}")
    await siti.tap(f"a:signup:{second}")
    assert "Ibu terdaftar di Bersamaan" in siti.text and "bersamaan dengan Pagi" in siti.text


async def test_she_gets_the_kegiatan_as_an_ics_calendar_file(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Penyuluhan gizi", kuota=None)
    await siti.tap(f"a:signup:{kid}")
    await siti.tap_label("Simpan ke kalender")
    [reply] = siti.replies
    assert reply.document is not None and reply.document_name == f"kegiatan-{kid}.ics"
    body = reply.document.read_bytes()
    assert b"BEGIN:VCALENDAR" in body and b"TZID=Asia/Jakarta" in body
    assert b"SUMMARY:Penyuluhan gizi" in body


async def test_two_mothers_tap_the_last_seat_at_the_same_moment(app: App) -> None:
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    kid = await kegiatan(app, "Kursi terakhir", kuota=1)
    await asyncio.gather(siti.tap(f"a:signup:{kid}"), dewi.tap(f"a:signup:{kid}"))
    texts = [siti.text, dewi.text]
    assert sum("Ibu terdaftar" in t for t in texts) == 1
    assert sum("daftar tunggu nomor 1" in t for t in texts) == 1


async def test_typed_numbers_and_words_work_in_the_lists(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    await kegiatan(app, "Senam sehat", kuota=None)
    await siti.send("Kegiatan")
    await siti.send("satu")
    assert "Senam sehat" in siti.text and "Jenis: Penyuluhan" in siti.text
    await siti.send("daftar")
    assert "Ibu terdaftar di Senam sehat" in siti.text
    await siti.send_kind(Kind.STICKER)
    assert "Menu utama" in siti.text


async def test_erasing_her_data_gives_her_seat_to_the_next_mother(app: App) -> None:
    siti, dewi = await mothers(app, "Siti Aminah", "Dewi Lestari")
    kid = await kegiatan(app, "Kelas menjahit", kuota=1)
    await siti.tap(f"a:signup:{kid}")
    await dewi.tap(f"a:signup:{kid}")
    await siti.send("hapus data saya")
    await siti.send("ya")
    assert "sudah dihapus" in siti.text
    await dewi.send("jadwal saya")
    assert "Kelas menjahit" in dewi.text and "tunggu" not in dewi.text


async def test_signing_up_to_a_finished_kegiatan_is_refused_kindly(app: App) -> None:
    [siti] = await mothers(app, "Siti Aminah")
    kid = await kegiatan(app, "Sudah lewat", kuota=None)
    async with transaction(app.sessions) as s:
        k = await s.get_one(Kegiatan, kid)
        k.starts_at, k.ends_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    await siti.tap(f"a:signup:{kid}")
    assert "sudah selesai" in siti.text
    await siti.tap(f"a:kg:{kid}")
    assert "sudah selesai" in siti.text and "Daftar" not in siti.labels
