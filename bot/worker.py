"""`p2wkss-bot worker`: the scheduler alone (outbox dispatcher and sweeps), no chat updates.

For deployments that separate answering people (`p2wkss-bot run`, possibly several webhook
workers) from proactive sending. `run` starts the same scheduler through `start_scheduler`,
so one wiring serves both. On PostgreSQL any number of these may run: an advisory lock
keeps one dispatcher active per channel. SQLite has no such lock, so there it is `run` or
`worker`, never both (two dispatchers would double the send rate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from pathlib import Path

import httpx
from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from pywa_async.errors import WhatsAppError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.app import open_app, stop_on_signals
from bot.channels.telegram import start_refused
from bot.channels.telegram_sender import TelegramSender, make_bot
from bot.channels.whatsapp_api import api_from_settings, check_whatsapp
from bot.channels.whatsapp_api import start_refused as whatsapp_refused
from bot.channels.whatsapp_sender import WhatsAppSender
from bot.settings import ConfigError, Settings
from handlers.core.delivery import Sender
from handlers.voice.notes import shared_notes
from scheduler.attendance import attendance_sweeps
from scheduler.dispatcher import Dispatcher
from scheduler.jobs import build_scheduler
from scheduler.kader import kader_sweeps
from scheduler.sweeps import Sweeper

log = logging.getLogger("p2wkss.worker")

DISPATCHER_JOB = "outbox-dispatcher"  # the id `scheduler.jobs.build_scheduler` gives it
# On shutdown, how long the dispatcher may take to finish the sends already in flight
# (each is capped by the sender's request timeout) before it is cancelled; a cancelled
# send's row stays `sending` and is sent again after its lease.
DRAIN_SECONDS = 30.0
# How long a running sweep may take to end after a stop before it is cancelled.
SWEEP_DRAIN_SECONDS = 20.0


class RunningScheduler:
    """A started scheduler (dispatcher loop + broadcast sweep) and how to stop it cleanly."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        sweeper: Sweeper | None = None,
        sweep_seconds: float = 15.0,
        media_dir: Path | None = None,
        retention: timedelta | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.sweeper = sweeper
        self._stop = asyncio.Event()
        self._finished = asyncio.Event()
        # Jobs handed to the executor and not yet ended (sweeps, the dispatcher).
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.scheduler: AsyncIOScheduler = build_scheduler(
            dispatcher, self._stop, sweeper=sweeper, reminder_seconds=sweep_seconds,
            media_dir=media_dir, retention=retention,
        )  # fmt: skip
        self.scheduler.add_listener(self._on_job_start, EVENT_JOB_SUBMITTED)
        self.scheduler.add_listener(self._on_job_end, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _on_job_start(self, event: JobEvent) -> None:
        self._running += 1
        self._idle.clear()

    def _on_job_end(self, event: JobExecutionEvent) -> None:
        self._running = max(0, self._running - 1)
        if self._running == 0:
            self._idle.set()
        if event.job_id == DISPATCHER_JOB:
            self._finished.set()

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Let the dispatcher finish its sends in flight, then shut the scheduler down."""
        self._stop.set()
        if not await self._wait_finished(drain_seconds):
            log.warning("dispatcher still busy after %.0f s; cancelling it", drain_seconds)
        # No new sweep starts; one already running ends on its own (sweeps are short).
        # Cancelling it instead can leave its database connection half-closed, and the
        # database then cannot be disposed of cleanly.
        self.scheduler.pause()
        if not await _wait(self._idle, SWEEP_DRAIN_SECONDS):
            log.warning("a sweep still runs after %.0f s; cancelling it", SWEEP_DRAIN_SECONDS)
        # APScheduler's asyncio executor cancels whatever still runs.
        self.scheduler.shutdown(wait=False)
        if not await self._wait_finished(5.0):
            log.warning("dispatcher did not stop after cancellation")
        await self.dispatcher.close()  # releases the advisory locks (again: harmless)
        if self.sweeper is not None:
            await self.sweeper.close()

    async def _wait_finished(self, seconds: float) -> bool:
        return await _wait(self._finished, seconds)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


def start_scheduler(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    senders: list[Sender],
) -> RunningScheduler:
    """Build the dispatcher for these senders and start it with the sweeps."""
    dispatcher = Dispatcher(sessions, senders, tz=settings.tz, quiet_hours=settings.quiet_hours)
    sweeper = Sweeper(
        sessions,
        settings.reminder_plan,
        settings.deadline_plan,
        settings.digest_plan,
        extra=[
            *kader_sweeps(settings.question_plan, settings.nudge_plan),
            *attendance_sweeps(settings.attendance_plan),
        ],
    )
    running = RunningScheduler(
        dispatcher, sweeper, settings.reminder_sweep_seconds, media_dir=settings.media_dir,
        retention=timedelta(days=settings.outbox_retention_days),
    )  # fmt: skip
    running.start()
    log.info("scheduler started: outbox dispatcher (%s), broadcast and reminder sweeps",
             ", ".join(s.channel for s in senders))  # fmt: skip
    return running


async def run_worker(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    whatsapp_transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Run the scheduler with its own clients (a Telegram Bot, a WhatsApp Graph API
    client) until `stop` is set (or SIGINT/SIGTERM)."""
    whatsapp_on = check_whatsapp(settings)
    if settings.telegram_bot_token is None and not whatsapp_on:
        raise ConfigError(
            "the worker sends through Telegram or WhatsApp: set TELEGRAM_BOT_TOKEN, or the "
            "WHATSAPP_* settings (see .env.example)"
        )
    stop = stop or stop_on_signals()
    app = await open_app(settings)
    try:
        async with contextlib.AsyncExitStack() as stack:
            senders: list[Sender] = []
            if settings.telegram_bot_token is not None:
                bot = await _telegram_bot(settings)
                stack.push_async_callback(bot.shutdown)
                senders.append(
                    TelegramSender(
                        bot, max_rate=settings.telegram_send_rate,
                        default_language=settings.default_language,
                        voice=shared_notes(settings.media_dir),
                    )
                )  # fmt: skip
            if whatsapp_on:
                api = api_from_settings(settings, whatsapp_transport)
                stack.push_async_callback(api.close)
                try:
                    await api.check()
                except (WhatsAppError, httpx.HTTPError) as exc:
                    raise whatsapp_refused(exc) from None
                senders.append(
                    WhatsAppSender(
                        api, max_rate=settings.whatsapp_send_rate,
                        registry=settings.whatsapp_registry,
                        default_language=settings.default_language,
                        voice=shared_notes(settings.media_dir),
                    )
                )  # fmt: skip
            running = start_scheduler(settings, app.sessions, senders)
            try:
                await stop.wait()
            finally:
                await running.stop()
    finally:
        await app.close()
    return 0


async def _telegram_bot(settings: Settings) -> Bot:
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    bot = make_bot(
        token, base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_file_url
    )
    try:
        await bot.initialize()  # checks the token with getMe
    except TelegramError as exc:
        await bot.shutdown()
        # One line, as for a bad setting; never the URL or PTB's text (both hold the token).
        raise start_refused(exc, token) from None
    return bot
