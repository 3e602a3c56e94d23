"""A kader on "Pertanyaan ibu" taps "Jawab", then says "batal": nothing is sent, and she
is back on the list of open questions (this one still on it), not on the main menu."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.support.lookups import state_of
from tests.support.questions import kader, mother


@pytest.mark.parametrize("word", ["batal", "gak jadi"])
async def test_kader_sends_no_answer_and_is_back_on_the_open_questions(app: App, word: str) -> None:
    dewi = await kader(app, "kader-dewi", "Dewi Lestari")
    siti = await mother(app, "ibu-siti", "Siti Aminah")
    await siti.send("tanya")
    await siti.send("Kapan posyandu bulan ini?")
    await dewi.send("Pertanyaan ibu")
    await dewi.tap_label("Jawab 1 · Siti Aminah")
    assert "Kapan posyandu bulan ini?" in dewi.text
    await dewi.send(word)
    assert "jawaban tidak dikirim" in dewi.text
    assert "belum dijawab (1)" in dewi.text and "Siti Aminah" in dewi.text
    assert dewi.labels[0] == "Jawab 1 · Siti Aminah"
    assert "Menu utama" not in dewi.text
    assert (await state_of(app, dewi.identity))[0] is None
    await dewi.tap_label("Jawab 1 · Siti Aminah")  # the list works: answered from there
    await dewi.send("Tanggal 5, di balai warga.")
    assert "dikirim" in dewi.text
