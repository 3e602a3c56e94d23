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
from functools import partial
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

from bot.app import STEP_FLOOR, StopClock, open_app, stop_on_signals
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
from scheduler.leader import RELEASE_SECONDS
from scheduler.sweeps import Sweeper

log = logging.getLogger("p2wkss.worker")

DISPATCHER_JOB = "outbox-dispatcher"  # the id `scheduler.jobs.build_scheduler` gives it
# On shutdown, how long the dispatcher may take to finish the sends already in flight
# (each is capped by the sender's request timeout), and a sweep already running to end,
# before they are cancelled; a cancelled send's row stays `sending` and is sent again
# after its lease (at worst twice, as after a crash); a cancelled sweep's rows were not
# written and the next sweep writes them. Within a stop's shared deadline
# (bot.app.STOP_SECONDS) it is what is left of that, less the steps below.
DRAIN_SECONDS = 30.0
# After the cancellation, how long the dispatcher may take to end.
CANCEL_SECONDS = 2.0


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

    async def stop(
        self, drain_seconds: float = DRAIN_SECONDS, *, deadline: StopClock | None = None
    ) -> None:
        """Let the dispatcher finish its sends in flight and a running sweep end (for at
        most `drain_seconds`, and within `deadline`), then shut the scheduler down and let
        go of the advisory locks. Bounded whatever the database does: a database that
        does not answer costs at most the drain, CANCEL_SECONDS and RELEASE_SECONDS."""
        self._stop.set()
        # No new sweep starts; one already running ends on its own meanwhile (sweeps are
        # short). Cancelling it instead can leave its database connection half-closed,
        # and the database then cannot be disposed of cleanly.
        self.scheduler.pause()
        if deadline is not None:
            # Room left for the steps below, so that this stop ends by itself in time.
            after = CANCEL_SECONDS + RELEASE_SECONDS + STEP_FLOOR
            drain_seconds = min(drain_seconds, deadline.left(after))
        if not await _wait(self._idle, drain_seconds):
            busy = "a sweep" if self._finished.is_set() else "the dispatcher"
            log.warning("stop: gave up waiting for %s after %.1f s; cancelling it",
                        busy, drain_seconds)  # fmt: skip
        # APScheduler's asyncio executor cancels whatever still runs.
        self.scheduler.shutdown(wait=False)
        if not await self._wait_finished(CANCEL_SECONDS):
            log.warning("dispatcher did not stop after cancellation")
        # Releases the advisory locks (again for the dispatcher: harmless), each within
        # RELEASE_SECONDS, side by side.
        closing = [self.dispatcher.close()]
        if self.sweeper is not None:
            closing.append(self.sweeper.close())
        await asyncio.gather(*closing)

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
    # Bounded as `run`'s stop is (bot.app.STOP_SECONDS, then CLOSE_SECONDS).
    clock = StopClock()
    try:
        async with contextlib.AsyncExitStack() as stack:
            senders: list[Sender] = []
            if settings.telegram_bot_token is not None:
                bot = await _telegram_bot(settings)
                stack.push_async_callback(clock.step, "the Telegram client", bot.shutdown)
                senders.append(
                    TelegramSender(
                        bot, max_rate=settings.telegram_send_rate,
                        default_language=settings.default_language,
                        voice=shared_notes(settings.media_dir),
                    )
                )  # fmt: skip
            if whatsapp_on:
                api = api_from_settings(settings, whatsapp_transport)
                stack.push_async_callback(clock.step, "the WhatsApp client", api.close)
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
                clock.start()
                await clock.step("the scheduler", partial(running.stop, deadline=clock))
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
