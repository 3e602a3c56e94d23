"""`p2wkss-bot run`: start every configured channel (and the web server when one needs
it), grant the admins named in the settings, start the scheduler (outbox dispatcher and
sweeps, sending through the running channel's bot), and stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.error import TelegramError

from bot.app import App, open_app, stop_on_signals
from bot.channels.budget import SendBudget
from bot.channels.telegram import TelegramChannel, start_refused
from bot.channels.telegram_render import CHANNEL as TELEGRAM
from bot.channels.telegram_sender import TelegramSender
from bot.settings import ConfigError, Settings
from bot.web import build_web_app, make_server
from bot.worker import RunningScheduler, start_scheduler
from handlers.core.flood import FloodGate
from models import transaction
from models.people.roles import grant_admin

log = logging.getLogger("p2wkss.service")


def check_channels(settings: Settings, *, webhook: bool) -> None:
    """Refuse to start what cannot work, with one line saying what to set."""
    if settings.telegram_bot_token is None:
        raise ConfigError(
            "no channel configured: set TELEGRAM_BOT_TOKEN (see .env.example); "
            "`p2wkss-bot chat` works without any platform"
        )
    if webhook and (settings.webhook_secret is None or not settings.webhook_url):
        raise ConfigError(
            "webhook mode needs WEBHOOK_URL (https) and WEBHOOK_SECRET; "
            "without --webhook the bot uses long polling"
        )


async def grant_configured_admins(app: App, settings: Settings) -> None:
    async with transaction(app.sessions) as session:
        for user_id in settings.admin_telegram_ids:
            await grant_admin(session, TELEGRAM, str(user_id), actor="settings")


async def run_service(
    settings: Settings, *, webhook: bool, stop: asyncio.Event | None = None
) -> int:
    check_channels(settings, webhook=webhook)
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    stop = stop or stop_on_signals()
    app = await open_app(settings)
    try:
        await grant_configured_admins(app, settings)
        telegram = TelegramChannel(
            token,
            app.engine,
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_file_url,
            polling=not webhook,
            flood=FloodGate(settings.flood_rate, settings.flood_burst),
            budget=SendBudget(settings.telegram_total_rate),
        )
        try:
            await telegram.start()  # checks the token (getMe); stops what it started if not
        except TelegramError as exc:
            raise start_refused(exc, token) from None
        server = None
        server_task = None
        # Outbox rows go through the channel's own bot (one connection pool, one token)
        # and its send budget: replies and announcements together stay under Telegram's
        # overall limit, replies first.
        sender = TelegramSender(
            telegram.bot, max_rate=settings.telegram_send_rate,
            default_language=settings.default_language, budget=telegram.budget,
        )  # fmt: skip
        scheduler: RunningScheduler | None = None
        try:
            scheduler = start_scheduler(settings, app.sessions, [sender])
            if webhook:
                assert settings.webhook_secret is not None and settings.webhook_url
                secret = settings.webhook_secret.get_secret_value()
                web = build_web_app(app.db, telegram=telegram.feed_webhook, telegram_secret=secret)
                server = make_server(web, settings.webhook_listen)
                server_task = asyncio.create_task(server.serve())
                try:
                    await telegram.set_webhook(settings.webhook_url + "/telegram", secret)
                except TelegramError as exc:
                    raise start_refused(exc, token) from None
            log.info("running: telegram (%s)", "webhook" if webhook else "long polling")
            await stop.wait()
        finally:
            if scheduler is not None:  # its sends in flight finish before the bot closes
                await scheduler.stop()
            if server is not None and server_task is not None:
                server.should_exit = True
                with contextlib.suppress(Exception):
                    await server_task
            await telegram.stop()
    finally:
        await app.close()
    return 0
