"""'Masuk web' in chat: an admin or a kader gets a one-time link without a link preview
that signs her in through its "Masuk" button; a new link ends the older one; a mother
gets none; at most a few links an hour; without WEB_BASE_URL the chat says so."""

from __future__ import annotations

import dataclasses

import httpx

from bot.app import App
from handlers.core.engine import Engine
from tests.support.chat import Chat, register
from tests.support.reports import admin_chat, kader_chat
from tests.support.web import press_masuk

BASE = "https://konsol.example.id"


def with_console(app: App) -> Engine:
    return Engine(app.sessions, dataclasses.replace(app.engine.config, web_base_url=BASE))


def link_in(chat: Chat) -> str:
    [reply] = chat.replies
    assert reply.no_preview
    [line] = [w for w in reply.text.split() if w.startswith(BASE)]
    return line.removeprefix(BASE)


async def test_kader_types_masuk_web_and_signs_in_with_the_link(
    app: App, web: httpx.AsyncClient
) -> None:
    rina = await kader_chat(app)
    rina.engine = with_console(app)
    await rina.send("Masuk web")
    assert "berlaku 10 menit" in rina.text
    first = link_in(rina)
    await rina.send("masuk web")
    second = link_in(rina)
    assert (await web.get(first)).status_code == 403  # the new link ended the older one
    assert (await web.post(first)).status_code == 403
    assert (await press_masuk(web, second)).status_code == 303
    assert "Rina Kader" in (await web.get("/admin/")).text


async def test_links_are_limited_per_hour_and_mothers_get_none(app: App, chat: Chat) -> None:
    admin = await admin_chat(app)
    admin.engine = with_console(app)
    await admin.send("menu")
    for _ in range(5):
        await admin.send("Masuk web")
        assert link_in(admin)
    await admin.send("Masuk web")
    assert "terlalu banyak" in admin.text and not admin.replies[0].no_preview

    await register(chat, name="Ani Suryani")
    chat.engine = with_console(app)
    await chat.tap("a:wl.link")  # a forged button: the router refuses it
    assert "hanya untuk petugas" in chat.text and BASE not in chat.text
    await chat.send("Masuk web")
    assert BASE not in chat.text and not any(r.no_preview for r in chat.replies)


async def test_without_web_base_url_the_chat_says_the_console_is_not_set_up(app: App) -> None:
    admin = await admin_chat(app)
    await admin.send("Masuk web")
    assert "belum dipasang" in admin.text
