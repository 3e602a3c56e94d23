"""What a reply looks like on WhatsApp, within its limits: buttons, a list or a numbered
text; long texts in pieces; and every menu label with a form that fits."""

from __future__ import annotations

import httpx
import pytest

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_render import (
    BUTTON_TITLE,
    MAX_BODY,
    MAX_TEXT,
    ROW_DESCRIPTION,
    ROW_TITLE,
    SHORT,
    fitting,
    render,
    wa_len,
)
from handlers.core.i18n import LANGUAGES, catalog, t
from handlers.core.types import Choice, Reply, action, step_answer
from handlers.features import default_registry
from models.base import transaction
from models.people.roles import grant_admin
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.whatsapp import WaUser


def menu(n: int, label: str = "Pilihan") -> tuple[Choice, ...]:
    return tuple(Choice(step_answer(f"c{i}"), f"{label} {i}") for i in range(1, n + 1))


def test_twelve_choices_come_as_numbered_text_and_four_as_a_list() -> None:
    [twelve] = render(Reply("Pilih salah satu:", menu(12)), "id")
    assert twelve.type == "text"
    lines = twelve.content["body"].splitlines()
    assert lines[0] == "Pilih salah satu:" and lines[-1] == "12. Pilihan 12"
    assert "1. Pilihan 1" in lines
    [four] = render(Reply("Pilih salah satu:", menu(4)), "id")
    assert (four.type, four.content["type"]) == ("interactive", "list")
    rows = four.content["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["s:c1", "s:c2", "s:c3", "s:c4"]
    assert four.content["action"]["button"] == "Pilih"
    [three] = render(Reply("Setuju?", menu(3)), "id")
    assert three.content["type"] == "button"
    assert [b["reply"]["title"] for b in three.content["action"]["buttons"]] == [
        "Pilihan 1", "Pilihan 2", "Pilihan 3",
    ]  # fmt: skip


def test_a_label_too_long_for_a_button_uses_its_short_form_or_another_layout() -> None:
    long_label = t("id", "kegiatan.btn_leave_waitlist")  # "Keluar dari daftar tunggu"
    assert wa_len(long_label) > BUTTON_TITLE
    [out] = render(Reply("Ibu di daftar tunggu.", (Choice(action("kg.x", 1), long_label),)), "id")
    assert out.content["type"] == "button"
    assert out.content["action"]["buttons"][0]["reply"]["title"] == "Keluar daftar tunggu"
    # A label with no short form that fits a row (24) but not a button (20): a list row.
    odd = "Tanya ke petugas kampung"  # 24 characters
    [out] = render(
        Reply("?", (Choice(step_answer("a"), odd), Choice(step_answer("b"), "Ya"))), "id"
    )
    assert out.content["type"] == "list"
    # One longer than any row and without a short form: numbered text, never cut.
    odder = "Tanyakan ke petugas kampung saja"
    [out] = render(
        Reply("?", (Choice(step_answer("a"), odder), Choice(step_answer("b"), "Ya"))), "id"
    )
    assert out.type == "text" and "1. Tanyakan ke petugas kampung saja" in out.content["body"]


def test_a_shortened_list_row_keeps_the_full_label_as_its_description() -> None:
    full = t("id", "broadcast.menu_list")
    choices = (*menu(3), Choice(action("bc.list"), full))
    [out] = render(Reply("Menu", choices), "id")
    row = out.content["action"]["sections"][0]["rows"][-1]
    assert (row["title"], row["description"]) == ("Daftar pengumuman", full)


def test_long_texts_go_in_pieces_within_the_limits() -> None:
    para = ("Kegiatan posyandu di balai warga. " * 20).strip()
    long_text = "\n".join([para] * 12)  # about 8000 characters
    pieces = render(Reply(long_text, menu(2)), "id")
    *texts, last = pieces
    assert all(p.type == "text" and wa_len(p.content["body"]) <= MAX_TEXT for p in texts)
    assert last.type == "interactive" and wa_len(last.content["body"]["text"]) <= MAX_BODY
    joined = "\n".join([*(p.content["body"] for p in texts), last.content["body"]["text"]])
    assert joined.replace("\n", "") == long_text.replace("\n", "")


def menu_labels() -> set[str]:
    registry = default_registry()
    return {e.label_key for e in registry.menu} | {"menu.more", "menu.back"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_menu_label_has_a_form_that_fits_a_list_row(lang: str) -> None:
    for key in sorted(menu_labels()):
        label = t(lang, key)
        assert fitting(label, ROW_TITLE) is not None, f"{key} ({lang}): {label!r} needs {key}.short"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_short_form_fits_a_button_and_belongs_to_a_longer_label(lang: str) -> None:
    messages = catalog(lang)
    shorts = {k: v for k, v in messages.items() if k.endswith(SHORT)}
    assert len(shorts) >= 20
    for key, short in shorts.items():
        full = messages[key.removesuffix(SHORT)]
        assert wa_len(short) <= BUTTON_TITLE, key
        assert short != full or wa_len(full) <= BUTTON_TITLE, key
        assert wa_len(full) <= ROW_DESCRIPTION, key
    # Some label of either language is too long for a button, so its short form is used.
    assert any(wa_len(messages[k.removesuffix(SHORT)]) > BUTTON_TITLE for k in shorts)


async def test_an_admins_long_more_menu_is_numbered_text_and_a_typed_number_opens_it(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    async with transaction(app.sessions) as s:
        await grant_admin(s, "whatsapp", "ID.777", actor="test")
    admin = WaUser(web, graph, whatsapp, user_id="ID.777", wa_id=None)
    *_, main = await admin.say("menu", "Menu utama")
    assert main.interactive == "list"
    await admin.tap("Lainnya", "")
    [more] = admin.new()
    assert more.type == "text"
    lines = [line for line in more.text.splitlines() if line[:1].isdigit()]
    assert len(lines) > 10
    tenggat = next(n for n, line in enumerate(lines, start=1) if line.endswith(". Tenggat"))
    await admin.say(str(tenggat), "enggat")
