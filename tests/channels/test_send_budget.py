"""One send budget for Telegram: direct replies and the outbox dispatcher together stay
under the overall limit, counted where it is enforced (at the fake Bot API); a reply goes
ahead of the announcements waiting; one answer may come as up to 3 messages at once."""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Callable, Sequence

from bot.app import App
from bot.channels.budget import OUTBOX, REPLY, ChatPace, SendBudget
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_sender import TelegramSender
from handlers.core.context import Ctx
from handlers.core.feature import Action, Feature, Registry
from handlers.features import all_features
from models import transaction, utcnow
from models.outbox.tables import enqueue_many, outbox_row
from scheduler.dispatcher import Dispatcher
from tests.support.fakes.outbox import WIB, add_member
from tests.support.fakes.telegram_api import FakeTelegramServer
from tests.support.telegram_harness import TOKEN, TgUser

ANNOUNCED = [6170000000 + i for i in range(100)]
WRITERS = [6180000000 + i for i in range(35)]
TELEGRAM_LIMIT = 30  # messages in any one second, overall
SITI = 6190000001
GUESTS = frozenset({"guest"})


def test_one_answer_may_burst_three_messages_then_one_a_second() -> None:
    now = [0.0]
    pace = ChatPace(burst=3, interval=1.0, clock=lambda: now[0])
    assert [pace.reserve("siti") for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert pace.reserve("dewi") == 0.0  # every chat has her own
    now[0] = 10.0  # quiet for a while: a full burst again
    assert [pace.reserve("siti") for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


async def test_a_reply_takes_the_next_slot_ahead_of_announcements_waiting() -> None:
    budget = SendBudget(rate=50.0)
    order: list[str] = []

    async def send(name: str, chat: int, kind: int) -> None:
        await budget.take(chat, kind)
        order.append(name)

    outbox = [asyncio.create_task(send(f"a{i}", i, OUTBOX)) for i in range(6)]
    while budget.waiting() < 5:  # the first went at once, five wait for a slot
        await asyncio.sleep(0)
    reply = asyncio.create_task(send("reply", 99, REPLY))
    await asyncio.gather(*outbox, reply)
    assert order[:2] == ["a0", "reply"]


def busiest_second(times: Sequence[float]) -> int:
    """The most sends any one-second window holds (windows starting at each send)."""
    ordered = sorted(times)
    return max((bisect.bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered)), default=0)


async def queue_announcement(app: App) -> None:
    now = utcnow()
    async with transaction(app.sessions) as s:
        rows = []
        for chat in ANNOUNCED:
            member_id, identity_id = await add_member(s, str(chat))
            rows.append(
                outbox_row(
                    identity_id=identity_id, member_id=member_id, channel="telegram",
                    kind="announcement", params={"text": "Posyandu Sabtu", "lang": "id"},
                    idempotency_key=f"posyandu-{chat}", now=now,
                )
            )  # fmt: skip
        await enqueue_many(s, rows)


async def test_a_broadcast_and_people_writing_in_stay_under_the_limit_and_replies_go_first(
    app: App, fake: FakeTelegramServer
) -> None:
    await queue_announcement(app)
    # The outbox alone would go faster than the budget: its sends queue there.
    channel = TelegramChannel(
        TOKEN, app.engine, base_url=fake.base_url, base_file_url=fake.file_url,
        budget=SendBudget(rate=25.0),
    )  # fmt: skip
    await channel.start(poll_timeout=1)
    sender = TelegramSender(channel.bot, max_rate=100.0, budget=channel.budget)
    dispatcher = Dispatcher(app.sessions, [sender], tz=WIB, quiet_hours=None)
    stop = asyncio.Event()
    run = asyncio.create_task(dispatcher.run(stop))
    announced = set(ANNOUNCED)

    def announcements_since(moment: float) -> int:
        return sum(
            1 for c in fake.calls_of("sendMessage", 200)
            if c.at >= moment and int(c.params["chat_id"]) in announced
        )  # fmt: skip

    def answered(chat: int) -> Callable[[object], bool]:
        return lambda _: bool(fake.sent_messages(chat))

    try:
        # A few mothers write in, one after another, while announcements wait in the
        # budget: each answer overtakes them.
        overtaken = []
        for writer in WRITERS[:3]:
            await fake.wait_for(lambda _: channel.budget.waiting() >= 30, timeout=10)
            waiting = channel.budget.waiting()
            written = time.monotonic()
            fake.inject_message(writer, "/start")
            await fake.wait_for(answered(writer), timeout=10)
            overtaken.append((waiting, announcements_since(written)))
        # Then many at once, while the broadcast goes on.
        for writer in WRITERS[3:]:
            fake.inject_message(writer, "/start")
        await fake.wait_for(
            lambda _: (
                all(fake.sent_messages(w) for w in WRITERS)
                and all(fake.sent_messages(c) for c in ANNOUNCED)
            ),
            timeout=30,
        )
    finally:
        stop.set()
        await run
        await channel.stop()
    # Each answer went before the announcements waiting ahead of it (some went while her
    # message was being fetched and handled; in turn, all of them would go first).
    assert all(waiting >= 30 and went < waiting // 2 for waiting, went in overtaken), overtaken
    sends = [c.at for c in fake.calls_of("sendMessage")]
    assert len(sends) >= len(ANNOUNCED) + len(WRITERS)
    assert busiest_second(sends) <= TELEGRAM_LIMIT
    assert fake.http_429_count == 0


async def test_an_answer_of_five_messages_comes_three_at_once_then_one_a_second(
    app: App, fake: FakeTelegramServer
) -> None:
    async def five(ctx: Ctx, _args: list[str]) -> None:
        for n in range(1, 6):
            ctx.say(f"Bagian {n}")

    testing = Feature("testing", "test", actions=(Action("test.five", five, GUESTS),))
    app.engine.registry = Registry((*all_features(), testing))
    channel = TelegramChannel(
        TOKEN, app.engine, base_url=fake.base_url, base_file_url=fake.file_url
    )
    await channel.start(poll_timeout=1)
    siti = TgUser(fake, SITI, channel)
    try:
        await siti.say("/start", "Menu utama")
        menu = siti.messages()[-1].message_id
        await fake.pause(1.1)  # her chat's burst is full again
        await siti.tap_data(menu, "a:test.five", "Bagian 1")
        await fake.wait_for(lambda _: "Bagian 5" in siti.text, timeout=10)
    finally:
        await channel.stop()
    parts = [
        c.at for c in fake.calls_of("sendMessage", 200) if "Bagian" in c.params.get("text", "")
    ]
    assert [m.text for m in siti.new()] == [f"Bagian {n}" for n in range(1, 6)]
    # Counted at the Bot API: never more than 3 in one second to her chat.
    assert busiest_second(parts) == 3
