"""A kader on her list of ibu binaan chooses "Cari nama" or "Daftarkan ibu tanpa HP", then
says "batal": nothing is saved, and she is back on that list, not on the main menu."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.support.chat import mothers
from tests.support.lookups import state_of
from tests.support.staff import make_kader


@pytest.mark.parametrize(
    ("button", "said", "answers"),
    [
        ("Cari nama", "tidak jadi mencari", ()),
        ("Daftarkan ibu tanpa HP", "pendaftaran ibu binaan dibatalkan", ()),
        ("Daftarkan ibu tanpa HP", "pendaftaran ibu binaan dibatalkan", ("ya", "Yati Rohayati")),
    ],
)
async def test_kader_gives_up_and_is_back_on_her_list(
    app: App, button: str, said: str, answers: tuple[str, ...]
) -> None:
    await mothers(app, "Siti Aminah")
    kader = await make_kader(app)
    await kader.send("ibu binaan")
    assert "Ibu binaan Sumberan" in kader.text
    await kader.tap_label(button)
    for answer in answers:
        await kader.send(answer)
    await kader.send("batal")
    assert said in kader.text
    assert "Ibu binaan Sumberan" in kader.text  # her list again
    assert {"Cari nama", "Daftarkan ibu tanpa HP"} <= set(kader.labels)
    assert "Menu utama" not in kader.text
    assert (await state_of(app, kader.identity))[0] is None
    assert "Yati Rohayati" not in kader.text  # nobody was registered
