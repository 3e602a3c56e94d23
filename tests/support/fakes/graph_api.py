"""A fake WhatsApp Cloud API (Graph API) for `httpx.MockTransport`: no network.

It answers what the WhatsApp channel calls, the way Meta does: messages (text, interactive,
image, document, template) get a ``wamid``; media uploads an id; a media id its URL and
that URL the bytes; the phone number its id. Tests read what was sent per chat, make the
next sends to a chat fail with Meta's error codes, and see every request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

PHONE_ID = "1000001"
BASE_URL = "http://graph.test"


@dataclass
class SentWa:
    id: str
    to: str  # the wa_id, or the business-scoped user id ("recipient")
    type: str
    content: dict[str, Any]

    @property
    def text(self) -> str:
        if self.type == "text":
            return str(self.content["body"])
        if self.type == "interactive":
            return str(self.content["body"]["text"])
        if self.type in ("image", "document"):
            return str(self.content.get("caption", ""))
        if self.type == "template":
            params = [c for c in self.content.get("components", []) if c["type"] == "body"]
            return " | ".join(p["text"] for c in params for p in c["parameters"])
        return ""

    @property
    def interactive(self) -> str | None:
        """ "button" or "list" for an interactive message."""
        return str(self.content["type"]) if self.type == "interactive" else None

    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of its buttons or list rows."""
        if self.type != "interactive":
            return []
        action = self.content["action"]
        if self.content["type"] == "button":
            return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
        return [(r["id"], r["title"]) for s in action["sections"] for r in s["rows"]]


@dataclass
class FakeGraphAPI:
    phone_id: str = PHONE_ID
    sent: list[SentWa] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    # Chat -> error codes the next sends to it answer with, in order.
    failures: dict[str, list[int]] = field(default_factory=dict)
    # Media id -> (bytes, mime type), for files "she sent".
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    # Refuse every call as with a bad token.
    refuse_token: bool = False

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def to(self, chat: str) -> list[SentWa]:
        return [m for m in self.sent if m.to == chat]

    def fail_next(self, chat: str, *codes: int) -> None:
        self.failures.setdefault(chat, []).extend(codes)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Authorization", "") != "Bearer wa-token" or self.refuse_token:
            return _error(190, "Invalid OAuth access token.", status=401)
        parts = request.url.path.strip("/").split("/")
        if parts and parts[0] == "download":
            data, mime = self.media[parts[1]]
            return httpx.Response(200, content=data, headers={"Content-Type": mime})
        if not parts or not parts[0].startswith("v"):
            return _error(100, "Unknown path", status=404)
        path = parts[1:]
        if request.method == "GET" and path == [self.phone_id]:
            return httpx.Response(200, json={"id": self.phone_id})
        if request.method == "GET" and len(path) == 1 and path[0] in self.media:
            data, mime = self.media[path[0]]
            url = f"{BASE_URL}/download/{path[0]}"
            return httpx.Response(
                200, json={"url": url, "mime_type": mime, "file_size": len(data), "id": path[0]}
            )
        if request.method == "POST" and path == [self.phone_id, "media"]:
            media_id = f"upload-{len(self.uploads) + 1}"
            self.uploads[media_id] = request.content
            return httpx.Response(200, json={"id": media_id})
        if request.method == "POST" and path == [self.phone_id, "messages"]:
            return self._message(json.loads(request.content))
        return _error(100, "Unsupported request", status=400)

    def _message(self, body: dict[str, Any]) -> httpx.Response:
        chat = body.get("to") or body.get("recipient")
        assert chat, body
        queued = self.failures.get(chat)
        if queued:
            code = queued.pop(0)
            return _error(code, f"error {code}")
        wamid = f"wamid.{len(self.sent) + 1}"
        self.sent.append(SentWa(wamid, chat, body["type"], body[body["type"]]))
        contact = (
            {"input": chat, "wa_id": chat} if chat.isdigit() else {"input": chat, "user_id": chat}
        )
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [contact],
                "messages": [{"id": wamid}],
            },
        )


def _error(code: int, message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"message": message, "type": "OAuthException", "code": code,
                        "error_data": {"messaging_product": "whatsapp", "details": message},
                        "fbtrace_id": "AbCdEf"}},
    )  # fmt: skip
