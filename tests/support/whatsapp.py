"""WhatsApp webhook bodies as Meta sends them, signed, and a mother's phone that posts them.

Bodies come with and without the business-scoped user id (``user_id``) and with and
without the phone's ``wa_id``, since Meta sends either or both. `WaUser` posts them to the
web app through `httpx.ASGITransport` (no socket), waits until the channel is idle and
reads what the fake Graph API received for her.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import WaApi, make_client
from bot.channels.whatsapp_templates import DEFAULT_TEMPLATES
from handlers.core.engine import Engine
from tests.support.fakes.graph_api import BASE_URL, PHONE_ID, FakeGraphAPI, SentWa

APP_SECRET = "wa-app-secret"
VERIFY_TOKEN = "wa-verify"
TOKEN = "wa-token"
_ids = itertools.count(1)


def new_channel(engine: Engine, graph: FakeGraphAPI, **kw: Any) -> WhatsAppChannel:
    client = make_client(PHONE_ID, TOKEN, api_version="23.0", base_url=BASE_URL,
                         transport=graph.transport())  # fmt: skip
    return WhatsAppChannel(
        engine, WaApi(client, PHONE_ID), app_secret=APP_SECRET, verify_token=VERIFY_TOKEN,
        registry=kw.pop("registry", dict(DEFAULT_TEMPLATES)), **kw,
    )  # fmt: skip


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(value: dict[str, Any], phone_id: str = PHONE_ID) -> dict[str, Any]:
    metadata = {"display_phone_number": "6281100000000", "phone_number_id": phone_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": metadata, **value}}]}],
    }  # fmt: skip


def message_update(
    content: dict[str, Any], *, user_id: str | None, wa_id: str | None, name: str = "Ibu",
    at: float | None = None, msg_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    contact: dict[str, Any] = {"profile": {"name": name}}
    msg: dict[str, Any] = {"id": msg_id or f"wamid.in{next(_ids)}",
                           "timestamp": str(int(at or time.time())), **content}  # fmt: skip
    if user_id:
        contact["user_id"] = user_id
        msg["from_user_id"] = user_id
    if wa_id:
        contact["wa_id"] = wa_id
        msg["from"] = wa_id
    return envelope({"contacts": [contact], "messages": [msg]})


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def button_reply(choice_id: str, title: str) -> dict[str, Any]:
    reply = {"id": choice_id, "title": title}
    return {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}}


def list_reply(choice_id: str, title: str) -> dict[str, Any]:
    reply = {"id": choice_id, "title": title}
    return {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": reply}}


def template_button(payload: str, label: str) -> dict[str, Any]:
    return {"type": "button", "button": {"payload": payload, "text": label}}


def contact_card(phone: str, owner_wa_id: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"phone": phone, "type": "CELL"}
    if owner_wa_id:
        entry["wa_id"] = owner_wa_id
    return {
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Ibu"}, "phones": [entry]}],
    }


def image(media_id: str, caption: str = "") -> dict[str, Any]:
    return {
        "type": "image",
        "image": {"id": media_id, "mime_type": "image/jpeg", "caption": caption},
    }


def document(media_id: str, filename: str, mime: str) -> dict[str, Any]:
    return {"type": "document",
            "document": {"id": media_id, "filename": filename, "mime_type": mime}}  # fmt: skip


def status_update(
    wamid: str, status: str, *, user_id: str | None = None, wa_id: str | None = None,
    code: int | None = None, with_contacts: bool = False,
) -> dict[str, Any]:  # fmt: skip
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(time.time()))}
    if user_id:
        entry["recipient_user_id"] = user_id
    if wa_id:
        entry["recipient_id"] = wa_id
    if code is not None:
        entry["errors"] = [{"code": code, "title": f"error {code}", "message": f"error {code}"}]
    value: dict[str, Any] = {"statuses": [entry]}
    if with_contacts:
        value["contacts"] = [{k: v for k, v in (("user_id", user_id), ("wa_id", wa_id)) if v}]
    return envelope(value)


async def post(
    web: httpx.AsyncClient, body: dict[str, Any], secret: str = APP_SECRET
) -> httpx.Response:
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)}
    return await web.post("/whatsapp", content=raw, headers=headers)


@dataclass
class WaUser:
    """A mother's WhatsApp: what she sends goes to the webhook, signed."""

    web: httpx.AsyncClient
    graph: FakeGraphAPI
    channel: WhatsAppChannel
    user_id: str | None = None
    wa_id: str | None = None
    name: str = "Ibu"
    mark: int = field(default=0)

    @property
    def address(self) -> str:
        """Where replies to her go: her wa_id when known, else her user id."""
        found = self.wa_id or self.user_id
        assert found is not None
        return found

    def messages(self) -> list[SentWa]:
        return self.graph.to(self.address)

    def new(self) -> list[SentWa]:
        return self.messages()[self.mark :]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.new())

    async def send(self, content: dict[str, Any], *, at: float | None = None) -> list[SentWa]:
        self.mark = len(self.messages())
        body = message_update(
            content, user_id=self.user_id, wa_id=self.wa_id, name=self.name, at=at
        )
        response = await post(self.web, body)
        assert response.status_code == 200, response.text
        await self.channel.wait_idle()
        return self.new()

    async def say(self, words: str, expect: str) -> list[SentWa]:
        got = await self.send(text(words))
        assert expect in self.text, self.text
        return got

    def choice(self, label: str) -> tuple[SentWa, str, str]:
        """The newest interactive message offering `label`: (message, id, title)."""
        for msg in reversed(self.messages()):
            for choice_id, title in msg.choices():
                if label.casefold() in title.casefold():
                    return msg, choice_id, title
        raise AssertionError(f"no button or list row {label!r}")

    async def tap(self, label: str, expect: str) -> list[SentWa]:
        msg, choice_id, title = self.choice(label)
        maker = button_reply if msg.interactive == "button" else list_reply
        got = await self.send(maker(choice_id, title))
        assert expect in self.text, self.text
        return got
