"""The wizard kit on its own: each step kind with good, bad and forgiving answers, the
summary, "lewati", idle expiry, a restart mid-wizard, stored flows it cannot read, and
the registry's refusal of duplicate names. A test feature declares a six-step wizard
the way a real feature would."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from bot.app import App
from handlers.core.common import CORE
from handlers.core.context import Ctx
from handlers.core.engine import Engine
from handlers.core.feature import ADMIN, ANYONE, Action, DuplicateName, Feature, Registry
from handlers.core.steps import Number, Option, Pick, Summary, Text, When, YesNo
from handlers.core.types import Incoming, Kind
from handlers.core.wizard import Wizard
from handlers.members import MEMBERS_FEATURE
from models import ConversationState, make_sessionmaker, utcnow
from models.people.members import ensure_identity
from tests.support.chat import Chat
from tests.support.lookups import state_of


class Order(BaseModel):
    nama: str | None = None
    catatan: str | None = None
    jumlah: int | None = None
    warna: str | None = None
    antar: bool | None = None
    kapan: datetime | None = None


async def colours(_ctx: Ctx, _form: Order) -> list[tuple[str, str]]:
    return [("merah", "Merah"), ("biru", "Biru muda")]


async def save(ctx: Ctx, form: Order) -> str | None:
    ctx.finish()
    ctx.say("SAVED " + form.model_dump_json())
    return None


NO_LIMIT = ((0, "kgm.no_limit", ("tanpa batas",)),)
KUOTA = "kgm.edit_kuota"
SAVE = (Option("save", "reg.save", save),)

# About a line per step, plus its catalog texts (borrowed here from existing keys).
ORDER = Wizard(
    "test.order",
    Order,
    (
        Text(name="nama", ask="reg.ask_name", max_len=20, edit="reg.edit_name"),
        Text(name="catatan", ask="kgm.ask_narasumber", optional=True),
        Number(name="jumlah", ask="kgm.ask_kuota", minimum=1, shortcuts=NO_LIMIT, edit=KUOTA),
        Pick(name="warna", ask="reg.ask_kampung", choices=colours),
        YesNo(name="antar", ask="reg.consent"),
        When(name="kapan", ask="kgm.ask_mulai"),
        Summary(name="summary", ask="reg.summary", saves=SAVE, fields=("nama", "jumlah")),
    ),
    roles=ANYONE,
)  # fmt: skip


async def _start(ctx: Ctx, _args: list[str]) -> None:
    await ORDER.start(ctx)


async def _start_admin(ctx: Ctx, _args: list[str]) -> None:
    await ADMIN_ONLY.start(ctx)


ADMIN_ONLY = Wizard(
    "test.admin", Order, (Text(name="nama", ask="reg.ask_name"),), roles=ADMIN, done=save
)
TESTING = Feature(
    "testing",
    "test",
    actions=(Action("test.order", _start), Action("test.admin", _start_admin, ADMIN)),
    flows=(ORDER, ADMIN_ONLY),
)


@pytest.fixture
def kit_chat(app: App) -> Chat:
    # Only the features this story needs.
    engine = Engine(app.sessions, app.engine.config, Registry((CORE, MEMBERS_FEATURE, TESTING)))
    return Chat(engine, identity="tg-kit")


async def form_of(app: App, chat: Chat) -> tuple[str | None, dict[str, Any]]:
    _flow, step, data = await state_of(app, chat.identity)
    return step, dict(data.get("form") or {})


async def reach(chat: Chat, step: str) -> None:
    answers = {"nama": "Siti", "catatan": "lewati", "jumlah": "3", "warna": "1", "antar": "ya"}
    await chat.tap("a:test.order")
    for name, answer in answers.items():
        if name == step:
            return
        await chat.send(answer)


async def test_text_step_takes_text_and_refuses_kindly(app: App, kit_chat: Chat) -> None:
    await kit_chat.tap("a:test.order")
    await kit_chat.send("x" * 21)
    assert "Terlalu panjang (21 huruf)" in kit_chat.text and "nama lengkap" in kit_chat.text
    await kit_chat.send_kind(Kind.PHOTO)
    assert "dengan tulisan" in kit_chat.text
    assert (await form_of(app, kit_chat))[0] == "nama"
    await kit_chat.send("  Siti  ")
    assert await form_of(app, kit_chat) == ("catatan", {**Order(nama="Siti").model_dump()})


@pytest.mark.parametrize("typed", ["lewati", "Lewati", "skip", "-", "tidak ada"])
async def test_optional_step_is_skipped_by_word(app: App, kit_chat: Chat, typed: str) -> None:
    await reach(kit_chat, "catatan")
    await kit_chat.send(typed)
    step, form = await form_of(app, kit_chat)
    assert step == "jumlah" and form["catatan"] is None


async def test_a_word_inside_the_skip_label_is_an_answer_not_a_skip(
    app: App, kit_chat: Chat
) -> None:
    await reach(kit_chat, "catatan")
    await kit_chat.send("Wati")  # not "Lewati"
    assert (await form_of(app, kit_chat))[1]["catatan"] == "Wati"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1", 1), ("satu", 1), ("25 orang", 25), ("2️⃣5️⃣", 25), ("dua puluh", 20),
     ("tanpa batas", 0), ("Tanpa batas", 0)],
)  # fmt: skip
async def test_number_step_reads_numbers_before_its_shortcut_buttons(
    app: App, kit_chat: Chat, typed: str, stored: int
) -> None:
    await reach(kit_chat, "jumlah")
    assert kit_chat.labels == ["Tanpa batas"]  # button 1, yet "1" is one
    await kit_chat.send(typed)
    step, form = await form_of(app, kit_chat)
    assert (step, form["jumlah"]) == ("warna", stored)


@pytest.mark.parametrize(("typed", "problem"), [("banyak", "angka"), ("0", "paling sedikit 1")])
async def test_number_step_refuses_kindly(
    app: App, kit_chat: Chat, typed: str, problem: str
) -> None:
    await reach(kit_chat, "jumlah")
    await kit_chat.send(typed)
    assert problem in kit_chat.text and kit_chat.labels == ["Tanpa batas"]
    assert (await form_of(app, kit_chat))[0] == "jumlah"


async def test_number_shortcut_by_its_button(app: App, kit_chat: Chat) -> None:
    await reach(kit_chat, "jumlah")
    await kit_chat.tap_label("Tanpa batas")
    assert (await form_of(app, kit_chat))[1]["jumlah"] == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("2", "biru"), ("biru", "biru"), ("Biru Muda", "biru"), ("merah", "merah")],
)
async def test_pick_step_by_number_or_whole_words(
    app: App, kit_chat: Chat, typed: str, stored: str
) -> None:
    await reach(kit_chat, "warna")
    await kit_chat.send(typed)
    assert (await form_of(app, kit_chat))[1]["warna"] == stored


@pytest.mark.parametrize("typed", ["mer", "uda", "3", "hijau"])
async def test_pick_step_never_matches_a_piece_of_a_word(
    app: App, kit_chat: Chat, typed: str
) -> None:
    await reach(kit_chat, "warna")
    await kit_chat.send(typed)
    assert "pilih dari daftar" in kit_chat.text
    assert (await form_of(app, kit_chat))[0] == "warna"


@pytest.mark.parametrize(
    ("typed", "stored"), [("iya", True), ("sip", True), ("gak", False), ("nggak", False)]
)
async def test_yes_no_step_takes_everyday_words(
    app: App, kit_chat: Chat, typed: str, stored: bool
) -> None:
    await reach(kit_chat, "antar")
    await kit_chat.send(typed)
    assert (await form_of(app, kit_chat))[1]["antar"] is stored


async def test_when_step_reads_indonesian_dates_and_refuses_the_past(
    app: App, kit_chat: Chat
) -> None:
    await reach(kit_chat, "kapan")
    await kit_chat.send("kemarin jam 9")
    assert "sudah lewat" in kit_chat.text
    await kit_chat.send("besok")
    assert "hari dan jamnya" in kit_chat.text
    await kit_chat.send("besok jam 9")
    step, form = await form_of(app, kit_chat)
    assert step == "summary"
    moment = datetime.fromisoformat(form["kapan"])
    assert (moment.hour, moment.minute) == (9, 0)


@pytest.mark.parametrize(
    "yes", ["ya", "iya", "sip", "ok", "oke", "benar", "betul", "sudah", "yes", "simpan"]
)
async def test_yes_on_a_summary_means_save(kit_chat: Chat, yes: str) -> None:
    await reach(kit_chat, "kapan")
    await kit_chat.send("besok jam 9")
    await kit_chat.send(yes)
    assert "SAVED" in kit_chat.text and '"nama":"Siti"' in kit_chat.text


async def test_a_change_from_the_summary_returns_to_the_summary(app: App, kit_chat: Chat) -> None:
    await reach(kit_chat, "kapan")
    await kit_chat.send("besok jam 9")
    await kit_chat.tap_label("Ubah kuota")
    assert (await form_of(app, kit_chat))[0] == "jumlah"
    await kit_chat.send("7")
    step, form = await form_of(app, kit_chat)
    assert (step, form["jumlah"], form["warna"]) == ("summary", 7, "merah")


async def test_a_restart_mid_wizard_continues_with_everything_given(
    app: App, kit_chat: Chat
) -> None:
    await reach(kit_chat, "warna")
    fresh = Engine(app.sessions, app.engine.config, Registry((CORE, MEMBERS_FEATURE, TESTING)))
    again = Chat(fresh, identity=kit_chat.identity)
    await again.send("2")
    step, form = await form_of(app, again)
    assert (step, form["nama"], form["jumlah"], form["warna"]) == ("antar", "Siti", 3, "biru")


async def test_a_half_finished_flow_expires_with_a_short_note(app: App, kit_chat: Chat) -> None:
    await reach(kit_chat, "warna")
    later = Incoming(
        channel=kit_chat.channel,
        identity=kit_chat.identity,
        message_id="later-1",
        kind=Kind.TEXT,
        text="2",
        received_at=utcnow() + timedelta(hours=25),
    )
    await kit_chat.deliver(later)
    assert "sudah lama tidak dilanjutkan" in kit_chat.text and "Menu utama" in kit_chat.text
    flow, _step, _data = await state_of(app, kit_chat.identity)
    assert flow is None


@pytest.mark.parametrize(
    ("flow", "step", "data"),
    [("register", "whom", {"mode": "new"}), ("erase", "confirm", {"member_id": 1}),
     ("mb.register", "name", {"form": {"consent_at": "not a date"}}),
     ("mb.register", "name", {"kit": 2, "form": {"rtrw": "x"}})],
)  # fmt: skip
async def test_stored_conversations_it_cannot_read_end_with_a_note_not_an_error(
    app: App, chat: Chat, flow: str, step: str, data: dict[str, Any]
) -> None:
    async with make_sessionmaker(app.db).begin() as s:
        identity_id = await ensure_identity(s, chat.channel, chat.identity)
        state = await s.get_one(ConversationState, identity_id)
        state.flow, state.step, state.data = flow, step, data
    await chat.send("Siti Aminah")
    assert "mohon ulangi dari menu" in chat.text.casefold()
    assert "Menu utama" in chat.text
    assert (await state_of(app, chat.identity))[0] is None


async def test_roles_are_checked_on_every_answer(app: App, kit_chat: Chat) -> None:
    await kit_chat.tap("a:test.admin")
    assert "hanya untuk petugas" in kit_chat.text
    async with make_sessionmaker(app.db).begin() as s:
        identity_id = await ensure_identity(s, kit_chat.channel, kit_chat.identity)
        state = await s.get_one(ConversationState, identity_id)
        state.flow, state.step, state.data = "test.admin", "nama", {"kit": 2, "form": {}}
    await kit_chat.send("Siti")  # a forged or left-over state: still refused
    assert "hanya untuk petugas" in kit_chat.text and "SAVED" not in kit_chat.text


def test_a_name_used_twice_stops_the_start() -> None:
    twin = Feature("twin", "test", actions=(Action("test.order", _start),))
    with pytest.raises(DuplicateName):
        Registry((CORE, TESTING, twin))
    with pytest.raises(DuplicateName):
        Registry((CORE, Feature("core", "other")))
    with pytest.raises(DuplicateName):  # one prefix per feature
        Registry((CORE, Feature("bad", "bad", actions=(Action("other.x", _start),))))
    with pytest.raises(ValueError, match="twice"):
        Wizard("x", Order, (Text(name="a", ask="k"), Text(name="a", ask="k")))


@pytest.mark.parametrize("typed", ["gak jadi", "tidak jadi"])
async def test_gak_jadi_on_a_yes_no_question_is_no_not_cancel(
    app: App, kit_chat: Chat, typed: str
) -> None:
    await reach(kit_chat, "antar")
    await kit_chat.send(typed)
    step, form = await form_of(app, kit_chat)
    assert (step, form["antar"]) == ("kapan", False)
