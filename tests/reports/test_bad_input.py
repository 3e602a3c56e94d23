"""Bad answers while reporting, each told plainly, the question asked again, and nothing
given before lost: impossible participant numbers, a day in the future, a video, a
sticker or a file where a photo is expected, a fourth photo, a photo too early, and
more text than fits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App
from handlers.core.types import Kind, Media
from models import utcnow
from tests.support.chat import Chat
from tests.support.lookups import state_of
from tests.support.reports import KADER, document, held_kegiatan, kader_chat, photo, reports

WIB = ZoneInfo("Asia/Jakarta")


async def at(app: App, step: str) -> dict[str, Any]:
    """She is still on `step`; the form so far."""
    flow, current, data = await state_of(app, KADER)
    assert (flow, current) == ("lp.report", step)
    form: dict[str, Any] = data["form"]
    return form


async def up_to(rina: Chat, step: str) -> None:
    answers = {
        "held_on": ("lapor", "penyuluhan", "1"),
        "women": ("lapor", "penyuluhan", "1", "kemarin", "1"),
        "photos": ("lapor", "penyuluhan", "1", "kemarin", "1", "18", "2", "Menu gizi."),
    }
    for answer in answers[step]:
        await rina.send(answer)


async def test_impossible_participant_numbers_are_refused_plainly(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await up_to(rina, "women")
    for bad, said in (
        ("-3", "tidak bisa kurang dari 0"),
        ("minus lima", "tidak bisa kurang dari 0"),
        ("1000000", "terlalu besar (paling banyak 1000)"),
        ("banyak sekali", "Mohon tulis angka"),
        ("3.5", "Mohon tulis angka"),
    ):
        await rina.send(bad)
        assert said in rina.text, bad
        assert "peserta perempuan" in rina.text
        form = await at(app, "women")
        assert form["title"] == "Penyuluhan gizi balita" and form["opd"], bad
    await rina.send("0")  # none is allowed
    await rina.send("seribu")
    assert "Mohon tulis angka" not in rina.text and "ringkasan" in rina.text
    form = await at(app, "ringkasan")
    assert (form["women"], form["men"]) == (0, 1000)


async def test_a_day_in_the_future_is_refused(app: App) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await up_to(rina, "held_on")
    ahead = utcnow().astimezone(WIB).date() + timedelta(days=3)
    for bad in ("besok", f"{ahead.day}/{ahead.month}/{ahead.year}", ahead.isoformat()):
        await rina.send(bad)
        assert "belum terjadi" in rina.text, bad
        form = await at(app, "held_on")
        assert form["held_on"] is None and form["title"] == "Penyuluhan gizi balita"
    await rina.send("kapan ya")
    assert "tidak bisa kami baca" in rina.text
    await rina.send("12")
    assert "Tanggal berapa, bulan apa?" in rina.text
    await rina.send("hari ini")
    await at(app, "opd")


async def test_a_video_a_sticker_or_a_file_where_a_photo_is_expected(
    app: App, photos: list[Media]
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await up_to(rina, "photos")
    await rina.deliver(photo(rina, "foto-1"))
    for kind in (Kind.OTHER, Kind.STICKER, Kind.VOICE):  # Telegram sends a video as "other"
        await rina.send_kind(kind)
        assert "Itu bukan foto" in rina.text, kind
        assert "1 dari 3 foto tersimpan" in rina.text
    await rina.deliver(document(rina, "pdf-1", "application/pdf"))
    assert "Berkas itu bukan foto" in rina.text
    await rina.deliver(photo(rina, "huge"))
    assert "terlalu besar" in rina.text
    await rina.send("foto ya")
    assert "Mohon kirim foto, atau tap" in rina.text
    # A photo sent "as a file" is taken when it is a picture.
    await rina.deliver(document(rina, "scan-2", "image/jpeg"))
    assert "2 dari 3 foto tersimpan" in rina.text
    form = await at(app, "photos")
    assert len(form["photos"]) == 2 and form["women"] == 18


async def test_a_fourth_photo_is_refused_kindly(app: App, photos: list[Media]) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await up_to(rina, "photos")
    # An album of four arrives as four messages: three kept, the step moves on by itself.
    for ref in ("a", "b", "c"):
        await rina.deliver(photo(rina, ref))
    assert "3 foto tersimpan" in rina.text and "kendala" in rina.text
    await rina.deliver(photo(rina, "d"))
    assert "Sudah ada 3 foto" in rina.text and "tidak disimpan" in rina.text
    assert "kendala" in rina.text
    form = await at(app, "kendala")
    assert len(form["photos"]) == 3
    # On the summary, "Ubah foto" with three already: a fourth is refused there too.
    await rina.send("tidak ada")
    await rina.send("tidak ada")
    await rina.tap_label("Ubah foto")
    await rina.deliver(photo(rina, "e"))
    assert "Sudah ada 3 foto" in rina.text and "Hapus foto" in rina.text
    await rina.tap_label("Selesai")
    await rina.send("kirim")
    [report] = await reports(app)
    assert report.status == "submitted"
    assert [m.file_ref for m in photos] == ["a", "b", "c"]


async def test_a_photo_too_early_or_on_the_summary_is_explained(
    app: App, photos: list[Media]
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    for answer in ("lapor", "penyuluhan", "1", "kemarin", "1", "18", "2"):
        await rina.send(answer)
    await rina.deliver(photo(rina, "early"))
    assert "sesudah ringkasan" in rina.text and "Tulis ringkasan" in rina.text
    await rina.send("x" * 1001)
    assert "Paling banyak 1000 huruf" in rina.text
    await rina.send("Menu gizi.")
    await rina.send("tanpa foto")
    await rina.deliver(photo(rina, "late"))
    assert "langkah foto sudah lewat" in rina.text and "kendala" in rina.text
    await rina.send("tidak ada")
    await rina.send("tidak ada")
    await rina.deliver(photo(rina, "summary"))
    assert "tap Ubah foto" in rina.text and "Mohon periksa" in rina.text
    assert photos == []  # none of them was fetched
    form = await at(app, "summary")
    assert form["ringkasan"] == "Menu gizi." and form["photos"] == []
