"""The Graph API calls of the WhatsApp channel, on pywa's async client, and what its errors
mean for a message.

pywa fixes the Graph host in its HTTP client's ``base_url`` (graph.facebook.com): the client
it is given here sends those requests to `WHATSAPP_API_BASE_URL` instead (`Reroute`), so
a local fake Graph API can stand in for a whole process, and tests hand it an
`httpx.MockTransport`. pywa's own webhook server and callback registration are not used
(registering through ``callback_url=`` would make a fresh HTTP client without this
transport); the webhook is ours (`bot.web`), and Meta's dashboard registers it.

Messages go through pywa's low-level `GraphAPIAsync.send_message` with bodies built and
length-checked by `whatsapp_render` (pywa validates no lengths, and its high-level
methods read the answer's ``contacts`` in ways a business-scoped user id may not match).
pywa's loggers stay at WARNING: their debug lines carry names, numbers and whole payloads.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from pywa_async.client import WhatsApp
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp_render import Outgoing
from bot.channels.whatsapp_templates import Template
from bot.settings import ConfigError, Settings
from handlers.core.delivery import (
    Blocked,
    Failed,
    OptedOut,
    OutsideWindow,
    RetryAfter,
    SendResult,
)

log = logging.getLogger(__name__)

QUIET_LOGGERS = ("pywa", "pywa_async")
GRAPH_HOST = "graph.facebook.com"
REQUEST_TIMEOUT = 15.0
CONNECTIONS = 64

# What Meta's error codes mean for a message (https://developers.facebook.com/docs/
# whatsapp/cloud-api/support/error-codes).
THROUGHPUT = 130429  # too many messages a second from this number: pause the channel
PAIR_RATE = 131056  # too many messages to this one chat: delay her
REENGAGEMENT = 131047  # more than 24 hours since her last message: a template only
UNDELIVERABLE = 131026  # no WhatsApp on the number, an old app, or she blocked us
MARKETING_LIMIT = 131049  # Meta's per-user limit of marketing messages: a day later
MARKETING_STOPPED = 131050  # she stopped marketing messages from businesses
# Seconds to wait after each.
THROUGHPUT_PAUSE = 5.0
PAIR_PAUSE = 30.0
SLOWDOWN_PAUSE = 60.0
DAY = 86400.0
# A row that may go only as a template, and has none approved, waits this long for her
# next message (which makes it due at once) before it is looked at again.
WAIT_FOR_HER = 7 * DAY

_SLOWDOWN = {4, 80007, 131048, 133016}  # app, account, spam and registration rate limits
_TRANSIENT = {1, 2, 131000, 131016, 133004}  # unknown or temporary errors on Meta's side
_CONFIG = {0, 3, 10, 190, 200, 131031, 133010}  # token, permissions, locked or unregistered
_TEMPLATE = {132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069}


Refusal = RetryAfter | Blocked | OutsideWindow | OptedOut | Failed


def meaning(code: int | None, *, has_template: bool = True) -> Refusal:
    """What an error code (in a send's answer or a failed status) does to the message."""
    if code == THROUGHPUT:
        return RetryAfter(THROUGHPUT_PAUSE, whole_channel=True)
    if code == PAIR_RATE:
        return RetryAfter(PAIR_PAUSE, whole_channel=False)
    if code == REENGAGEMENT:
        return OutsideWindow(as_template=True) if has_template else OutsideWindow(WAIT_FOR_HER)
    if code == UNDELIVERABLE:
        return Blocked()
    if code == MARKETING_LIMIT:
        return Failed(str(code), retryable=True, retry_in=DAY)
    if code == MARKETING_STOPPED:
        return OptedOut()
    if code in _SLOWDOWN:
        return RetryAfter(SLOWDOWN_PAUSE, whole_channel=True)
    if code in _TEMPLATE:
        # The template is missing, paused or not approved for this language: like a kind
        # without a template, the message waits for her next one.
        return OutsideWindow(WAIT_FOR_HER)
    if code in _CONFIG:
        log.error("WhatsApp refused the request (code %s): check WHATSAPP_ACCESS_TOKEN, "
                  "WHATSAPP_PHONE_NUMBER_ID and the app's permissions", code)  # fmt: skip
        return Failed(f"wa_{code}", retryable=True)
    return Failed(f"wa_{code}", retryable=code in _TRANSIENT)


def meta_away(exc: WhatsAppError) -> bool:
    """Whether a refusal only means Meta's side is away for a moment: an HTTP 5xx (its
    131000, 131016, 133004 and 2 come so; a proxy's 502 without Meta's error body, which
    pywa reports with the status as the code), as on Telegram. The same message may go if
    tried again; a 4xx never will."""
    return 500 <= (exc.status_code or 0) < 600


def error_result(exc: Exception) -> SendResult:
    """A failed call as a delivery result; reasons are codes, never Meta's text."""
    if isinstance(exc, WhatsAppError):
        return meaning(exc.code)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return Failed("timeout", retryable=True)
    return Failed("network", retryable=True)


class Reroute(httpx.AsyncBaseTransport):
    """Sends the requests pywa makes to the Graph host to `base_url` instead; any other
    host (a media file's download URL) as it is."""

    def __init__(self, base_url: str, inner: httpx.AsyncBaseTransport) -> None:
        self.base = httpx.URL(base_url.rstrip("/"))
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == GRAPH_HOST:
            url = request.url.copy_with(
                scheme=self.base.scheme, host=self.base.host, port=self.base.port,
                path=self.base.path.rstrip("/") + request.url.path,
            )  # fmt: skip
            headers = httpx.Headers(request.headers)
            headers["Host"] = url.netloc.decode("ascii")
            request = httpx.Request(
                request.method, url, headers=headers, stream=request.stream,
                extensions=request.extensions,
            )  # fmt: skip
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def make_client(
    phone_number_id: str,
    token: str,
    *,
    api_version: str,
    base_url: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WhatsApp:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    inner = transport or httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    )
    session = httpx.AsyncClient(transport=Reroute(base_url, inner), timeout=REQUEST_TIMEOUT)
    return WhatsApp(
        phone_id=phone_number_id, token=token, session=session, api_version=api_version,
        validate_updates=False,  # pywa's webhook is not used: `bot.web` checks signatures
    )  # fmt: skip


def recipient(external_id: str, alias: str | None) -> dict[str, str | None]:
    """Who a message goes to: her wa_id when known, else her business-scoped user id."""
    wa_id = next((i for i in (external_id, alias) if i and i.isdigit()), None)
    if wa_id is not None:
        return {"to": wa_id, "recipient": None}
    return {"to": None, "recipient": external_id}


class WaApi:
    """The calls the channel and its outbox sender make, on one pywa client."""

    def __init__(self, client: WhatsApp, phone_number_id: str) -> None:
        self.client = client
        self.phone_id = phone_number_id

    async def close(self) -> None:
        await self.client.api._session.aclose()

    async def check(self) -> None:
        """The token and phone number id work (raises WhatsAppError or httpx errors)."""
        await self.client.api.get_business_phone_number(self.phone_id, ("id",))

    async def send(self, to: dict[str, str | None], out: Outgoing) -> str:
        """Send one rendered message (uploading its file first); its message id."""
        content = dict(out.content)
        if out.media is not None:
            content["id"] = await self._upload(out.media, out.filename)
        return await self._post(to, out.type, content)

    async def send_template(
        self, to: dict[str, str | None], template: Template, values: Sequence[str],
        payloads: Sequence[str],
    ) -> str:  # fmt: skip
        components: list[dict[str, Any]] = []
        if values:
            parameters = [{"type": "text", "text": v} for v in values]
            components.append({"type": "body", "parameters": parameters})
        for index, payload in enumerate(payloads):
            components.append({
                "type": "button", "sub_type": "quick_reply", "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            })  # fmt: skip
        body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
        if components:
            body["components"] = components
        return await self._post(to, "template", body)

    async def _post(self, to: dict[str, str | None], typ: str, content: dict[str, Any]) -> str:
        answer = await self.client.api.send_message(
            sender=self.phone_id, to=to["to"], recipient=to["recipient"],
            recipient_type="individual", typ=typ, msg=content,
        )  # fmt: skip
        return str(answer["messages"][0]["id"])

    async def _upload(self, path: Path, filename: str | None) -> str:
        data = await asyncio.to_thread(path.read_bytes)
        name = filename or path.name
        mime = mimetypes.guess_type(name)[0] or _sniff(data)
        answer = await self.client.api.upload_media(
            phone_id=self.phone_id, media=data, mime_type=mime, filename=name
        )
        return str(answer["id"])

    async def fetch_media(self, media_id: str, max_bytes: int) -> bytes:
        """A file she sent, at most `max_bytes` (ValueError "too_large" beyond)."""
        info = await self.client.api.get_media_url(media_id)
        size = info.get("file_size")
        if isinstance(size, int) and size > max_bytes:
            raise ValueError("too_large")
        chunks: list[bytes] = []
        total = 0
        async with self.client.api.stream_media_bytes(str(info["url"])) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise ValueError("too_large")
                chunks.append(chunk)
        return b"".join(chunks)


def _sniff(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"PK"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/octet-stream"


def api_from_settings(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> WaApi:
    """The Graph API client of a configured deployment (see `check_whatsapp`)."""
    assert settings.whatsapp_phone_number_id and settings.whatsapp_access_token is not None
    client = make_client(
        settings.whatsapp_phone_number_id,
        settings.whatsapp_access_token.get_secret_value(),
        api_version=settings.whatsapp_api_version,
        base_url=settings.whatsapp_api_base_url,
        transport=transport,
    )
    return WaApi(client, settings.whatsapp_phone_number_id)


def check_whatsapp(settings: Settings) -> bool:
    """Whether WhatsApp is configured; ConfigError (one line naming what is missing) when
    it is half configured. pywa itself only warns without an app secret and then takes
    every webhook unchecked: here start-up stops instead."""
    named = {
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": settings.whatsapp_access_token,
        "WHATSAPP_APP_SECRET": settings.whatsapp_app_secret,
        "WHATSAPP_VERIFY_TOKEN": settings.whatsapp_verify_token,
    }
    if not any(named.values()):
        return False
    missing = [name for name, value in named.items() if not value]
    if "WHATSAPP_APP_SECRET" in missing:
        raise ConfigError(
            "WHATSAPP_APP_SECRET is not set: without it WhatsApp webhooks cannot be checked "
            "(X-Hub-Signature-256), so the bot does not start (Meta app > App settings > Basic)"
        )
    if missing:
        raise ConfigError(f"WhatsApp is half configured: set {' and '.join(missing)}")
    return True


def start_refused(exc: Exception) -> ConfigError:
    """A failed start-up check as one line, never Meta's text or the token."""
    if isinstance(exc, WhatsAppError):
        if exc.code in _CONFIG or exc.code == 100:
            names = "WHATSAPP_ACCESS_TOKEN / WHATSAPP_PHONE_NUMBER_ID"
            return ConfigError(f"{names}: refused by Meta (code {exc.code})")
        return ConfigError(f"the WhatsApp Cloud API refused to start (code {exc.code})")
    return ConfigError(
        f"cannot reach the WhatsApp Cloud API ({exc.__class__.__name__}); "
        "check the network and WHATSAPP_API_BASE_URL"
    )
