"""The kit's Day and Photos steps on their own, in a small test wizard: a day looking
ahead and one looking back (typed, tapped, or a suggestion's number), photos with a
fewest and a most, clearing them, and a channel that cannot fetch photos."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel

from bot.app import App
from handlers.core.common import CORE
from handlers.core.context import Ctx
from handlers.core.engine import Engine
from handlers.core.feature import ANYONE, Action, Feature, Registry
from handlers.core.photos import Photos
from handlers.core.steps import Day, Option, Summary
from handlers.core.types import Media
from handlers.core.wizard import Wizard
from models import utcnow
from tests.support.chat import Chat
from tests.support.lookups import state_of
from tests.support.reports import photo, photo_downloader

WIB = ZoneInfo("Asia/Jakarta")


class Visit(BaseModel):
    plan: date | None = None
    held: date | None = None
    pics: list[str] = []


async def likely(ctx: Ctx, _form: Visit) -> list[tuple[str, str]]:
    today = ctx.now.astimezone(ctx.tz).date()
    return [(today.isoformat(), "Hari ini"), ((today - timedelta(days=1)).isoformat(), "Kemarin")]


async def save(ctx: Ctx, form: Visit) -> str | None:
    ctx.finish()
    ctx.say("SAVED " + form.model_dump_json())
    return None


VISIT = Wizard(
    "test.visit",
    Visit,
    (
        Day(name="plan", ask="kgm.ask_mulai"),
        Day(name="held", ask="lapor.ask_day", direction="past", suggest=likely),
        Photos(
            name="pics",
            ask="lapor.ask_photos",
            again="lapor.ask_photos_more",
            folder="visits",
            fewest=1,
            most=2,
            edit="lapor.edit_photos",
        ),
        Summary(name="summary", ask="reg.summary", saves=(Option("save", "reg.save", save),)),
    ),
    roles=ANYONE,
)


async def _start(ctx: Ctx, _args: list[str]) -> None:
    await VISIT.start(ctx)


TESTING = Feature("testing", "test", actions=(Action("test.visit", _start),), flows=(VISIT,))


@pytest.fixture
def kit_chat(app: App) -> Chat:
    engine = Engine(app.sessions, app.engine.config, Registry((CORE, TESTING)))
    return Chat(engine, identity="tg-kit")


@pytest.fixture
def photos() -> Iterator[list[Media]]:
    with photo_downloader() as asked:
        yield asked


def today() -> date:
    return utcnow().astimezone(WIB).date()


async def form_of(app: App) -> tuple[str | None, dict[str, Any]]:
    _flow, step, data = await state_of(app, "tg-kit")
    return step, dict(data.get("form") or {})


async def test_a_day_ahead_and_a_day_back(app: App, kit_chat: Chat) -> None:
    await kit_chat.tap("a:test.visit")
    await kit_chat.send("kemarin")
    assert "sudah lewat" in kit_chat.text and (await form_of(app))[0] == "plan"
    await kit_chat.send("besok")
    step, form = await form_of(app)
    assert step == "held" and form["plan"] == (today() + timedelta(days=1)).isoformat()
    assert kit_chat.labels == ["Hari ini", "Kemarin"]
    await kit_chat.send("lusa")
    assert "belum terjadi" in kit_chat.text and (await form_of(app))[0] == "held"
    await kit_chat.send("2")  # no day: the second suggestion
    step, form = await form_of(app)
    assert step == "pics" and form["held"] == (today() - timedelta(days=1)).isoformat()


async def test_a_bare_number_beyond_the_suggestions_is_asked_about(
    app: App, kit_chat: Chat
) -> None:
    await kit_chat.tap("a:test.visit")
    await kit_chat.send("besok")
    await kit_chat.send("3")
    assert "Tanggal berapa, bulan apa?" in kit_chat.text
    await kit_chat.tap_label("Hari ini")
    assert (await form_of(app))[1]["held"] == today().isoformat()


async def test_photos_with_a_fewest_a_most_and_a_fresh_start(
    app: App, kit_chat: Chat, photos: list[Media]
) -> None:
    await kit_chat.tap("a:test.visit")
    await kit_chat.send("besok")
    await kit_chat.send("hari ini")
    assert kit_chat.labels == []  # at least one photo: no "Tanpa foto"
    await kit_chat.send("selesai")
    assert "paling sedikit 1 foto" in kit_chat.text
    await kit_chat.deliver(photo(kit_chat, "p1"))
    assert "1 dari 2" in kit_chat.text and kit_chat.labels == ["Selesai", "Hapus foto"]
    await kit_chat.send("2")  # the second button, typed
    assert "Foto sudah dihapus" in kit_chat.text and (await form_of(app))[1]["pics"] == []
    await kit_chat.deliver(photo(kit_chat, "p2"))
    await kit_chat.deliver(photo(kit_chat, "p3"))
    assert "2 foto tersimpan" in kit_chat.text
    step, form = await form_of(app)
    assert step == "summary" and [p.split("/")[0] for p in form["pics"]] == ["visits", "visits"]


async def test_a_channel_that_cannot_fetch_photos_says_so(app: App, kit_chat: Chat) -> None:
    await kit_chat.tap("a:test.visit")
    await kit_chat.send("besok")
    await kit_chat.send("hari ini")
    assert "belum bisa dikirim lewat saluran ini" in kit_chat.text
    await kit_chat.deliver(photo(kit_chat, "p1"))
    assert "belum bisa dikirim" in kit_chat.text and (await form_of(app))[0] == "pics"
    # No photo can come this way, so none is required.
    assert kit_chat.labels == ["Tanpa foto"]
    await kit_chat.tap_label("Tanpa foto")
    step, form = await form_of(app)
    assert step == "summary" and form["pics"] == []


@pytest.mark.parametrize("typed", ["tidak ada foto", "gak ada fotonya", "nggak", "belum ada foto"])
async def test_no_photo_said_in_her_own_words(app: App, kit_chat: Chat, typed: str) -> None:
    """Found trying the demo: "tidak ada foto" was asked again instead of going on."""
    await kit_chat.tap("a:test.visit")
    await kit_chat.send("besok")
    await kit_chat.send("hari ini")
    await kit_chat.send(typed)
    step, form = await form_of(app)
    assert step == "summary" and form["pics"] == []


async def test_a_photo_promised_later_is_not_taken_as_none(app: App, kit_chat: Chat) -> None:
    await kit_chat.tap("a:test.visit")
    await kit_chat.send("besok")
    await kit_chat.send("hari ini")
    await kit_chat.send("foto menyusul")
    assert (await form_of(app))[0] == "pics"
