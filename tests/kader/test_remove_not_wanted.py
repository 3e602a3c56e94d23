"""An admin on a kader's page chooses "Cabut peran kader", then answers "jangan" (or
"batal"): she stays a kader, and the admin is back on that kader's page, not on the main
menu (she was working on this kader)."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.kader.test_manage_chat import invited_kader
from tests.support.kader import admin_chat, member_named


@pytest.mark.parametrize("answer", ["jangan", "batal", "gak jadi"])
async def test_admin_keeps_the_kader_and_is_back_on_her_page(app: App, answer: str) -> None:
    admin = await admin_chat(app)
    await invited_kader(app, "tg-rina", "Rina Marlina")
    rina_id = (await member_named(app, "Rina Marlina")).id
    await admin.tap(f"a:kd.member:{rina_id}")
    await admin.tap_label("Cabut peran kader")
    assert "Yakin mencabut peran kader Ibu Rina Marlina" in admin.text
    await admin.send(answer)
    assert "Ibu Rina Marlina tetap kader" in admin.text
    assert "Kader Sumberan" in admin.text and "Sejak:" in admin.text  # her page again
    assert admin.labels[:2] == ["Cabut peran kader", "Kembali"]
    assert "Menu utama" not in admin.text
    assert (await member_named(app, "Rina Marlina")).role == "kader"
