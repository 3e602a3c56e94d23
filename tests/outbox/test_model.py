"""Stories of the outbox and broadcasts at the data layer, on a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from handlers.core.delivery import (
    Blocked,
    Delivered,
    Failed,
    Read,
    Sent,
    UnknownKind,
    render_outbox,
)
from handlers.core.types import Choice
from models import ChannelIdentity, Member
from models.base import transaction
from models.outbox.broadcasts import (
    Broadcast,
    audience_recipients,
    count_audience,
    create_broadcast,
    sweep_broadcasts,
)
from models.outbox.delivery import apply_status_callback, record_result, retry_delay
from models.outbox.tables import (
    PRIORITY_NOTICE,
    OutboxMessage,
    QuietHours,
    claim_batch,
    enqueue,
)
from models.people.members import erase_member
from tests.support.fakes.outbox import add_member, kampung_ids, link

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10.00 WIB
WIB = ZoneInfo("Asia/Jakarta")


async def queue(app: App, identity_id: int, key: str, **kw: object) -> int | None:
    async with transaction(app.sessions) as s:
        return await enqueue(
            s,
            identity_id=identity_id,
            channel="telegram",
            kind="announcement",
            params={"text": key},
            idempotency_key=key,
            now=NOW,
            **kw,  # type: ignore[arg-type]
        )


async def one_chat(app: App, chat: str = "tg-1") -> int:
    async with transaction(app.sessions) as s:
        _, identity_id = await add_member(s, chat)
    return identity_id


async def claim(app: App, at: datetime, limit: int = 10) -> list[int]:
    async with transaction(app.sessions) as s:
        return [c.row.id for c in await claim_batch(s, "telegram", at, limit, 60)]


async def test_the_same_idempotency_key_twice_makes_one_row(app: App) -> None:
    chat = await one_chat(app)
    first = await queue(app, chat, "reminder:kegiatan-7:member-3:h-1")
    again = await queue(app, chat, "reminder:kegiatan-7:member-3:h-1")
    assert first is not None and again is None
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 1


async def test_a_claim_takes_due_rows_by_priority_then_age_and_leases_them(app: App) -> None:
    chat = await one_chat(app)
    low = await queue(app, chat, "a")
    later = await queue(app, chat, "b", not_before=NOW + timedelta(hours=1))
    high = await queue(app, chat, "c", priority=PRIORITY_NOTICE)
    low2 = await queue(app, chat, "d")
    assert await claim(app, NOW) == [high, low, low2]
    async with app.sessions() as s:
        row = await s.get_one(OutboxMessage, low)
        assert (row.status, row.attempts) == ("sending", 1)
        assert row.lease_until == NOW + timedelta(seconds=60)
    assert await claim(app, NOW + timedelta(seconds=30)) == []  # leased, not yet due
    assert await claim(app, NOW + timedelta(hours=1)) == [high, low, later, low2]


async def test_two_workers_claiming_at_once_never_take_the_same_row(app: App) -> None:
    chat = await one_chat(app)
    for n in range(6):
        await queue(app, chat, f"row-{n}")
    async with transaction(app.sessions) as first:
        mine = [c.row.id for c in await claim_batch(first, "telegram", NOW, 3, 60)]
        # PostgreSQL skips the rows locked here; SQLite makes the second writer wait.
        theirs = asyncio.create_task(claim(app, NOW, limit=6))
        await asyncio.sleep(0.05)
    assert len(mine) == 3
    assert sorted(mine + await theirs) == sorted(mine + [r for r in range(1, 7) if r not in mine])


async def test_results_settle_a_row_and_a_retryable_failure_backs_off(app: App) -> None:
    chat = await one_chat(app)
    ok, flaky = await queue(app, chat, "ok"), await queue(app, chat, "flaky")
    assert ok is not None and flaky is not None
    await claim(app, NOW)
    async with transaction(app.sessions) as s:
        assert await record_result(s, ok, Sent("tg-77"), now=NOW, max_attempts=3) == "sent"
        status = await record_result(s, flaky, Failed("http_502", True), now=NOW, max_attempts=3)
        assert status == "queued"
    async with app.sessions() as s:
        row = await s.get_one(OutboxMessage, flaky)
        assert row.not_before == NOW + timedelta(seconds=retry_delay(1))
        assert (row.attempts, row.last_error) == (1, "http_502")
        assert (await s.get_one(OutboxMessage, ok)).provider_message_id == "tg-77"
    assert [retry_delay(n) for n in (1, 2, 3, 12)] == [2.0, 4.0, 8.0, 600.0]


async def test_late_reports_from_the_platform_update_the_row(app: App) -> None:
    chat = await one_chat(app)
    a, b = await queue(app, chat, "a"), await queue(app, chat, "b")
    assert a is not None and b is not None
    await claim(app, NOW)
    async with transaction(app.sessions) as s:
        await record_result(s, a, Sent("wamid.A"), now=NOW, max_attempts=3)
        await record_result(s, b, Sent("wamid.B"), now=NOW, max_attempts=3)
    async with transaction(app.sessions) as s:
        assert await apply_status_callback(s, "telegram", "wamid.A", Delivered(), now=NOW)
        assert await apply_status_callback(s, "telegram", "wamid.A", Read(), now=NOW)
        assert await apply_status_callback(s, "telegram", "wamid.B", Blocked(), now=NOW)
        assert not await apply_status_callback(s, "telegram", "wamid.X", Read(), now=NOW)
    async with app.sessions() as s:
        assert (await s.get_one(OutboxMessage, a)).status == "read"
        row_b = await s.get_one(OutboxMessage, b)
        assert (row_b.status, row_b.last_error) == ("failed", "blocked")
        assert (await s.get_one(ChannelIdentity, chat)).unreachable


def test_quiet_hours_run_from_evening_to_morning_in_the_deployment_zone() -> None:
    quiet = QuietHours(time(21), time(6), WIB)
    wib = {h: datetime(2026, 12, 1, h, 30, tzinfo=WIB) for h in (5, 6, 12, 20, 21, 23)}
    assert [quiet.active(wib[h]) for h in sorted(wib)] == [True, False, False, False, True, True]
    assert not QuietHours(time(0), time(0), WIB).active(wib[23])  # equal bounds: none
    assert QuietHours(time(12), time(14), WIB).active(wib[12])


async def test_audience_counts_for_all_ibu_kader_kampung_and_inactive(app: App) -> None:
    old = NOW - timedelta(days=40)
    async with transaction(app.sessions) as s:
        places = await kampung_ids(s)
        sumberan, cibening = places["Sumberan"], places["Cibening"]
        await add_member(s, "tg-1", kampung_id=sumberan, last_active_at=NOW)
        await add_member(s, "tg-2", kampung_id=sumberan, last_active_at=old)
        await add_member(s, "tg-3", kampung_id=cibening, last_active_at=NOW)
        await add_member(s, "tg-4", role="kader", kampung_id=cibening, last_active_at=NOW)
        await add_member(s, "tg-5", role="admin", last_active_at=None)
        await add_member(s, None, kampung_id=sumberan)  # no chat: cannot be reached
    audiences: dict[str, dict[str, Any]] = {
        "all": {"kind": "all"},
        "ibu": {"kind": "ibu"},
        "kader": {"kind": "kader"},
        "sumberan": {"kind": "kampung", "kampung_ids": [sumberan]},
        "both": {"kind": "kampung", "kampung_ids": [sumberan, cibening]},
        "inactive": {"kind": "inactive", "days": 30},
    }
    async with app.sessions() as s:
        counts = {name: await count_audience(s, a, now=NOW) for name, a in audiences.items()}
    assert counts == {"all": 5, "ibu": 3, "kader": 1, "sumberan": 2, "both": 4, "inactive": 2}


@pytest.mark.parametrize(
    "audience",
    [{"kind": "everyone"}, {"kind": "kampung"}, {"kind": "inactive", "days": 0}],
)
async def test_an_unknown_audience_is_refused(app: App, audience: dict[str, object]) -> None:
    async with app.sessions() as s:
        with pytest.raises(ValueError):
            await count_audience(s, audience)


async def test_a_household_sharing_one_chat_gets_one_announcement(app: App) -> None:
    async with transaction(app.sessions) as s:
        siti, shared = await add_member(s, "tg-home")
        aminah, _ = await add_member(s, None)
        await link(s, aminah, "tg-home")
        dewi, other = await add_member(s, "tg-other")
        broadcast = await create_broadcast(
            s, text="Posyandu Sabtu", audience={"kind": "all"}, actor="cli", now=NOW
        )
    async with app.sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert broadcast.recipient_count == 2 and broadcast.status == "enqueued"
    # One message for the home chat, naming its first mother; one for the other chat.
    assert [(r.identity_id, r.member_id) for r in rows] == [(shared, siti), (other, dewi)]
    assert all(r.respects_quiet_hours and r.respects_opt_out for r in rows)


async def test_opted_out_unreachable_and_erased_members_are_left_out(app: App) -> None:
    async with transaction(app.sessions) as s:
        await add_member(s, "tg-yes")
        _, quiet = await add_member(s, "tg-stop")
        _, gone = await add_member(s, "tg-blocked")
        erased, _ = await add_member(s, "tg-erased")
        for identity_id, values in ((quiet, {"announcements_opted_out": True}),
                                    (gone, {"unreachable": True})):  # fmt: skip
            await s.execute(
                update(ChannelIdentity).where(ChannelIdentity.id == identity_id).values(**values)
            )
        await erase_member(s, await s.get_one(Member, erased))
    async with app.sessions() as s:
        recipients = await audience_recipients(s, {"kind": "all"})
    assert len(recipients) == 1


async def test_a_member_is_reached_on_her_most_recently_seen_reachable_chat(app: App) -> None:
    async with transaction(app.sessions) as s:
        member, old_chat = await add_member(s, "tg-old", seen_at=NOW - timedelta(days=9))
        new_chat = await link(s, member, "wa-new", channel="whatsapp", seen_at=NOW)
    async with app.sessions() as s:
        [r] = await audience_recipients(s, {"kind": "all"})
    assert (r.identity_id, r.channel, r.member_id) == (new_chat, "whatsapp", member)
    async with transaction(app.sessions) as s:
        await s.execute(
            update(ChannelIdentity).where(ChannelIdentity.id == new_chat).values(unreachable=True)
        )
    async with app.sessions() as s:
        [r] = await audience_recipients(s, {"kind": "all"})
    assert r.identity_id == old_chat


async def test_a_broadcast_is_written_with_the_change_or_not_at_all(app: App) -> None:
    await one_chat(app)
    with pytest.raises(RuntimeError):
        async with transaction(app.sessions) as s:
            await create_broadcast(s, text="Halo", audience={"kind": "all"}, actor="cli", now=NOW)
            raise RuntimeError("the admin's transaction failed after the broadcast")
    async with app.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert await s.scalar(select(func.count()).select_from(Broadcast)) == 0


async def test_a_scheduled_broadcast_takes_its_audience_when_it_goes(app: App) -> None:
    await one_chat(app, "tg-early")
    at = NOW + timedelta(hours=2)
    async with transaction(app.sessions) as s:
        b = await create_broadcast(
            s, text="Besok", audience={"kind": "all"}, actor="cli", scheduled_at=at, now=NOW
        )
    assert (b.status, b.recipient_count) == ("scheduled", 1)
    await one_chat(app, "tg-late")  # registers while the broadcast waits
    async with transaction(app.sessions) as s:
        assert (await sweep_broadcasts(s, NOW + timedelta(hours=1))).enqueued == []
        assert (await sweep_broadcasts(s, at)).enqueued == [b.id]
        assert (await sweep_broadcasts(s, at)).enqueued == []  # never twice
    async with app.sessions() as s:
        assert (await s.get_one(Broadcast, b.id)).recipient_count == 2
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_an_announcement_shows_the_admins_text_as_typed_with_photo_and_buttons() -> None:
    row = OutboxMessage(
        kind="announcement",
        params={
            "text": "Kumpul jam {9} di balai, bawa KMS!",
            "lang": "en",
            "choices": [{"id": "a:optout", "label": "Stop"}],
        },
        media_path="media/poster.jpg",
    )
    reply = render_outbox(row, None)
    assert reply.text.endswith("\n\nKumpul jam {9} di balai, bawa KMS!")
    assert reply.choices == (Choice("a:optout", "Stop"),)
    assert reply.photo == Path("media/poster.jpg")
    assert render_outbox(row, "id").text != reply.text  # the header is in her language
    with pytest.raises(UnknownKind):
        render_outbox(OutboxMessage(kind="no_such_kind", params={}), "id")
