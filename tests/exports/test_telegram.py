"""On Telegram (the real python-telegram-bot against the fake Bot API) an admin gets the
bahan penilaian as documents, the photos as ZIP parts each under the limit, and Rekap
as photos: no channel change was needed for ZIPs and PNGs."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from handlers.core.engine import Engine
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.exports import build_dataset
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN, TgUser, story_budget

BUDI = 6200000002
LIMIT = 8000  # two 3 KB photos per ZIP


@pytest.fixture
async def telegram(app: App, fake: FakeTelegramServer) -> AsyncIterator[TelegramChannel]:
    engine = Engine(app.sessions, dataclasses.replace(app.engine.config,
                                                      export_part_max_bytes=LIMIT))  # fmt: skip
    channel = TelegramChannel(
        TOKEN,
        engine,
        base_url=fake.base_url,
        base_file_url=fake.file_url,
        polling=True,
        budget=story_budget(),
    )
    await channel.start(poll_timeout=1)
    try:
        yield channel
    finally:
        await channel.stop()


async def test_admin_di_telegram_menerima_bahan_penilaian_dan_grafik(
    app: App, settings: Settings, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    await build_dataset(app, settings.media_dir)
    async with transaction(app.sessions) as s:
        await grant_admin(s, "telegram", str(BUDI), actor="test")
    budi = TgUser(fake, BUDI, telegram)
    await budi.say("ekspor", "pilih data")
    await budi.tap("Bahan penilaian", "untuk waktu kapan?")
    await budi.say("1", "Mau data lain?", timeout=30)  # "Semua waktu", typed
    sent = fake.calls_of("sendDocument", 200)
    names = [c.params["document"].filename for c in sent]
    assert names[0].startswith("bahan-penilaian_") and names[0].endswith(".xlsx")
    assert [n.split("_")[-1] for n in names[1:]] == ["bagian-1-dari-2.zip", "bagian-2-dari-2.zip"]
    book = load_workbook(io.BytesIO(sent[0].params["document"].content), read_only=True)
    assert "Rekap jenis" in book.sheetnames
    book.close()
    photos: list[str] = []
    for call in sent[1:]:
        content = call.params["document"].content
        assert len(content) <= LIMIT
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            photos += zf.namelist()
    assert len(photos) == 4 and "bagian 1 dari 2" in sent[1].params["caption"]

    # Six messages to one chat: after a burst of three, one a second (Telegram's pace).
    await budi.say("rekap", "Mau data lain?", timeout=30)
    charts = fake.calls_of("sendPhoto", 200)
    assert [c.params["caption"] for c in charts] == [
        "Kegiatan per bulan",
        "Kehadiran per kampung",
        "Pendaftaran kegiatan per bulan",
        "Laporan per kader",
    ]
    assert all(c.params["photo"].content.startswith(b"\x89PNG") for c in charts)
