"""The one web server of `p2wkss-bot run`: webhooks, a health check, and the web console
under /admin when WEB_BASE_URL is set (bot/web_console).

Starlette on uvicorn. A webhook request without the right secret header gets 403 (any
header value, ASCII or not, is compared as bytes in constant time); on /whatsapp the
secret is the body's HMAC in `X-Hub-Signature-256` under the app secret, and a GET there
is Meta's verification (the challenge echoed only with the right verify token). A body over
`MAX_BODY` gets 413: from its Content-Length before anything is read, or as soon as a
chunked body passes the limit. A body that is not a JSON object, or that the channel
cannot read as an update, gets 400. The access log is our own and names method, path
and status only: no query strings, no headers (they can carry secrets), and control
characters in the path escaped so that a request cannot write a line of its own.

GET /healthz answers 200 with {"ok": true, "database": "ok", "outbox_due": N, "dispatcher":
{"running", "last_claim_at", "last_claim_seconds_ago"}} (the dispatcher part where this
process runs one), and 503 with {"ok": false, "database": "unreachable"} when a query does
not answer. It names no host, URL, token or person.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import uvicorn
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from handlers.core.engine import unavailable
from models.outbox.tables import OutboxMessage

log = logging.getLogger("p2wkss.web")

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
# Telegram updates are a few kB (a message holds at most 4096 characters); 1 MB is plenty.
MAX_BODY = 1_000_000
# At a stop, how long requests under way may take to finish before they are cancelled
# (uvicorn's graceful-shutdown timeout; without one it waits for them forever, e.g. for
# a webhook stuck writing to a database that stopped answering). Part of the stop's
# whole bound (bot.app.STOP_SECONDS). A request cancelled was not answered, so not
# acknowledged: the platform sends it again.
WEB_STOP_SECONDS = 4

# Hands a webhook's JSON object to its channel; raises ValueError when it cannot be read
# as an update of that channel (the request then gets 400).
UpdateSink = Callable[[dict[str, Any]], Awaitable[None]]


class WhatsAppHook(Protocol):
    """What the WhatsApp channel offers the web app."""

    def challenge(self, mode: str | None, token: str | None, challenge: str | None) -> str | None:
        """The challenge to echo to Meta's verification request, or None (403)."""
        ...

    def signature_valid(self, body: bytes, header: str | None) -> bool: ...

    async def feed_webhook(self, data: dict[str, Any]) -> None:
        """Store (then handle) a signed body; ValueError when it is no WhatsApp webhook."""
        ...


WHATSAPP_SIGNATURE_HEADER = "X-Hub-Signature-256"


class DispatcherState(Protocol):
    """What /healthz reads of this process's outbox dispatcher (scheduler.Dispatcher)."""

    running: bool
    last_claim_at: datetime | None


def due_outbox_rows(now: datetime) -> Select[int]:
    """How many outbox rows are due and not being sent (all channels): queued ones whose
    time has come and `sending` ones whose lease ran out. A backlog that keeps growing
    means the dispatcher is stopped, paused, or slower than the queue."""
    m = OutboxMessage
    due = or_(
        and_(m.status == "queued", m.not_before <= now),
        and_(m.status == "sending", m.lease_until <= now),
    )
    return select(func.count()).select_from(m).where(due)


class BodyTooLarge(Exception):
    """The request body is over the limit (413)."""


def log_safe(text: str) -> str:
    """Text as one printable log field: control and other non-printable characters (CR, LF,
    ESC, DEL, U+2028…) become escapes like ``\\r`` and ``\\x1b``; a backslash is doubled,
    so an escape in the log always came from here."""
    return "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def secret_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a header value with the secret, as bytes. Starlette
    decodes header values as Latin-1, so encoding them back gives the bytes sent."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("latin-1"), expected.encode("utf-8"))


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, or BodyTooLarge: from a Content-Length over the limit before a
    byte is read, else as soon as the bytes received pass it (chunked bodies)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(text: str, status: int) -> Response:
    # The connection is closed after a refusal, so an unread rest of the body is not read.
    return PlainTextResponse(text, status_code=status, headers={"Connection": "close"})


# A one-time sign-in link of the web console carries its code in the path: never logged.
_LOGIN_CODE = re.compile(r"(/masuk/)[^/]+")


class AccessLog:
    """Logs method, path (never the query string, nor a sign-in code) and status of each
    request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500

        async def send_wrapper(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            log.info(
                "%s %s %d %.0fms", log_safe(scope["method"]),
                log_safe(_LOGIN_CODE.sub(r"\1<code>", scope["path"])), status,
                (time.monotonic() - started) * 1000,
            )  # fmt: skip


def build_web_app(
    db: AsyncEngine,
    *,
    telegram: UpdateSink | None = None,
    telegram_secret: str | None = None,
    whatsapp: WhatsAppHook | None = None,
    console: BaseRoute | None = None,
    dispatcher: DispatcherState | None = None,
) -> ASGIApp:
    async def healthz(_request: Request) -> Response:
        now = datetime.now(UTC)
        try:
            async with db.connect() as conn:
                due = await conn.scalar(due_outbox_rows(now))
        except Exception as exc:
            log.warning("health check: database unreachable (%s)", exc.__class__.__name__)
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        body: dict[str, Any] = {"ok": True, "database": "ok", "outbox_due": int(due or 0)}
        if dispatcher is not None:
            last = dispatcher.last_claim_at
            body["dispatcher"] = {
                "running": dispatcher.running,
                "last_claim_at": None if last is None else last.isoformat(timespec="seconds"),
                "last_claim_seconds_ago": (
                    None if last is None else round((now - last).total_seconds())
                ),
            }
        return JSONResponse(body)

    async def telegram_webhook(request: Request) -> Response:
        if not secret_matches(request.headers.get(TELEGRAM_SECRET_HEADER), telegram_secret):
            return _refuse("forbidden", 403)
        try:
            body = await read_body(request)
        except BodyTooLarge:
            return _refuse("too large", 413)
        except ClientDisconnect:
            return _refuse("bad request", 400)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
            return _refuse("bad request", 400)
        if not isinstance(data, dict) or telegram is None:
            return _refuse("bad request", 400)
        try:
            await telegram(data)
        except ValueError:  # the channel cannot read it as an update
            return _refuse("bad request", 400)
        return PlainTextResponse("ok")

    async def whatsapp_verify(request: Request) -> Response:
        assert whatsapp is not None
        q = request.query_params
        echo = whatsapp.challenge(
            q.get("hub.mode"), q.get("hub.verify_token"), q.get("hub.challenge")
        )
        return _refuse("forbidden", 403) if echo is None else PlainTextResponse(echo)

    async def whatsapp_webhook(request: Request) -> Response:
        assert whatsapp is not None
        try:
            body = await read_body(request)  # the signature covers the whole body
        except BodyTooLarge:
            return _refuse("too large", 413)
        except ClientDisconnect:
            return _refuse("bad request", 400)
        if not whatsapp.signature_valid(body, request.headers.get(WHATSAPP_SIGNATURE_HEADER)):
            return _refuse("forbidden", 403)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return _refuse("bad request", 400)
        if not isinstance(data, dict):
            return _refuse("bad request", 400)
        try:
            await whatsapp.feed_webhook(data)
        except ValueError:
            return _refuse("bad request", 400)
        except Exception as exc:
            # Not stored: Meta sends the body again later. The database away is no fault
            # in the code: the channel warned already, no stack trace.
            if not unavailable(exc):
                log.exception("whatsapp webhook could not be stored")
            return _refuse("try again", 503)
        return PlainTextResponse("ok")

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if telegram is not None:
        routes.append(Route("/telegram", telegram_webhook, methods=["POST"]))
    if whatsapp is not None:
        routes.append(Route("/whatsapp", whatsapp_verify, methods=["GET"]))
        routes.append(Route("/whatsapp", whatsapp_webhook, methods=["POST"]))
    if console is not None:
        routes.append(console)
    return AccessLog(Starlette(routes=routes))


def make_server(
    app: ASGIApp, listen: str, forwarded_allow_ips: str = "127.0.0.1"
) -> uvicorn.Server:
    """Uvicorn for the app; X-Forwarded-For/-Proto are trusted only from
    `forwarded_allow_ips` (the TLS reverse proxy), so the console's cookies are Secure
    behind it and nobody else can claim https."""
    host, _, port = listen.rpartition(":")
    config = uvicorn.Config(
        app, host=host or "127.0.0.1", port=int(port), access_log=False, log_config=None,
        lifespan="off", proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=WEB_STOP_SECONDS,
    )  # fmt: skip
    return uvicorn.Server(config)
