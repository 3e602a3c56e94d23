"""`p2wkss-bot run`: start every configured channel (Telegram, WhatsApp, or both) and the
web server when one needs it (WhatsApp always: its updates come by webhook; Telegram with
`--webhook`; the web console when WEB_BASE_URL is set), grant the admins named in the
settings, start the scheduler (outbox dispatcher and sweeps, sending through the running
channels' clients and send budgets), and stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import partial

import httpx
import uvicorn
from pywa_async.errors import WhatsAppError
from starlette.routing import Mount
from telegram.error import TelegramError

from bot.app import App, StopClock, open_app, stop_on_signals
from bot.channels.budget import SendBudget
from bot.channels.telegram import TelegramChannel, start_refused
from bot.channels.telegram_render import CHANNEL as TELEGRAM
from bot.channels.telegram_sender import TelegramSender
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp_api import api_from_settings, check_whatsapp
from bot.channels.whatsapp_api import start_refused as whatsapp_refused
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.settings import ConfigError, Settings
from bot.web import WEB_STOP_SECONDS, build_web_app, make_server
from bot.web_console import build_console
from bot.worker import RunningScheduler, start_scheduler
from handlers.core.delivery import Sender
from handlers.core.flood import FloodGate
from handlers.voice.notes import shared_notes
from models import transaction
from models.people.roles import grant_admin

log = logging.getLogger("p2wkss.service")


def check_channels(settings: Settings, *, webhook: bool) -> tuple[bool, bool]:
    """Which channels run (Telegram, WhatsApp); refuse to start what cannot work, with one
    line saying what to set."""
    whatsapp = check_whatsapp(settings)
    telegram = settings.telegram_bot_token is not None
    if not telegram and not whatsapp:
        raise ConfigError(
            "no channel configured: set TELEGRAM_BOT_TOKEN, or WHATSAPP_PHONE_NUMBER_ID, "
            "WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN (see "
            ".env.example); `p2wkss-bot chat` works without any platform"
        )
    if telegram and webhook and (settings.webhook_secret is None or not settings.webhook_url):
        raise ConfigError(
            "webhook mode needs WEBHOOK_URL (https) and WEBHOOK_SECRET; "
            "without --webhook the bot uses long polling"
        )
    return telegram, whatsapp


async def grant_configured_admins(app: App, settings: Settings) -> None:
    async with transaction(app.sessions) as session:
        for user_id in settings.admin_telegram_ids:
            await grant_admin(session, TELEGRAM, str(user_id), actor="settings")


async def start_whatsapp(
    settings: Settings, app: App, transport: httpx.AsyncBaseTransport | None = None
) -> tuple[WhatsAppChannel, WhatsAppSender]:
    """The WhatsApp channel, started (its token checked), and its outbox sender sharing
    its client and send budget."""
    assert settings.whatsapp_app_secret is not None and settings.whatsapp_verify_token is not None
    api = api_from_settings(settings, transport)
    budget = SendBudget(settings.whatsapp_send_rate, burst=1, per_chat_interval=0.0)
    registry = settings.whatsapp_registry
    channel = WhatsAppChannel(
        app.engine, api,
        app_secret=settings.whatsapp_app_secret.get_secret_value(),
        verify_token=settings.whatsapp_verify_token.get_secret_value(),
        registry=registry, flood=FloodGate(settings.flood_rate, settings.flood_burst),
        budget=budget,
    )  # fmt: skip
    try:
        await channel.start()
    except (WhatsAppError, httpx.HTTPError) as exc:
        await api.close()
        raise whatsapp_refused(exc) from None
    sender = WhatsAppSender(
        api, max_rate=settings.whatsapp_send_rate, registry=registry,
        default_language=settings.default_language, budget=budget,
        voice=shared_notes(settings.media_dir),
    )  # fmt: skip
    return channel, sender


async def run_service(
    settings: Settings,
    *,
    webhook: bool,
    stop: asyncio.Event | None = None,
    whatsapp_transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    telegram_on, whatsapp_on = check_channels(settings, webhook=webhook)
    stop = stop or stop_on_signals()
    app = await open_app(settings)
    # The stop's steps share one deadline (bot.app.STOP_SECONDS); then the database is
    # closed, within CLOSE_SECONDS: a database that stopped answering cannot hold the
    # stop up (what was given up is leased, see there).
    clock = StopClock()
    try:
        await grant_configured_admins(app, settings)
        # Closed in reverse: the web server, the scheduler (its sends in flight finish
        # before the clients close), then the channels.
        async with contextlib.AsyncExitStack() as stack:
            senders: list[Sender] = []
            telegram: TelegramChannel | None = None
            whatsapp: WhatsAppChannel | None = None
            if telegram_on:
                telegram = await _start_telegram(settings, app, webhook)
                stack.push_async_callback(clock.step, "the Telegram channel", telegram.stop)
                # Outbox rows go through the channel's own bot and its send budget:
                # replies and announcements together stay under Telegram's limit.
                senders.append(
                    TelegramSender(
                        telegram.bot, max_rate=settings.telegram_send_rate,
                        default_language=settings.default_language, budget=telegram.budget,
                        voice=shared_notes(settings.media_dir),
                    )
                )  # fmt: skip
            if whatsapp_on:
                whatsapp, wa_sender = await start_whatsapp(settings, app, whatsapp_transport)
                stack.push_async_callback(clock.step, "the WhatsApp channel", whatsapp.stop)
                senders.append(wa_sender)
            scheduler = start_scheduler(settings, app.sessions, senders)
            stack.push_async_callback(_stop_scheduler, scheduler, clock)
            telegram_hook = telegram if webhook else None
            if telegram_hook is not None or whatsapp is not None or settings.web_base_url:
                secret = None
                if telegram_hook is not None:
                    assert settings.webhook_secret is not None
                    secret = settings.webhook_secret.get_secret_value()
                web = build_web_app(
                    app.db, telegram=telegram_hook.feed_webhook if telegram_hook else None,
                    telegram_secret=secret, whatsapp=whatsapp,
                    console=console_for(settings, app), dispatcher=scheduler.dispatcher,
                )  # fmt: skip
                server = make_server(web, settings.webhook_listen, settings.forwarded_allow_ips)
                server_task = asyncio.create_task(server.serve())
                stack.push_async_callback(
                    clock.step, "the web server", partial(_stop_server, server, server_task)
                )
                if telegram_hook is not None and secret is not None:
                    assert settings.webhook_url and settings.telegram_bot_token is not None
                    try:
                        await telegram_hook.set_webhook(settings.webhook_url + "/telegram", secret)
                    except TelegramError as exc:
                        token = settings.telegram_bot_token.get_secret_value()
                        raise start_refused(exc, token) from None
            running = [f"telegram ({'webhook' if webhook else 'long polling'})"] if telegram else []
            running += ["whatsapp (webhook /whatsapp)"] if whatsapp else []
            log.info("running: %s", ", ".join(running))
            await stop.wait()
            clock.start()
    finally:
        await app.close()
    return 0


def console_for(settings: Settings, app: App) -> Mount | None:
    """The web console's /admin mount when WEB_BASE_URL is set."""
    if not settings.web_base_url:
        return None
    return build_console(
        app.sessions, media_dir=settings.media_dir, timezone=settings.timezone,
        quiet_hours=app.engine.config.quiet_hours,
    )  # fmt: skip


async def _start_telegram(settings: Settings, app: App, webhook: bool) -> TelegramChannel:
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
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
    return telegram


async def _stop_scheduler(scheduler: RunningScheduler, clock: StopClock) -> None:
    """The scheduler's stop within the time left (its own waits are bounded by it)."""
    await clock.step("the scheduler", partial(scheduler.stop, deadline=clock))


async def _stop_server(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Stop taking requests and let those under way finish, for at most WEB_STOP_SECONDS
    (bot.web.make_server): uvicorn then cancels them. Not answered, they were not
    acknowledged: the platform sends them again (to a worker that runs)."""
    server.should_exit = True
    with contextlib.suppress(Exception):
        await task
    if server.server_state.tasks:
        log.warning(
            "stop: gave up waiting for %d webhook request(s) after %.0f s",
            len(server.server_state.tasks), WEB_STOP_SECONDS,
        )  # fmt: skip
