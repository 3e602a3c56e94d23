"""What WhatsApp's refusals do to an outbox row, at the data layer: waiting for her next
message, going again as a template, a per-user daily limit, opting out of announcements
on the platform, and a pause reported late by a status webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import App
from handlers.core.delivery import AS_TEMPLATE, Failed, OptedOut, OutsideWindow, RetryAfter, Sent
from models import ChannelIdentity
from models.base import transaction
from models.outbox.delivery import apply_status_callback, record_result, release_waiting
from models.outbox.tables import OutboxMessage, claim_batch, enqueue
from tests.support.fakes.outbox import add_member

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def queue(app: App, identity_id: int, key: str, kind: str = "announcement") -> int:
    async with transaction(app.sessions) as s:
        row_id = await enqueue(
            s, identity_id=identity_id, channel="whatsapp", kind=kind, params={"text": key},
            idempotency_key=key, now=NOW, respects_opt_out=kind == "announcement",
        )  # fmt: skip
    assert row_id is not None
    return row_id


async def sent_row(app: App, identity_id: int, key: str, kind: str = "announcement") -> int:
    row_id = await queue(app, identity_id, key, kind)
    async with transaction(app.sessions) as s:
        await claim_batch(s, "whatsapp", NOW, 10, 60)
        await record_result(s, row_id, Sent(f"wamid.{key}"), now=NOW, max_attempts=5)
    return row_id


async def row(app: App, row_id: int) -> OutboxMessage:
    async with app.sessions() as s:
        return await s.get_one(OutboxMessage, row_id)


async def chat(app: App) -> int:
    async with transaction(app.sessions) as s:
        _, identity_id = await add_member(s, "ID.1001", channel="whatsapp")
    return identity_id


async def test_outside_the_window_a_row_waits_for_her_next_message(app: App) -> None:
    siti = await chat(app)
    waiting = await queue(app, siti, "a")
    async with transaction(app.sessions) as s:
        await claim_batch(s, "whatsapp", NOW, 10, 60)
        week = OutsideWindow(wait=7 * 86400)
        assert await record_result(s, waiting, week, now=NOW, max_attempts=5) == "queued"
    r = await row(app, waiting)
    assert (r.last_error, r.attempts, r.not_before) == (
        "outside_window",
        0,
        NOW + timedelta(days=7),
    )
    later = NOW + timedelta(hours=3)
    async with transaction(app.sessions) as s:
        assert await release_waiting(s, [siti], later) == 1
    assert (await row(app, waiting)).not_before == later


async def test_a_refused_free_form_message_goes_again_as_its_template(app: App) -> None:
    siti = await chat(app)
    notice = await sent_row(app, siti, "b", kind="kegiatan_changed")
    later = NOW + timedelta(minutes=1)
    async with transaction(app.sessions) as s:
        refused = OutsideWindow(as_template=True)
        assert await apply_status_callback(s, "whatsapp", "wamid.b", refused, now=later)
    r = await row(app, notice)
    assert (r.status, r.not_before, r.params[AS_TEMPLATE]) == ("queued", later, True)
    assert r.provider_message_id is None


async def test_a_daily_limit_retries_a_day_later_and_a_late_pause_requeues(app: App) -> None:
    siti = await chat(app)
    limited, paused = await sent_row(app, siti, "c"), await sent_row(app, siti, "d")
    async with transaction(app.sessions) as s:
        day = Failed("131049", retryable=True, retry_in=86400)
        await apply_status_callback(s, "whatsapp", "wamid.c", day, now=NOW)
        await apply_status_callback(s, "whatsapp", "wamid.d", RetryAfter(60, False), now=NOW)
    r = await row(app, limited)
    assert (r.status, r.not_before, r.last_error) == ("queued", NOW + timedelta(days=1), "131049")
    r = await row(app, paused)
    assert (r.status, r.not_before, r.attempts) == ("queued", NOW + timedelta(minutes=1), 0)


async def test_stopping_marketing_on_whatsapp_opts_the_chat_out_of_announcements_only(
    app: App,
) -> None:
    siti = await chat(app)
    refused = await sent_row(app, siti, "e")
    queued_announcement = await queue(app, siti, "f")
    reminder = await queue(app, siti, "g", kind="kegiatan_reminder")
    async with transaction(app.sessions) as s:
        assert await apply_status_callback(s, "whatsapp", "wamid.e", OptedOut(), now=NOW)
    assert ((await row(app, refused)).status, (await row(app, refused)).last_error) == (
        "skipped", "opted_out",
    )  # fmt: skip
    assert (await row(app, queued_announcement)).status == "skipped"
    assert (await row(app, reminder)).status == "queued"
    async with app.sessions() as s:
        identity = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.id == siti))
        assert identity is not None and identity.announcements_opted_out
