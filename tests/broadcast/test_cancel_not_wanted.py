"""An admin asked "Batalkan pengumuman #1?" answers "Tidak, biarkan" or "batal": it stays
scheduled, and she is on the list of announcements where it stands scheduled, the same
for both answers ("batal" ended on the main menu)."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.broadcast.test_fixes import (
    ADMIN,
    admin_chat,
    scheduled_for_tomorrow,
    some_people,
    status_of,
)
from tests.support.lookups import state_of


@pytest.mark.parametrize("answer", ["Tidak, biarkan", "tidak", "batal", "gak jadi"])
async def test_admin_keeps_the_broadcast_and_is_on_the_list(app: App, answer: str) -> None:
    await some_people(app)
    admin = await admin_chat(app)
    await scheduled_for_tomorrow(admin)
    await admin.tap("a:bc.list")
    await admin.tap_label("Batalkan #1")
    assert "Batalkan pengumuman #1" in admin.text
    if answer.startswith("Tidak,"):
        await admin.tap_label(answer)
    else:
        await admin.send(answer)
    assert "pengumuman #1 tetap dijadwalkan" in admin.text
    assert "Pengumuman terjadwal:" in admin.text and "Lomba P2WKSS" in admin.text
    assert "Batalkan #1" in admin.labels
    assert "Menu utama" not in admin.text
    assert await status_of(app) == "scheduled"
    assert (await state_of(app, ADMIN))[0] is None
