"""'Rekap (grafik)': four PNG charts a phone shows well, for empty and for full data; a
kader's are of her own kampung; the numbers behind them match the daftar hadir and the
reports; every rekap is in the audit log; mothers get none."""

from __future__ import annotations

import struct
from pathlib import Path

from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from models import AuditEntry
from models.base import transaction, utcnow
from models.exports import Chart, ChartKind, rekap_data, render_png
from tests.support.chat import Chat
from tests.support.exports import WIB, build_dataset
from tests.support.fakes.outbox import kampung_ids
from tests.support.staff import admin_chat, make_kader

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG) and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def charts_sent(chat: Chat) -> list[tuple[str, bytes]]:
    found = []
    for reply in chat.replies:
        if reply.photo is not None:
            found.append((reply.text, Path(reply.photo).read_bytes()))
    return found


TITLES = [
    "Kegiatan per bulan",
    "Kehadiran per kampung",
    "Pendaftaran kegiatan per bulan",
    "Laporan per kader",
]


async def test_rekap_tanpa_data_tetap_mengirim_empat_grafik_yang_terbaca(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Lainnya")
    await admin.tap_label("Rekap (grafik)")
    assert "Rekap semua kampung, 12 bulan terakhir: 4 grafik." in admin.text
    sent = charts_sent(admin)
    assert [title for title, _ in sent] == TITLES
    for _, data in sent:
        assert png_size(data) == (880, 880)
        assert 5_000 < len(data) < 500_000
    async with app.sessions() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "export.rekap"))
    assert entry is not None and entry.detail["charts"] == 4


async def test_rekap_dengan_data_dan_kader_mendapat_kampungnya(
    app: App, settings: Settings
) -> None:
    data = await build_dataset(app, settings.media_dir)
    admin = await admin_chat(app)
    await admin.send("menu")
    await admin.tap_label("Lainnya")
    await admin.tap_label("Rekap (grafik)")
    full = charts_sent(admin)
    assert [title for title, _ in full] == TITLES
    for _, png in full:
        assert png_size(png) == (880, 880) and len(png) > 5_000

    kader = await make_kader(app, "tg-kader", "Ani Lestari", "Sumberan")
    await kader.send("rekap")
    assert "Rekap Kampung Sumberan" in kader.text
    assert [title for title, _ in charts_sent(kader)] == TITLES
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        everyone = await rekap_data(s, WIB, utcnow())
        hers = await rekap_data(s, WIB, utcnow(), places["Sumberan"])
    before, last = data.months
    at = {m: i for i, m in enumerate(everyone.months)}
    assert everyone.kegiatan["penyuluhan"][at[before]] == 1  # K1
    assert everyone.kegiatan["penyuluhan"][at[last]] == 1  # K3
    assert everyone.kegiatan["pelatihan"][at[last]] == 1  # K2; the cancelled one not
    assert sum(map(sum, everyone.kegiatan.values())) == 3
    # Seats on ended kegiatan and those present among them (walk-ins are not seats).
    assert everyone.attendance == [("Cibening", 2, 1), ("Sumberan", 3, 2)]  # by kelurahan
    assert hers.attendance == [("Sumberan", 3, 2)]
    assert sum(everyone.signups) == 7 and sum(hers.signups) == 5
    assert everyone.reports == [("Rina Kader", 2, 1), ("Ani Cibening", 1, 1)]
    assert hers.reports == [("Rina Kader", 2, 1)]
    assert hers.kegiatan["penyuluhan"][at[last]] == 0  # K3 is Cibening's
    async with app.sessions() as s:
        rekap = list(await s.scalars(select(AuditEntry).where(AuditEntry.action == "export.rekap")))
    assert [e.object_id for e in rekap] == [None, str(places["Sumberan"])]


def test_a_chart_with_nothing_to_show_says_so_and_never_fails() -> None:
    kinds: list[ChartKind] = ["stacked", "grouped", "percent", "bars"]
    for kind in kinds:
        empty = Chart("Judul", [], [], kind, "Belum ada data")
        zeros = Chart("Judul", ["a", "b"], [("x", [0, 0]), ("y", [0, 0])], kind, "Belum ada")
        for chart in (empty, zeros):
            assert chart.empty
            assert png_size(render_png(chart)) == (880, 880)
    drawn = Chart("Judul", ["a"], [("x", [3]), ("y", [4])], "percent", "Belum ada data")
    assert not drawn.empty and png_size(render_png(drawn)) == (880, 880)
