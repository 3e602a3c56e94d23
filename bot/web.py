"""The one web server of `p2wkss-bot run`: webhooks and a health check.

Starlette on uvicorn. A webhook request without the right secret header gets 403. The
access log is our own and names method, path and status only: no query strings, no
headers (they can carry secrets).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("p2wkss.web")

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_BODY = 1_000_000

UpdateSink = Callable[[dict[str, Any]], Awaitable[None]]


class AccessLog:
    """Logs method, path (never the query string) and status of each request."""

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
                "%s %s %d %.0fms", scope["method"], scope["path"], status,
                (time.monotonic() - started) * 1000,
            )  # fmt: skip


def build_web_app(
    db: AsyncEngine, *, telegram: UpdateSink | None = None, telegram_secret: str | None = None
) -> ASGIApp:
    async def healthz(_request: Request) -> Response:
        try:
            async with db.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unreachable (%s)", exc.__class__.__name__)
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        return JSONResponse({"ok": True, "database": "ok"})

    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
        if not telegram_secret or not hmac.compare_digest(given, telegram_secret):
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = await request.json()
        except ValueError:
            return PlainTextResponse("bad request", status_code=400)
        if not isinstance(data, dict) or telegram is None:
            return PlainTextResponse("bad request", status_code=400)
        await telegram(data)
        return PlainTextResponse("ok")

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if telegram is not None:
        routes.append(Route("/telegram", telegram_webhook, methods=["POST"]))
    return AccessLog(Starlette(routes=routes))


def make_server(app: ASGIApp, listen: str) -> uvicorn.Server:
    host, _, port = listen.rpartition(":")
    config = uvicorn.Config(
        app, host=host or "127.0.0.1", port=int(port), access_log=False, log_config=None,
        lifespan="off",
    )  # fmt: skip
    return uvicorn.Server(config)
