"""Nothing acknowledged is lost: `p2wkss-bot run` is killed with SIGKILL after Telegram was
told the updates arrived (polling: the offset moved past them; webhook: every POST got
200) and before they were handled or answered; started again, it answers every message
once, in order per chat. The fake Bot API and the bot are real processes.

While the bot runs, the fake holds every sendMessage unanswered: each chat's first message
is then handled (her state changed, the reply kept) but not sent, and her next messages
wait their turn unhandled. The kill leaves both kinds behind."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from models import InboxMessage, make_engine
from tests.support.processes import FakeProcess, eventually, fake_process, free_port, kill
from tests.support.processes import start_run as start_run_process

CHATS = [6300000001 + i for i in range(12)]
# What each message gets, by a piece of the first reply's text.
SAYS = [("/start", "Halo!"), ("bantuan", "Cara memakai"), ("bahasa", "Pilih bahasa")]
SECRET = "crash-test-secret"


async def statuses(database_url: str) -> Counter[str]:
    db = make_engine(database_url)
    try:
        async with db.connect() as conn:
            rows = await conn.execute(
                select(InboxMessage.status, func.count()).group_by(InboxMessage.status)
            )
            return Counter({status: count for status, count in rows})
    finally:
        await db.dispose()


def answers_by_chat(sent: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Per chat, the marker of each message sent (texts that are no first reply skipped)."""
    out: dict[int, list[str]] = {chat: [] for chat in CHATS}
    for message in sent:
        text = message["text"] or ""
        for _say, marker in SAYS:
            if text.startswith(marker):
                out.setdefault(message["chat_id"], []).append(marker)
    return out


def update_of(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    person = {"id": chat_id, "is_bot": False, "first_name": "Ibu"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_790_000_000, "text": text,
            "chat": {**person, "type": "private"}, "from": person,
        },
    }  # fmt: skip


async def all_answered(fake: FakeProcess) -> bool:
    answers = answers_by_chat(await fake.sent())
    return all(len(answers[chat]) >= len(SAYS) for chat in CHATS)


async def crash_and_recover(
    db_url: str, tmp_path: Path, fake: FakeProcess, *, webhook: bool
) -> None:
    settings: dict[str, str] | None = None
    port = free_port()
    if webhook:
        settings = {
            "WEBHOOK_URL": "https://bot.example.org", "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        }  # fmt: skip
    log = (tmp_path / "run.log").open("ab")

    def start() -> Any:
        return start_run_process(db_url, fake, tmp_path, webhook=settings, log=log)

    async def started() -> bool:
        by_method = (await fake.stats())["by_method"]
        return ("setWebhook" if webhook else "deleteWebhook") in by_method

    await fake.config(hold=["sendMessage"])
    bot = start()
    try:
        await eventually(started, what="the bot to start")
        total = len(CHATS) * len(SAYS)
        if webhook:
            async with httpx.AsyncClient(timeout=10) as client:
                update_id = 1000
                for say, _marker in SAYS:
                    for chat in CHATS:
                        update_id += 1
                        response = await client.post(
                            f"http://127.0.0.1:{port}/telegram",
                            json=update_of(update_id, chat, say),
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        )
                        assert response.status_code == 200  # acknowledged
        else:
            for say, _marker in SAYS:
                for chat in CHATS:
                    await fake.inject_message(chat, say)

        async def acknowledged_and_waiting() -> bool:
            stats = await fake.stats()
            found = await statuses(db_url)
            return stats["pending_updates"] == 0 and found == {
                "answered": len(CHATS), "new": total - len(CHATS)
            }  # fmt: skip

        # Every update is acknowledged; each chat's first is handled (not sent), the rest
        # wait unhandled.
        await eventually(acknowledged_and_waiting, what="updates acknowledged, not handled")
        kill(bot)
        assert not answers_by_chat(await fake.sent())[CHATS[0]]
        await fake.config(hold=[])  # what the killed bot was sending fails

        bot = start()
        await eventually(
            lambda: all_answered(fake), timeout=60, what="every message answered after the restart"
        )

        async def all_done() -> bool:
            return await statuses(db_url) == {"done": total}

        await eventually(all_done, what="every inbox row done")
    finally:
        kill(bot, signal.SIGTERM)
        log.close()
    answers = answers_by_chat(await fake.sent())
    expected = [marker for _say, marker in SAYS]
    assert all(answers[chat] == expected for chat in CHATS), answers


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_sigkill_after_acknowledging_loses_and_repeats_nothing(
    db_url: str, tmp_path: Path, mode: str
) -> None:
    async with fake_process(tmp_path) as fake:
        await crash_and_recover(db_url, tmp_path, fake, webhook=mode == "webhook")


async def test_sigkill_between_commit_and_send_then_a_late_restart_shows_the_question_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Her "daftar" is handled (the consent question kept with her state) and the bot is
    killed before sending it; it comes back after the resend window, so the question is
    not sent any more. Her "1" then gets the question, not a consent she never gave."""
    siti = CHATS[0]

    async def texts() -> str:
        return "\n".join(m["text"] or "" for m in await fake.sent() if m["chat_id"] == siti)

    async with fake_process(tmp_path) as fake:
        log = (tmp_path / "run.log").open("ab")
        await fake.config(hold=["sendMessage"])
        bot = start_run_process(db_url, fake, tmp_path, log=log)
        try:
            await fake.inject_message(siti, "daftar")

            async def handled_not_sent() -> bool:
                return await statuses(db_url) == {"answered": 1}

            await eventually(handled_not_sent, what="her message handled, the reply unsent")
            kill(bot)
            await fake.config(hold=[])
            monkeypatch.setenv("REPLY_RESEND_MINUTES", "0.01")  # a restart 0.6 s late is late
            await asyncio.sleep(1.0)
            bot = start_run_process(db_url, fake, tmp_path, log=log)
            await eventually(
                lambda: statuses_are(db_url, {"done": 1}), what="the old reply dropped"
            )
            assert "setuju" not in await texts()  # too old: not sent

            await fake.inject_message(siti, "1")
            await eventually(lambda: said(texts, "Apakah Ibu setuju?"), what="the question")
            assert "nama lengkap" not in await texts()
            await fake.inject_message(siti, "1")
            await eventually(lambda: said(texts, "nama lengkap"), what="her answer taken")
        finally:
            kill(bot, signal.SIGTERM)
            log.close()


async def statuses_are(database_url: str, expected: dict[str, int]) -> bool:
    return await statuses(database_url) == expected


async def said(texts: Callable[[], Awaitable[str]], words: str) -> bool:
    return words in await texts()
