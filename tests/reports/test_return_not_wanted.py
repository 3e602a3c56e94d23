"""An admin on a report's page chooses "Kembalikan", then says "batal": the report still
waits for review, and she is back on that report's page (to approve it, or look again),
not on the main menu."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.reports.test_review import send_report
from tests.support.lookups import state_of
from tests.support.reports import admin_chat, held_kegiatan, kader_chat, reports


@pytest.mark.parametrize("word", ["batal", "gak jadi"])
async def test_admin_does_not_return_the_report_and_is_back_on_its_page(
    app: App, word: str
) -> None:
    await held_kegiatan(app, "Penyuluhan gizi balita", days_ago=1)
    rina = await kader_chat(app)
    await send_report(rina)
    [report] = await reports(app)
    admin = await admin_chat(app)
    await admin.tap(f"a:lp.show:{report.id}")
    await admin.tap_label("Kembalikan untuk perbaikan")
    assert "Apa yang perlu diperbaiki?" in admin.text
    await admin.send(word)
    assert "tidak jadi dikembalikan" in admin.text
    assert f"#{report.id}" in admin.text and "Pilih:" in admin.text  # the report again
    assert admin.labels[:2] == ["Setujui", "Kembalikan untuk perbaikan"]
    assert "Menu utama" not in admin.text
    [still] = await reports(app)
    assert still.status == "submitted"
    assert (await state_of(app, "tg-admin"))[0] is None
    await admin.tap_label("Setujui")  # the page works: approved from there
    [done] = await reports(app)
    assert done.status == "approved"
