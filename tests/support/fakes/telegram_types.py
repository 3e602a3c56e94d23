"""Value types shared by the fake Telegram Bot API modules.

The Bot API error answer, the records tests inspect (calls, files, sent messages), the method
groups that faults and flood limits apply to, and the sliding-window flood limiter.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

JSONDict = dict[str, Any]

#: Methods that put a new message into a chat.
NEW_MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendSticker",
        "sendContact",
        "sendLocation",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
#: Methods that count against Telegram's flood limits (new messages and edits).
SEND_METHODS = NEW_MESSAGE_METHODS | {
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "editMessageMedia",
}
#: Methods refused with 403 when the user has blocked the bot.
CHAT_METHODS = SEND_METHODS | {"sendChatAction"}

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
BLOCKED = "Forbidden: bot was blocked by the user"


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def default(cls, code: int, retry_after: int | None = None) -> ApiError:
        template = _DEFAULT_DESCRIPTIONS.get(code, f"Error {code}")
        if code == 429 and retry_after is None:
            retry_after = 1
        return cls(code, template.format(retry_after=retry_after), retry_after)

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Call:
    """One Bot API call as the fake saw it; ``at`` is ``time.monotonic()`` when it was handled."""

    method: str
    params: JSONDict
    at: float
    status: int
    result: Any = None


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived in a multipart request."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class StoredFile:
    """A file the fake can hand out via getFile and the download endpoint."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class SentMessage:
    """An accepted message the bot sent; ``text`` is the caption for media."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: JSONDict | None


class FloodLimiter:
    """Sliding-window limiter modelled on Telegram's documented broadcast limits."""

    def __init__(self, overall: int = 30, per_chat: int = 1, window_s: float = 1.0) -> None:
        self.overall = overall
        self.per_chat = per_chat
        self.window_s = window_s
        self._all: deque[float] = deque()
        self._chats: dict[int | str, deque[float]] = {}

    def acquire(self, chat_id: int | str | None, now: float) -> int | None:
        """Take a slot at ``now``; return ``None`` if accepted, else the retry_after seconds."""
        horizon = now - self.window_s
        chat_window = self._chats.setdefault(chat_id, deque()) if chat_id is not None else deque()
        waits = [
            wait
            for wait in (
                self._wait(self._all, self.overall, horizon, now),
                self._wait(chat_window, self.per_chat, horizon, now),
            )
            if wait is not None
        ]
        if waits:
            # Telegram only ever answers whole seconds and never 0.
            return max(1, math.ceil(max(waits)))
        self._all.append(now)
        chat_window.append(now)
        return None

    def _wait(self, window: deque[float], limit: int, horizon: float, now: float) -> float | None:
        while window and window[0] <= horizon:
            window.popleft()
        if len(window) < limit:
            return None
        return window[len(window) - limit] + self.window_s - now

    def reset(self) -> None:
        self._all.clear()
        self._chats.clear()


def scope_key(scope: JSONDict | None) -> str:
    """Canonical form of a BotCommandScope, so equal scopes map to the same commands."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
