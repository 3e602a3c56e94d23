"""How messages are routed: words that work anywhere, taps, stale and forged choices."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.app import App
from handlers.core.context import Ctx
from handlers.core.engine import Engine
from handlers.core.feature import Action, Feature, Registry
from handlers.core.i18n import t
from handlers.core.router import match_screen
from handlers.core.types import Choice, Kind
from handlers.features import all_features
from models import OneTimeCode, make_sessionmaker, utcnow
from tests.support.chat import Chat, register
from tests.support.lookups import identity as identity_of
from tests.support.lookups import state_of


async def test_menu_and_batal_always_win_even_inside_a_flow(app: App, chat: Chat) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send("MENU")
    assert "Menu utama" in chat.text
    assert (await state_of(app, chat.identity))[0] is None
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send("Batal")
    assert "dibatalkan" in chat.text and "Menu utama" in chat.text
    assert (await state_of(app, chat.identity))[:2] == (None, None)


async def test_batal_outside_a_flow_says_what_can_be_cancelled(chat: Chat) -> None:
    await chat.send("batal")
    assert "Tidak ada yang sedang berjalan" in chat.text
    assert "Menu utama" in chat.text


async def test_unknown_words_outside_a_flow_get_the_menu(chat: Chat) -> None:
    await chat.send("halo bu, apa kabar")
    assert "belum mengerti" in chat.text
    # Small phones: frequent items first, language and the rest under "Lainnya".
    assert chat.labels == ["Daftar", "Kegiatan", "Bantuan", "Lainnya"]  # guests may browse
    await chat.send("4")
    assert "Bahasa / Language" in chat.labels


async def test_help_and_language_in_the_middle_keep_the_step(app: App, chat: Chat) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send("Siti Aminah")
    await chat.send("bantuan")
    assert "Cara memakai" in chat.text and "kampung mana" in chat.text
    await chat.send("bahasa")
    await chat.send("2")
    assert "now English" in chat.text and "Which kampung" in chat.text
    # Typed numbers now answer the kampung question again, not the language menu.
    await chat.send("1")
    assert "RT/RW" in chat.text
    flow, step, data = await state_of(app, chat.identity)
    assert (flow, step, data["form"]["full_name"]) == ("mb.register", "rtrw", "Siti Aminah")


async def test_an_old_step_button_is_stale_and_the_current_step_is_shown(chat: Chat) -> None:
    await chat.send("daftar")
    consent_yes = chat.choice("Ya, setuju").id
    await chat.tap(consent_yes)
    await chat.send("Siti Aminah")
    await chat.tap(consent_yes)
    assert "sudah tidak berlaku" in chat.text and "kampung mana" in chat.text


async def test_a_tap_never_clashes_with_a_typed_word(chat: Chat) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    # Typed "bantuan" is the help word; a name step takes any other text as her name.
    await chat.send("Bantuan")
    assert "Cara memakai" in chat.text
    await chat.tap("a:help")
    assert "Cara memakai" in chat.text and "nama lengkap" in chat.text


async def test_action_buttons_on_old_messages_keep_working(chat: Chat) -> None:
    await register(chat)
    old_menu = chat.choices
    await chat.send("ubah data")
    await chat.send("batal")
    await chat.tap(next(c.id for c in old_menu if c.label == "Bantuan"))
    assert "Cara memakai" in chat.text


async def test_a_guest_cannot_use_member_actions_even_with_a_forged_id(chat: Chat) -> None:
    await chat.tap("a:erase")
    assert "perlu mendaftar dulu" in chat.text
    await chat.tap("a:edit")
    assert "perlu mendaftar dulu" in chat.text


async def test_a_forged_switch_to_another_households_mother_gets_nowhere(
    app: App, chat: Chat
) -> None:
    neighbour = Chat(app.engine, identity="tg-9999")
    await register(neighbour, name="Tetangga Sebelah")
    await register(chat, name="Siti Aminah")
    for forged in ("a:use:1", "a:use:abc", "a:use:", "a:use:99999"):
        await chat.tap(forged)
        assert "tidak dikenal" in chat.text
        assert "Atas nama: Siti Aminah" in chat.text


async def test_start_with_a_code_unknown_used_or_expired(app: App, chat: Chat) -> None:
    await chat.send("/start NOPE-123")
    assert "tidak dikenal" in chat.text
    await chat.send("/start ../../etc/passwd")
    assert "tidak dikenal" in chat.text
    async with make_sessionmaker(app.db).begin() as s:
        s.add(OneTimeCode(purpose="test", code="old-code", expires_at=utcnow() - timedelta(days=1)))

    async def accept(ctx: Ctx, code: OneTimeCode) -> None:
        ctx.say("accepted")

    testing = Feature("testing", "test", codes={"test": accept})
    chat.engine = Engine(app.sessions, app.engine.config, Registry((*all_features(), testing)))
    await chat.send("/start old-code")
    assert "kedaluwarsa" in chat.text


async def test_start_in_the_middle_of_a_flow_continues_it(chat: Chat) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send("/start")
    assert "masih di tengah" in chat.text and "nama lengkap" in chat.text


async def test_two_fast_messages_from_one_chat_are_handled_in_order(app: App, chat: Chat) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    first = chat._incoming(Kind.TEXT, text="Siti Aminah")
    second = chat._incoming(Kind.TEXT, text="2")
    r1, r2 = await asyncio.gather(app.engine.handle(first), app.engine.handle(second))
    assert "kampung mana" in r1[0].text
    assert "RT/RW" in r2[0].text
    _, step, data = await state_of(app, chat.identity)
    assert step == "rtrw" and data["form"]["full_name"] == "Siti Aminah"


async def test_many_mothers_at_once_all_register(app: App) -> None:
    chats = [Chat(app.engine, identity=f"tg-{i}") for i in range(12)]
    names = [f"Siti {letter}" for letter in "ABCDEFGHIJKL"]
    await asyncio.gather(*(register(c, name=n) for c, n in zip(chats, names, strict=True)))
    assert all("sudah terdaftar" in c.text for c in chats)


async def test_a_handler_that_raises_apologises_and_keeps_the_state(
    app: App, chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await register(chat, name="Siti Aminah")
    await chat.send("ubah data")
    before = await state_of(app, chat.identity)

    async def broken(ctx: Ctx, args: list[str]) -> None:
        ctx.state.flow = "half-written"
        raise RuntimeError("boom")

    testing = Feature(
        "testing", "test", actions=(Action("test.broken", broken, frozenset({"ibu"})),)
    )
    engine = Engine(app.sessions, app.engine.config, Registry((*all_features(), testing)))
    chat.engine = engine
    caplog.set_level(logging.INFO)
    await chat.tap("a:test.broken")
    assert chat.text == t("id", "common.error")
    assert await state_of(app, chat.identity) == before
    assert "handler failed" in caplog.text and "Siti" not in caplog.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1", "a"), ("satu", "a"), ("2", "b"), (" Dua ", "b"), ("3", None), ("0", None),
     ("Ubah Nama", "b"), ("nama", "b"), ("xx", None), ("", None)],
)  # fmt: skip
def test_typed_answers_match_the_offered_menu(typed: str, expected: str | None) -> None:
    offered = [Choice("s:a", "Simpan"), Choice("s:b", "Ubah nama")]
    found, _several = match_screen(typed, offered)
    assert (found.id[2:] if found else None) == expected


def test_yes_and_no_words_pick_the_yes_and_no_buttons() -> None:
    offered = [Choice("s:yes", "Ya, setuju"), Choice("s:no", "Tidak setuju")]
    for word in ("iya", "ya", "boleh", "oke"):
        assert match_screen(word, offered) == (offered[0], False)
    for word in ("gak", "nggak", "tidak"):
        assert match_screen(word, offered) == (offered[1], False)


async def test_berhenti_silences_announcements_for_the_chat_and_mulai_brings_them_back(
    app: App, chat: Chat
) -> None:
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send("BERHENTI")
    assert "tidak dikirim lagi" in chat.text
    # Reminders for her own kegiatan keep coming (issue 10), and she is told so.
    assert "Pengingat dan kabar tentang kegiatan yang Ibu ikuti tetap dikirim" in chat.text
    assert "nama lengkap" in chat.text  # the registration waits where it was
    assert (await identity_of(app, chat.identity)).announcements_opted_out
    await chat.send("stop")
    assert (await identity_of(app, chat.identity)).announcements_opted_out
    await chat.send("Mulai")
    assert "dikirim lagi" in chat.text
    found = await identity_of(app, chat.identity)
    assert not found.announcements_opted_out and found.opted_out_at is None


async def test_staff_are_not_greeted_as_a_mother_of_a_kampung(app: App) -> None:
    from models.people.roles import grant_admin

    async with make_sessionmaker(app.db).begin() as s:
        await grant_admin(s, "telegram", "9001", actor="test")
    admin = Chat(app.engine, identity="9001", channel="telegram")
    await admin.send("/start")
    assert "menu petugas" in admin.text and "kampung Ibu" not in admin.text
    await admin.send("halo")
    assert "Selamat bertugas" in admin.text and "Bu!" not in admin.text


@pytest.mark.parametrize(("typed", "kind"), [("ibu binaan", "ibu"), ("kader", "kader")])
async def test_an_admin_typing_ibu_binaan_at_untuk_siapa_answers_the_question(
    app: App, typed: str, kind: str
) -> None:
    # Found in the demo: "ibu binaan" opened the kader's "Ibu binaan" list (a menu label)
    # instead of choosing "Ibu binaan saja" on the screen she was looking at.
    from models.people.roles import grant_admin

    async with make_sessionmaker(app.db).begin() as s:
        await grant_admin(s, "telegram", "9002", actor="test")
    admin = Chat(app.engine, identity="9002", channel="telegram")
    await admin.tap("a:bc.new")
    await admin.send("Posyandu besok jam 8 di balai RW.")
    assert "untuk siapa" in admin.text
    await admin.send(typed)
    assert "kampung mana" not in admin.text
    flow, step, data = await state_of(app, admin.identity)
    assert (flow, step) == ("bc.compose", "preview")
    assert data["form"]["audience_kind"] == kind


async def test_words_not_understood_on_a_kegiatan_page_keep_her_on_that_page(
    app: App, chat: Chat
) -> None:
    # Found trying the demo: "ya" under a kegiatan's page sent Siti to the main menu; she
    # had to find the kegiatan again.
    from tests.support.fakes.kegiatan import kegiatan

    await register(chat)
    await kegiatan(app, "Pelatihan menjahit", kuota=5)
    await chat.send("kegiatan")
    await chat.send("1")
    assert "Pelatihan menjahit" in chat.text and "Daftar" in chat.labels
    page = chat.labels
    await chat.send("ya dong")
    assert "belum mengerti" in chat.text and chat.labels == page
    await chat.send("1")
    assert "Menu utama" not in chat.text
