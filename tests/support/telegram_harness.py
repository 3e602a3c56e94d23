"""Drives the real Telegram channel (python-telegram-bot over HTTP) against the fake
Bot API server, the way a mother's phone would."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from bot.app import App
from bot.channels.budget import SendBudget
from bot.channels.telegram import TelegramChannel
from tests.support.fakes.telegram_api import FakeTelegramServer, SentMessage

TOKEN = "123456:TEST-TOKEN-never-real-abcdefghijklmnop"

# Story tests (a mother registering, a kader reporting) run the channel with Telegram's
# overall rate and reply burst but a short per-chat interval: with the real one (about a
# second) every answer after the third of a burst waits a second, and a twenty-step story
# spends most of its time asleep. The real per-chat pace is what the tests about it check,
# with the channel's default budget: tests/channels/test_send_budget.py and test_flood.py.
STORY_PER_CHAT_INTERVAL = 0.01


def story_budget() -> SendBudget:
    """A Telegram send budget for story tests (see STORY_PER_CHAT_INTERVAL)."""
    return SendBudget(per_chat_interval=STORY_PER_CHAT_INTERVAL)


@contextlib.asynccontextmanager
async def story_channel(app: App, fake: FakeTelegramServer) -> AsyncIterator[TelegramChannel]:
    """The real Telegram channel of `app` in long polling against the fake Bot API, with
    the story tests' send budget; stopped afterwards."""
    channel = TelegramChannel(
        TOKEN, app.engine, base_url=fake.base_url, base_file_url=fake.file_url,
        polling=True, budget=story_budget(),
    )  # fmt: skip
    await channel.start(poll_timeout=1)
    try:
        yield channel
    finally:
        await channel.stop()


class Idle(Protocol):
    async def wait_idle(self) -> None: ...


@dataclass
class TgUser:
    fake: FakeTelegramServer
    chat_id: int
    channel: Idle | None = None
    mark: int = 0

    def messages(self) -> list[SentMessage]:
        return self.fake.sent_messages(self.chat_id)

    def new(self) -> list[SentMessage]:
        return self.messages()[self.mark :]

    @property
    def text(self) -> str:
        return "\n".join(m.text or "" for m in self.new())

    async def _expect(self, expect: str, timeout: float = 5.0) -> list[SentMessage]:
        def arrived(_: object) -> bool:
            return any(expect in (m.text or "") for m in self.new())

        await self.fake.wait_for(arrived, timeout=timeout)
        if self.channel is not None:  # the rest of this update's replies, too
            await self.channel.wait_idle()
        return self.new()

    async def say(self, text: str, expect: str, timeout: float = 5.0) -> list[SentMessage]:
        self.mark = len(self.messages())
        self.fake.inject_message(self.chat_id, text)
        return await self._expect(expect, timeout)

    def button(self, label: str) -> tuple[int, str]:
        """(message_id, callback_data) of the newest inline button with this label."""
        for msg in reversed(self.messages()):
            for row in (msg.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    if label.casefold() in button["text"].casefold():
                        return msg.message_id, button["callback_data"]
        raise AssertionError(f"no inline button {label!r}")

    def keyboard_labels(self) -> list[str]:
        for msg in reversed(self.messages()):
            markup: dict[str, Any] = msg.reply_markup or {}
            if "inline_keyboard" in markup:
                return [b["text"] for row in markup["inline_keyboard"] for b in row]
            if "keyboard" in markup:
                return [b["text"] for row in markup["keyboard"] for b in row]
        return []

    async def tap(self, label: str, expect: str) -> list[SentMessage]:
        message_id, data = self.button(label)
        return await self.tap_data(message_id, data, expect)

    async def tap_data(self, message_id: int, data: str, expect: str) -> list[SentMessage]:
        self.mark = len(self.messages())
        self.fake.inject_callback(self.chat_id, data, message_id)
        return await self._expect(expect)

    async def share_contact(self, phone: str, owner: int, expect: str) -> list[SentMessage]:
        self.mark = len(self.messages())
        self.fake.inject_contact(self.chat_id, phone, owner)
        return await self._expect(expect)
