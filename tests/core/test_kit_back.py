"""The wizard kit's `back`: a wizard started from a page (a kegiatan's, a report's…) names
that page, and "batal", "gak jadi" or its "Tidak/Jangan" option (returning BACK) end it
with its `cancelled` message on that page; without `back` they end on the main menu as
before. A test feature declares both kinds."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.app import App
from handlers.core.common import CORE
from handlers.core.context import Ctx
from handlers.core.engine import Engine
from handlers.core.feature import ANYONE, Action, Feature, Registry
from handlers.core.steps import Menu, Option, Text
from handlers.core.types import Choice, action
from handlers.core.wizard import Wizard, back_out
from handlers.members import MEMBERS_FEATURE
from handlers.parse.ids import arg_id
from tests.support.chat import Chat
from tests.support.lookups import state_of


class Thing(BaseModel):
    page: int = 0
    judul: str = "Posyandu"
    nama: str | None = None


async def page(ctx: Ctx, args: list[str]) -> None:
    ctx.finish()
    n = arg_id(args)
    ctx.show(f"HALAMAN {n}", [Choice(action("test.paged", n), "Ubah"), Choice(action("x"), "X")])


async def _page(ctx: Ctx, form: Thing) -> None:
    await page(ctx, [str(form.page)])


async def save(ctx: Ctx, form: Thing) -> str | None:
    ctx.finish()
    ctx.say("SAVED")
    return None


def steps() -> tuple[Text, Menu]:
    return (
        Text(name="nama", ask="reg.ask_name"),
        Menu(
            name="confirm",
            ask="kgm.confirm_cancel",
            choose=lambda _ctx, _form: (
                Option("yes", "kgm.yes_cancel", save, words=("ya",)),
                Option("no", "kgm.no_cancel", back_out, words=("jangan",)),
            ),
        ),
    )


PAGED = Wizard("test.paged", Thing, steps(), roles=ANYONE, cancelled="kgm.kept", back=_page)
PLAIN = Wizard("test.plain", Thing, steps(), roles=ANYONE, cancelled="kgm.kept")


async def _start_paged(ctx: Ctx, args: list[str]) -> None:
    await PAGED.start(ctx, Thing(page=arg_id(args)))


async def _start_plain(ctx: Ctx, _args: list[str]) -> None:
    await PLAIN.start(ctx, Thing())


TESTING = Feature(
    "testing",
    "test",
    actions=(
        Action("test.page", page),
        Action("test.paged", _start_paged),
        Action("test.plain", _start_plain),
    ),
    flows=(PAGED, PLAIN),
)


@pytest.fixture
def kit_chat(app: App) -> Chat:
    engine = Engine(app.sessions, app.engine.config, Registry((CORE, MEMBERS_FEATURE, TESTING)))
    return Chat(engine, identity="tg-kit")


@pytest.mark.parametrize(
    "answers", [("batal",), ("gak jadi",), ("Siti", "batal"), ("Siti", "jangan")]
)
async def test_a_wizard_with_back_ends_on_the_page_it_was_started_from(
    app: App, kit_chat: Chat, answers: tuple[str, ...]
) -> None:
    await kit_chat.tap("a:test.page:7")
    await kit_chat.tap_label("Ubah")
    for answer in answers:
        await kit_chat.send(answer)
    assert kit_chat.text == "Baik, kegiatan Posyandu tidak dibatalkan.\nHALAMAN 7"
    assert kit_chat.labels == ["Ubah", "X"]
    assert (await state_of(app, kit_chat.identity))[0] is None
    await kit_chat.tap_label("Ubah")  # the page works as before
    await kit_chat.send("Siti")
    await kit_chat.send("ya")
    assert "SAVED" in kit_chat.text


@pytest.mark.parametrize("answers", [("batal",), ("Siti", "jangan")])
async def test_a_wizard_without_back_ends_on_the_main_menu(
    app: App, kit_chat: Chat, answers: tuple[str, ...]
) -> None:
    await kit_chat.tap("a:test.plain")
    for answer in answers:
        await kit_chat.send(answer)
    assert "Baik, kegiatan Posyandu tidak dibatalkan." in kit_chat.text
    assert "Menu utama" in kit_chat.text and "HALAMAN" not in kit_chat.text
    assert (await state_of(app, kit_chat.identity))[0] is None
