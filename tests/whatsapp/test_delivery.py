"""Proactive messages on WhatsApp through the real outbox dispatcher: inside her 24-hour
window as normal messages, outside it as their approved templates (or waiting for her next
message), and Meta's refusals, in the send's answer or later in a status webhook."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import WaApi, make_client
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.channels.whatsapp_templates import DEFAULT_TEMPLATES
from models import ChannelIdentity, utcnow
from models.base import transaction
from models.outbox.tables import OutboxMessage, enqueue
from scheduler.dispatcher import Dispatcher
from tests.support.fakes.graph_api import BASE_URL, PHONE_ID, FakeGraphAPI
from tests.support.fakes.outbox import add_member
from tests.support.whatsapp import TOKEN, WaUser, post, status_update

SITI = "6281234567890"
WIB = ZoneInfo("Asia/Jakarta")
REMINDER = {
    "judul": "Posyandu Melati", "when": "Kamis, 3 Desember 2026 pukul 09.00 WIB",
    "tempat": "Balai Warga Sumberan", "lang": "id",
    "choices": [{"id": "a:kg.keep:7:1", "key": "reminders.btn_keep"},
                {"id": "a:kg.unsignup:7:1", "key": "kegiatan.btn_unsignup"}],
}  # fmt: skip


def sender_for(graph: FakeGraphAPI, **kw: Any) -> WhatsAppSender:
    client = make_client(PHONE_ID, TOKEN, api_version="23.0", base_url=BASE_URL,
                         transport=graph.transport())  # fmt: skip
    registry = kw.pop("registry", dict(DEFAULT_TEMPLATES))
    return WhatsAppSender(WaApi(client, PHONE_ID), max_rate=70, registry=registry, **kw)


async def siti(app: App, *, wrote_hours_ago: float | None) -> int:
    async with transaction(app.sessions) as s:
        _, identity_id = await add_member(s, SITI, channel="whatsapp")
        if wrote_hours_ago is not None:
            at = utcnow() - timedelta(hours=wrote_hours_ago)
            await s.execute(
                update(ChannelIdentity)
                .where(ChannelIdentity.id == identity_id)
                .values(last_inbound_at=at)
            )
    return identity_id


async def queue(app: App, identity_id: int, kind: str, params: dict[str, Any], key: str) -> int:
    async with transaction(app.sessions) as s:
        row_id = await enqueue(
            s, identity_id=identity_id, channel="whatsapp", kind=kind, params=params,
            idempotency_key=key, respects_opt_out=kind == "announcement",
        )  # fmt: skip
    assert row_id is not None
    return row_id


async def dispatch(app: App, sender: WhatsAppSender) -> None:
    async with Dispatcher(app.sessions, [sender], tz=WIB, quiet_hours=None) as dispatcher:
        await dispatcher.run_once()


async def row(app: App, row_id: int) -> OutboxMessage:
    async with app.sessions() as s:
        return await s.get_one(OutboxMessage, row_id)


async def identity(app: App, identity_id: int) -> ChannelIdentity:
    async with app.sessions() as s:
        return await s.get_one(ChannelIdentity, identity_id)


async def test_a_reminder_outside_the_window_goes_as_its_template_with_her_buttons(
    app: App, graph: FakeGraphAPI
) -> None:
    chat = await siti(app, wrote_hours_ago=30)
    reminder = await queue(app, chat, "kegiatan_reminder", REMINDER, "r1")
    await dispatch(app, sender_for(graph))
    [sent] = graph.to(SITI)
    assert sent.type == "template"
    assert sent.content["name"] == "p2wkss_pengingat_kegiatan"
    assert sent.content["language"] == {"code": "id"}
    body, keep, cancel = sent.content["components"]
    assert [p["text"] for p in body["parameters"]] == [
        "Ibu", "Posyandu Melati", "Kamis, 3 Desember 2026 pukul 09.00 WIB", "Balai Warga Sumberan",
    ]  # fmt: skip
    assert (keep["index"], keep["parameters"][0]["payload"]) == ("0", "a:kg.keep:7:1")
    assert (cancel["index"], cancel["parameters"][0]["payload"]) == ("1", "a:kg.unsignup:7:1")
    r = await row(app, reminder)
    assert (r.status, r.provider_message_id) == ("sent", sent.id)


async def test_inside_the_window_a_reminder_is_a_normal_message_with_buttons(
    app: App, graph: FakeGraphAPI
) -> None:
    chat = await siti(app, wrote_hours_ago=2)
    await queue(app, chat, "kegiatan_reminder", REMINDER, "r1")
    await dispatch(app, sender_for(graph))
    [sent] = graph.to(SITI)
    assert sent.interactive == "button" and "Posyandu Melati" in sent.text
    assert sent.choices() == [("a:kg.keep:7:1", "Tetap ikut"), ("a:kg.unsignup:7:1", "Batal ikut")]


async def test_a_kind_without_a_template_waits_for_her_next_message(
    app: App, graph: FakeGraphAPI, web: httpx.AsyncClient, whatsapp: WhatsAppChannel
) -> None:
    chat = await siti(app, wrote_hours_ago=30)
    registry = {k: v for k, v in DEFAULT_TEMPLATES.items() if k != "announcement"}
    sender = sender_for(graph, registry=registry)
    notice = await queue(
        app, chat, "announcement", {"text": "Kerja bakti Minggu", "lang": "id"}, "a1"
    )
    await dispatch(app, sender)
    r = await row(app, notice)
    assert (r.status, r.last_error, graph.sent) == ("queued", "outside_window", [])
    assert r.not_before > utcnow() + timedelta(days=6)
    # She writes: the window opens, the announcement is due at once and goes as a message.
    await WaUser(web, graph, whatsapp, user_id=None, wa_id=SITI).say("halo", "Menu utama")
    await dispatch(app, sender)
    assert "Kerja bakti Minggu" in graph.to(SITI)[-1].text
    assert (await row(app, notice)).status == "sent"


async def test_meta_refusing_a_free_form_message_sends_the_template_at_once(
    app: App, graph: FakeGraphAPI
) -> None:
    chat = await siti(app, wrote_hours_ago=23.5)  # our clock says inside, Meta's says not
    reminder = await queue(app, chat, "kegiatan_reminder", REMINDER, "r1")
    graph.fail_next(SITI, 131047)
    await dispatch(app, sender_for(graph))
    [sent] = graph.to(SITI)
    assert sent.type == "template" and (await row(app, reminder)).status == "sent"


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        (130429, "queued", "retry_after"),  # too fast overall: back off
        (131056, "queued", "retry_after"),  # too fast to her: delayed
        (131026, "failed", "blocked"),  # undeliverable: the chat is unreachable
        (131049, "queued", "131049"),  # Meta's per-user marketing limit: a day later
        (131050, "skipped", "opted_out"),  # she stopped marketing: no more announcements
    ],
)
async def test_each_refusal_in_a_sends_answer_leads_to_its_handling(
    app: App, graph: FakeGraphAPI, code: int, status: str, error: str
) -> None:
    chat = await siti(app, wrote_hours_ago=1)
    notice = await queue(app, chat, "announcement", {"text": "Kerja bakti", "lang": "id"}, "a1")
    graph.fail_next(SITI, code)
    before = utcnow()
    await dispatch(app, sender_for(graph))
    r, her = await row(app, notice), await identity(app, chat)
    assert (r.status, r.last_error) == (status, error)
    assert her.unreachable == (code == 131026)
    assert her.announcements_opted_out == (code == 131050)
    if code == 131049:
        assert r.not_before >= before + timedelta(hours=23)
    if status == "queued":
        assert r.not_before > before


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        (130429, "queued", "retry_after"),
        (131056, "queued", "retry_after"),
        (131047, "queued", "outside_window"),
        (131026, "failed", "blocked"),
        (131049, "queued", "131049"),
        (131050, "skipped", "opted_out"),
    ],
)
async def test_each_refusal_in_a_failed_status_without_contacts_leads_to_its_handling(
    app: App, graph: FakeGraphAPI, web: httpx.AsyncClient, code: int, status: str, error: str
) -> None:
    chat = await siti(app, wrote_hours_ago=1)
    reminder = await queue(app, chat, "kegiatan_reminder", REMINDER, "r1")
    sender = sender_for(graph)
    await dispatch(app, sender)
    [sent] = graph.to(SITI)
    assert (await row(app, reminder)).status == "sent"
    # pywa builds no status without `contacts`: read from the raw body all the same.
    failed = status_update(sent.id, "failed", wa_id=SITI, code=code, with_contacts=False)
    assert (await post(web, failed)).status_code == 200
    r = await row(app, reminder)
    assert (r.status, r.last_error) == (status, error)
    if code == 131047:
        # Sent again at once, as its template.
        await dispatch(app, sender)
        assert graph.to(SITI)[-1].type == "template"
        assert (await row(app, reminder)).status == "sent"


async def test_status_webhooks_update_the_outbox_row(
    app: App, graph: FakeGraphAPI, web: httpx.AsyncClient
) -> None:
    chat = await siti(app, wrote_hours_ago=1)
    notice = await queue(app, chat, "announcement", {"text": "Kerja bakti", "lang": "id"}, "a1")
    await dispatch(app, sender_for(graph))
    [sent] = graph.to(SITI)
    for step, with_contacts in (("sent", True), ("delivered", True), ("read", False)):
        body = status_update(sent.id, step, wa_id=SITI, with_contacts=with_contacts)
        assert (await post(web, body)).status_code == 200
        assert (await row(app, notice)).status == step


async def test_two_proactive_messages_to_one_chat_go_at_least_six_seconds_apart(
    app: App, graph: FakeGraphAPI
) -> None:
    chat = await siti(app, wrote_hours_ago=1)
    first = await queue(app, chat, "announcement", {"text": "Satu", "lang": "id"}, "a1")
    second = await queue(app, chat, "announcement", {"text": "Dua", "lang": "id"}, "a2")
    await dispatch(app, sender_for(graph))
    assert len(graph.to(SITI)) == 1
    one, two = await row(app, first), await row(app, second)
    assert one.status == "sent" and two.status == "queued"
    assert one.sent_at is not None and two.not_before >= one.sent_at + timedelta(seconds=5)


async def test_a_reply_refused_for_going_too_fast_to_her_is_sent_after_a_pause(
    app: App, graph: FakeGraphAPI, web: httpx.AsyncClient
) -> None:
    from tests.support.whatsapp import new_channel

    channel = new_channel(app.engine, graph, pair_backoff=0.01)
    await channel.start()
    try:
        from bot.web import build_web_app

        asgi = httpx.ASGITransport(app=build_web_app(app.db, whatsapp=channel))
        async with httpx.AsyncClient(transport=asgi, base_url="http://bot") as client:
            graph.fail_next(SITI, 131056, 131056)
            await WaUser(client, graph, channel, user_id=None, wa_id=SITI).say("menu", "Menu utama")
    finally:
        await channel.stop()
    attempts = [r for r in graph.requests if r.url.path.endswith("/messages")]
    assert len(attempts) == 3 and json.loads(attempts[-1].content)["to"] == SITI
