"""Voice notes on the channels: Telegram shows "🔊 Dengarkan" under a mother's messages (a
button of its own row, or the last key of her menu keyboard) and sends the voice note
with sendVoice; the console prints "[suara: file, N detik]"."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_render import render
from handlers.core.types import Choice, Reply
from tests.support.chat import Chat, register
from tests.support.cli import run_cli
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TgUser

SITI = 6400000001
LISTEN = Choice("a:vc.listen:r3", "🔊 Dengarkan")


def test_dengarkan_is_a_button_of_its_own_row_under_the_choices() -> None:
    reply = Reply("Ikut kegiatan?", (Choice("s:yes", "Ya"), Choice("s:no", "Tidak")), listen=LISTEN)
    [piece] = render(reply)
    assert piece.markup is not None
    rows = piece.markup.to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "Ya", "callback_data": "s:yes"}, {"text": "Tidak", "callback_data": "s:no"}],
        [{"text": "🔊 Dengarkan", "callback_data": "a:vc.listen:r3"}],
    ]
    # A text without choices gets the button alone.
    [alone] = render(Reply("Terima kasih.", listen=LISTEN))
    assert alone.markup is not None
    assert alone.markup.to_dict()["inline_keyboard"] == [
        [{"text": "🔊 Dengarkan", "callback_data": "a:vc.listen:r3"}]
    ]


def test_on_her_menu_keyboard_dengarkan_is_the_last_key() -> None:
    menu = Reply("Menu utama", (Choice("a:kg.list", "Kegiatan"),), menu=True, listen=LISTEN)
    [piece] = render(menu)
    assert piece.markup is not None
    keys = [b["text"] for row in piece.markup.to_dict()["keyboard"] for b in row]
    assert keys == ["Kegiatan", "🔊 Dengarkan"]


def test_a_voice_note_is_one_piece_with_its_caption() -> None:
    [piece] = render(Reply("🔊 Bagian 1 dari 2", voice=Path("/tmp/x.ogg")))
    assert (piece.voice, piece.text, piece.photo) == (
        Path("/tmp/x.ogg"),
        "🔊 Bagian 1 dari 2",
        None,
    )
    [bare] = render(Reply("", voice=Path("/tmp/x.ogg")))
    assert bare.text == "" and bare.voice == Path("/tmp/x.ogg")


async def test_siti_on_telegram_taps_dengarkan_and_gets_a_voice_note(
    app: App, fake: FakeTelegramServer, telegram: TelegramChannel
) -> None:
    await register(Chat(app.engine, identity=str(SITI), channel="telegram"))
    siti = TgUser(fake, SITI, telegram)
    await siti.say("lainnya", "Pilihan lainnya")
    assert siti.keyboard_labels()[-1] == "🔊 Dengarkan"
    new = await siti.tap("Dengarkan", expect="")
    await telegram.wait_idle()
    assert [m.method for m in siti.new()] == ["sendVoice"], new
    # Her menu keyboard's key sends the label as text: heard the same way.
    await siti.say("menu", "Menu utama")
    assert siti.keyboard_labels()[-1] == "🔊 Dengarkan"
    await siti.say("🔊 Dengarkan", expect="Sebentar")  # within five seconds of the first
    await siti.say("dengar", expect="Sebentar")
    assert all(m.method == "sendMessage" for m in siti.new())


def test_the_console_prints_the_voice_note_and_its_length(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    result = run_cli(
        ["chat", "--user", "demo", "--db", str(db)], stdin="/start\ndengar\n", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "[suara:" in x)
    name, seconds = line.strip().removeprefix("[suara: ").removesuffix(" detik]").split(", ")
    assert name.endswith(".ogg") and (tmp_path / "media" / "voice" / name).exists()
    assert int(seconds) > 3
