"""Nothing personal in the logs, on WhatsApp: every role walks every flow through the
signed webhook behind uvicorn (the WhatsApp channel answering through the fake Graph API,
pywa's client underneath), Meta verifies the webhook, an admin opens the web console with
the link WhatsApp gave her, the outbox goes out through the WhatsApp sender (a reminder
outside her 24-hour window as its template), Meta reports deliveries (delivered, and
failed with an error), a reply is refused, and a stranger posts with a wrong signature.
The root logger at DEBUG and the libraries at the levels the program sets them to. No
record holds a member's name (nor the profile name WhatsApp sends), a phone number in any
writing (a wa_id is one), the app secret, the access token, the verify token or a one-time
code."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, update

from bot.app import App, open_app
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_render import SHARE_PHONE
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.channels.whatsapp_templates import DEFAULT_TEMPLATES
from bot.settings import Settings
from bot.web import build_web_app, make_server
from bot.web_console import build_console
from handlers.core.types import Kind, Reply
from models import ChannelIdentity
from models.base import transaction, utcnow
from models.outbox.tables import OutboxMessage, enqueue
from scheduler.dispatcher import Dispatcher
from tests.hostile.test_logs import (
    LINK,
    Records,
    _digits,
    leaks,
    personal_data,
    program_logging,
)
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.fakes.telegram_updates import FAKE_JPEG
from tests.support.hostile import (
    ERROR_TEXT,
    Sent,
    Transport,
    World,
    build_world,
    crawl_all,
    sheet_bytes,
)
from tests.support.web import press_masuk
from tests.support.whatsapp import (
    APP_SECRET,
    TOKEN,
    VERIFY_TOKEN,
    button_reply,
    contact_card,
    document,
    image,
    message_update,
    new_channel,
    post,
    status_update,
    text,
)

# Siti writes from a phone WhatsApp names by her business-scoped user id and her wa_id;
# the others by their wa_id alone (their phone numbers).
SITI_USER_ID = "ID.13491208655302741918"
CHATS = {"guest": "6285712340001", "ibu": SITI_USER_ID, "kader": "6281311112222",
         "admin": "6281299990004"}  # fmt: skip
WA_IDS = {SITI_USER_ID: "6281234567890"}
# The profile names WhatsApp sends with every message.
PROFILES = {"guest": "Nurul Hidayah", "ibu": "Siti Aminah", "kader": "Ani Lestari",
            "admin": "Yuli Rahmawati"}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def records() -> Iterator[tuple[Records, io.StringIO]]:
    """The program's logging with the WhatsApp secrets, as the command line makes it."""
    with program_logging([TOKEN, APP_SECRET, VERIFY_TOKEN]) as captured:
        yield captured


@pytest.fixture
async def logged_app(settings: Settings) -> AsyncIterator[App]:
    configured = settings.model_copy(update={"web_base_url": "https://p2wkss.example"})
    application = await open_app(configured, auto_migrate=False)
    try:
        yield application
    finally:
        await application.close()


def wa_ids(identity: str) -> tuple[str | None, str]:
    """(user id, wa_id) a chat writes with."""
    return (None, identity) if identity.isdigit() else (identity, WA_IDS[identity])


def whatsapp_transport(
    world: World,
    graph: FakeGraphAPI,
    channel: WhatsAppChannel,
    web: httpx.AsyncClient,
    folder: Path,
    posted: set[str],
) -> Transport:
    """Sends a role's message as WhatsApp would: a signed webhook body, with her profile
    name; what the bot sent her number in answer comes back. Every wa_id goes in `posted`."""
    graph.media["wa-foto"] = (FAKE_JPEG, "image/jpeg")
    graph.media["wa-sheet"] = (sheet_bytes(folder), XLSX)

    async def send(role: str, sent: Sent) -> list[Reply]:
        user_id, wa_id = wa_ids(world.chats[role].identity)
        posted.add(wa_id)
        before = len(graph.to(wa_id))
        if sent.kind is Kind.CHOICE:
            content = button_reply(sent.choice or "", "Pilih")
        elif sent.kind is Kind.CONTACT:
            assert sent.contact is not None
            content = contact_card(sent.contact.phone, wa_id if sent.contact.user_id else None)
        elif sent.kind is Kind.PHOTO:
            content = image("wa-foto")
        elif sent.kind is Kind.DOCUMENT:
            content = document("wa-sheet", "kk binaan.xlsx", XLSX)
        else:
            content = text(sent.text)
        body = message_update(content, user_id=user_id, wa_id=wa_id, name=PROFILES[role])
        answer = await post(web, body)
        assert answer.status_code == 200, answer.text
        await channel.wait_idle()
        return [Reply(text=m.text) for m in graph.to(wa_id)[before:]]

    return send


async def identity_of(app: App, external: str) -> ChannelIdentity:
    async with app.sessions() as s:
        found = await s.scalar(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == "whatsapp", ChannelIdentity.external_id == external
            )
        )
    assert found is not None, external
    return found


async def remind(app: App, identity_id: int, key: str, for_name: str | None = None) -> int:
    params = {
        "judul": "Posyandu balita", "when": "Kamis, 3 Desember 2026 pukul 09.00 WIB",
        "tempat": "Balai Warga Sumberan", "lang": "id",
        "choices": [{"id": "a:kg.keep:7:1", "key": "reminders.btn_keep"}],
    }  # fmt: skip
    if for_name:
        params["for_name"] = for_name
    async with transaction(app.sessions) as s:
        row_id = await enqueue(
            s, identity_id=identity_id, channel="whatsapp", kind="kegiatan_reminder",
            params=params, idempotency_key=key,
        )  # fmt: skip
    assert row_id is not None
    return row_id


async def outbox_row(app: App, row_id: int) -> OutboxMessage:
    async with app.sessions() as s:
        return await s.get_one(OutboxMessage, row_id)


async def test_every_flow_on_whatsapp_leaves_no_name_phone_token_or_code_in_the_logs(
    logged_app: App,
    settings: Settings,
    records: tuple[Records, io.StringIO],
    tmp_path: Path,
) -> None:
    app, (raw, stream) = logged_app, records
    graph = FakeGraphAPI()
    world = await build_world(app, tmp_path)
    channel = new_channel(app.engine, graph)
    await channel.start()
    console = build_console(app.sessions, media_dir=settings.media_dir, timezone="Asia/Jakarta")
    server = make_server(build_web_app(app.db, whatsapp=channel, console=console), "127.0.0.1:0")
    serving = asyncio.create_task(server.serve())
    posted: set[str] = set()
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
            # Meta verifies the webhook; a guess of the verify token is refused.
            hub = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                   "hub.challenge": "1158201444"}  # fmt: skip
            assert (await web.get("/whatsapp", params=hub)).text == "1158201444"
            guess = {**hub, "hub.verify_token": "guess"}
            assert (await web.get("/whatsapp", params=guess)).status_code == 403
            send = whatsapp_transport(world, graph, channel, web, tmp_path, posted)
            await world.move_to("whatsapp", CHATS, send)
            await crawl_all(world)
            assert world.failures == [], "\n".join(world.failures)
            # A newcomer at the phone question taps "share my number": her wa_id is it.
            [asked] = [s for s in world.screens["guest"] if s.key == ("mb.register", "phone")]
            await world.restore("guest", asked)
            shared = await send("guest", Sent(Kind.CHOICE, choice=SHARE_PHONE))
            assert shared and not {r.text for r in shared} & ERROR_TEXT, shared
            assert (await world.snapshot("guest", "shared")).step != "phone", shared
            await world.keep_roles()
            # A photo WhatsApp no longer has (its download refused) at a step that takes one.
            registry = app.engine.registry
            [takes_photo, *_] = [
                s
                for s in world.screens["kader"]
                if s.flow
                and (flow := registry.flow(s.flow))
                and flow.step_kind(s.step or "") == "media"
            ]
            await world.restore("kader", takes_photo)
            gone = message_update(image("wa-gone"), user_id=None, wa_id=CHATS["kader"],
                                  name=PROFILES["kader"])  # fmt: skip
            before = len(graph.to(CHATS["kader"]))
            assert (await post(web, gone)).status_code == 200
            await channel.wait_idle()
            answers = {m.text for m in graph.to(CHATS["kader"])[before:]}
            assert answers and not answers & ERROR_TEXT, answers
            assert any("media download failed" in r.getMessage() for r in raw.records)
            # The admin opens the console with the link WhatsApp gave her.
            admin = CHATS["admin"]
            links = [m.group(1) for msg in graph.to(admin) if (m := LINK.search(msg.text))]
            assert links, "no web login link was given"
            signed_in = await press_masuk(web, f"/admin/masuk/{links[-1]}")
            assert signed_in.status_code == 303
            assert (await web.get("/admin/")).status_code == 200
            # A reply Meta refuses (a temporary error on its side).
            guest = world.chats["guest"].identity
            graph.fail_next(guest, 131000)
            assert await send("guest", Sent(Kind.TEXT, text="menu")) == []
            # A stranger signs with another secret.
            forged = message_update(
                text("Siti Aminah 081234567890"), user_id=None, wa_id=WA_IDS[SITI_USER_ID],
                name="Siti Aminah",
            )  # fmt: skip
            assert (await post(web, forged, secret="guess")).status_code == 403

            # The outbox through the WhatsApp sender: Siti's reminder inside her window
            # as a message, Ani's (she last wrote 30 hours ago) as its template.
            siti = await identity_of(app, SITI_USER_ID)
            ani = await identity_of(app, CHATS["kader"])
            async with transaction(app.sessions) as s:
                await s.execute(
                    update(ChannelIdentity)
                    .where(ChannelIdentity.id == ani.id)
                    .values(last_inbound_at=utcnow() - timedelta(hours=30))
                )
            for_siti = await remind(app, siti.id, "log-siti")
            for_ani = await remind(app, ani.id, "log-ani", for_name="Siti Aminah")
            sender = WhatsAppSender(
                channel.api,
                max_rate=1000.0,
                registry=dict(DEFAULT_TEMPLATES),
                per_chat_interval=0,
            )
            async with Dispatcher(app.sessions, [sender], tz=WIB, quiet_hours=None) as dispatcher:
                for _ in range(3):
                    await dispatcher.run_once()
                reminded = await outbox_row(app, for_ani)
                assert reminded.status == "sent"
                [to_ani] = [m for m in graph.sent if m.id == reminded.provider_message_id]
                assert (to_ani.to, to_ani.type) == (CHATS["kader"], "template")
                first = await outbox_row(app, for_siti)
                assert first.status == "sent" and first.provider_message_id is not None
                # Meta reports: Ani's delivered; Siti's failed, her window closed after all, so
                # it goes again as its template; a reply to the newcomer undeliverable.
                wa_siti = WA_IDS[SITI_USER_ID]
                for body in (
                    status_update(to_ani.id, "delivered", wa_id=CHATS["kader"], with_contacts=True),
                    status_update(
                        first.provider_message_id,
                        "failed",
                        user_id=SITI_USER_ID,
                        wa_id=wa_siti,
                        code=131047,
                    ),
                    status_update(graph.to(guest)[-1].id, "failed", wa_id=guest, code=131026),
                ):
                    assert (await post(web, body)).status_code == 200
                assert (await outbox_row(app, for_ani)).status == "delivered"
                await dispatcher.run_once()
                again = await outbox_row(app, for_siti)
                assert again.status == "sent"
                [to_siti] = [m for m in graph.sent if m.id == again.provider_message_id]
                assert (to_siti.to, to_siti.type) == (wa_siti, "template")
            assert (await identity_of(app, guest)).unreachable
    finally:
        server.should_exit = True
        await serving
        await channel.stop()

    assert {r.levelno for r in raw.records} >= {logging.DEBUG, logging.INFO, logging.WARNING}
    assert {r.name.split(".")[0] for r in raw.records} >= {"handlers", "scheduler", "bot", "p2wkss"}
    names, phones, secrets = await personal_data(app, world)
    names |= set(PROFILES.values())
    phones |= {_digits(p) for p in posted}
    async with app.sessions() as s:
        chats = (await s.execute(select(ChannelIdentity.external_id, ChannelIdentity.external_alias)
                                 .where(ChannelIdentity.channel == "whatsapp"))).all()  # fmt: skip
    phones |= {_digits(i) for chat in chats for i in chat if i and i.isdigit()}
    secrets |= {TOKEN, APP_SECRET, VERIFY_TOKEN}
    assert len(names) > 10 and len(phones) > 8 and len(secrets) > 8
    assert _digits(WA_IDS[SITI_USER_ID]) in phones and _digits(CHATS["admin"]) in phones
    found = leaks(raw.texts(), names, phones, secrets)
    found += leaks(iter([stream.getvalue()]), names, phones, secrets)
    assert found == [], "\n".join(sorted(set(found)))


def test_a_wa_id_the_program_redacts_is_still_seen_as_it_was_logged(
    records: tuple[Records, io.StringIO],
) -> None:
    """The program's handler rewrites a phone as <phone> in the record itself; the search
    reads each record as it was made, so a wa_id our code logs is found all the same."""
    raw, stream = records
    logging.getLogger("bot.channels.whatsapp").info("reply to %s", "6281234567890")
    assert "reply to <phone>" in stream.getvalue()
    assert leaks(raw.texts(), set(), {_digits("+6281234567890")}, set())
