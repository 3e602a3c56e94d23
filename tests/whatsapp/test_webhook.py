"""The /whatsapp webhook against what the internet may send: Meta's verification, bodies
signed with another secret or not at all, bodies too large or not WhatsApp's; and a
deployment that forgot the app secret does not start."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.whatsapp import WhatsAppChannel
from bot.service import run_service
from bot.settings import ConfigError, load_settings
from bot.web import MAX_BODY
from models import ChannelIdentity
from models.inbox import InboxMessage
from tests.support.cli import run_cli
from tests.support.fakes.graph_api import FakeGraphAPI
from tests.support.whatsapp import (
    APP_SECRET,
    VERIFY_TOKEN,
    WaUser,
    message_update,
    post,
    sign,
    text,
)

SITI = "6281234567890"


async def rows(app: App) -> tuple[int, int]:
    """(inbox rows, WhatsApp chats)."""
    async with app.sessions() as s:
        inbox = await s.scalar(select(func.count()).select_from(InboxMessage))
        chats = await s.scalar(select(func.count()).where(ChannelIdentity.channel == "whatsapp"))
    return inbox or 0, chats or 0


async def test_meta_verification_is_answered_only_with_the_right_verify_token(
    web: httpx.AsyncClient,
) -> None:
    ok = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = await web.get("/whatsapp", params=ok)
    assert (response.status_code, response.text) == (200, "1158201444")
    for wrong in (
        {**ok, "hub.verify_token": "guess"},
        {**ok, "hub.mode": "unsubscribe"},
        {k: v for k, v in ok.items() if k != "hub.verify_token"},
        {**ok, "hub.challenge": "<script>" * 100},
    ):
        assert (await web.get("/whatsapp", params=wrong)).status_code == 403


async def test_a_bad_signature_gets_403_and_nothing_is_stored_or_answered(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    body = json.dumps(message_update(text("halo"), user_id=None, wa_id=SITI)).encode()
    for headers in (
        {"X-Hub-Signature-256": sign(body, "another-app")},
        {"X-Hub-Signature-256": sign(body).upper()},
        {"X-Hub-Signature-256": sign(body + b" ")},
        {"X-Hub-Signature-256": sign(body).removeprefix("sha256=")},
        {b"X-Hub-Signature-256": "sha256=é".encode("latin-1")},
        {},
    ):
        response = await web.post("/whatsapp", content=body, headers=headers)
        assert response.status_code == 403, headers
    await whatsapp.wait_idle()
    assert await rows(app) == (0, 0)
    assert graph.sent == []
    # The same body signed right is taken and answered.
    response = await web.post(
        "/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )
    assert response.status_code == 200
    await whatsapp.wait_idle()
    assert await rows(app) == (1, 1)
    assert "Menu utama" in graph.to(SITI)[-1].text


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
        b"[]",
        b"nope",
        b"[" * 50_000 + b"]" * 50_000,
    ],
    ids=lambda b: b[:20].decode(),
)
async def test_a_signed_body_that_is_no_whatsapp_webhook_gets_400(
    app: App, web: httpx.AsyncClient, body: bytes
) -> None:
    response = await web.post(
        "/whatsapp", content=body, headers={"X-Hub-Signature-256": sign(body)}
    )
    assert response.status_code == 400
    assert await rows(app) == (0, 0)


async def test_a_body_declared_too_large_is_refused_before_it_is_read(
    web: httpx.AsyncClient,
) -> None:
    headers = {"Content-Length": str(MAX_BODY + 1), "X-Hub-Signature-256": "sha256=00"}
    response = await web.post("/whatsapp", content=b"{}", headers=headers)
    assert response.status_code == 413


async def test_a_message_for_another_number_of_the_account_is_not_ours(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    body = message_update(text("halo"), user_id=None, wa_id=SITI)
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert (await post(web, body)).status_code == 200
    await whatsapp.wait_idle()
    assert await rows(app) == (0, 0) and graph.sent == []


async def test_a_message_is_handled_once_however_often_meta_delivers_it(
    app: App, web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    body = message_update(text("halo"), user_id=None, wa_id=SITI, msg_id="wamid.same")
    replies = []
    for _ in range(3):
        assert (await post(web, body)).status_code == 200
        await whatsapp.wait_idle()
        replies.append(len(graph.to(SITI)))
    assert replies[0] > 0 and replies == [replies[0]] * 3


async def test_a_missing_app_secret_stops_start_up_with_one_line(
    settings_wa_env: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in settings_wa_env.items() if k != "WHATSAPP_APP_SECRET"}
    settings = load_settings(**{k.lower(): v for k, v in env.items()})
    with pytest.raises(ConfigError, match="WHATSAPP_APP_SECRET"):
        await run_service(settings, webhook=False, stop=asyncio.Event())
    result = run_cli(["run"], cwd=tmp_path, env={**env, "TELEGRAM_BOT_TOKEN": ""})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "WHATSAPP_APP_SECRET" in result.stderr
    assert "wa-token" not in result.stderr


@pytest.fixture
def settings_wa_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wa.db'}",
        "WHATSAPP_PHONE_NUMBER_ID": "1000001",
        "WHATSAPP_ACCESS_TOKEN": "wa-token",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
    }


async def test_replies_go_to_her_user_id_when_no_phone_number_is_shown(
    web: httpx.AsyncClient, graph: FakeGraphAPI, whatsapp: WhatsAppChannel
) -> None:
    ani = WaUser(web, graph, whatsapp, user_id="ID.5551234", wa_id=None)
    await ani.say("menu", "Menu utama")
    [request] = [r for r in graph.requests if r.url.path.endswith("/messages")][-1:]
    sent = json.loads(request.content)
    assert sent["recipient"] == "ID.5551234" and "to" not in sent
