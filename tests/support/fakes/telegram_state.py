"""In-memory state of the fake Telegram Bot API: what a test can inspect and steer.

Holds everything the HTTP layer (``telegram_api``) and the Bot API method implementations
(``telegram_methods``) share: recorded calls, stored messages and files, the update queue,
registered commands, webhook settings, injected faults and blocked chats.
Nothing here knows about HTTP, so the logic can be unit-tested and reasoned about alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.support.fakes.telegram_types import (
    BLOCKED,
    CHAT_METHODS,
    NEW_MESSAGE_METHODS,
    SEND_METHODS,
    ApiError,
    Call,
    FloodLimiter,
    JSONDict,
    SentMessage,
    StoredFile,
    scope_key,
)

# Telegram does not deliver these unless they are asked for explicitly in allowed_updates.
_OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class _Fault:
    method: str
    error: ApiError
    remaining: int
    chat_id: int | str | None


@dataclass
class _Queued:
    update: JSONDict
    delivered: bool = False


class TelegramState:
    """Everything the fake remembers, plus the helpers tests use to inspect and steer it."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        latency_ms: float = 0.0,
        enforce_limits: bool = False,
        bot_username: str = "p2wkss_test_bot",
        bot_first_name: str = "P2WKSS Test Bot",
        overall_limit: int = 30,
        per_chat_limit: int = 1,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.latency_ms = latency_ms
        self.enforce_limits = enforce_limits
        self.limiter = FloodLimiter(overall=overall_limit, per_chat=per_chat_limit)
        self.http_429_count = 0
        self.calls: list[Call] = []
        # The accepted new messages, kept as they are recorded (see `sent_messages`).
        self._accepted: list[SentMessage] = []
        self._sent_to: dict[int, list[SentMessage]] = {}
        self.messages: dict[tuple[int, int], JSONDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.users: dict[int, JSONDict] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.blocked_chats: set[int] = set()
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.allowed_updates: list[str] = []
        self.open_callback_ids: set[str] = set()
        self.callback_counter = 0
        self.waiting_pollers = 0
        self.closing = False
        self._faults: list[_Fault] = []
        self._pending: list[_Queued] = []
        self._next_update_id = 100_000
        self._next_message_ids: dict[int, int] = {}
        self._file_counter = 0
        self._poll_generation = 0
        # Replaced after every set(): waiters keep a reference to the one they started on.
        self._changed = asyncio.Event()

    # -- notifications --------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everything waiting for a state change (wait_for, long polls)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, predicate: Callable[[list[Call]], bool], timeout: float = 5.0
    ) -> list[Call]:
        """Wait until ``predicate(fake.calls)`` is true; re-checked on every state change."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate(self.calls):
                    await self._changed.wait()
        except TimeoutError:
            seen = ", ".join(f"{c.method}:{c.status}" for c in self.calls[-10:])
            raise TimeoutError(
                f"condition not met within {timeout}s; last calls: [{seen}]"
            ) from None
        return self.calls

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (the configured latency), or less once the server is closing: a
        client that gave up on a slow answer must not hold up the server's shutdown."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not self.closing:
                    await self._changed.wait()

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0, status: int | None = None
    ) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (with ``status``, if given)."""
        await self.wait_for(lambda _: len(self.calls_of(method, status)) >= count, timeout)
        return self.calls_of(method, status)

    # -- recording --------------------------------------------------------------------------

    def record(self, call: Call) -> None:
        self.calls.append(call)
        if call.status == 429:
            self.http_429_count += 1
        sent = _sent_message(call)
        if sent is not None:
            self._accepted.append(sent)
            self._sent_to.setdefault(sent.chat_id, []).append(sent)
        self.notify()

    def calls_of(self, method: str, status: int | None = None) -> list[Call]:
        return [
            c for c in self.calls if c.method == method and (status is None or c.status == status)
        ]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Accepted new messages (not edits) in order, optionally for one chat. Kept as
        they are recorded: tests wait on this after every message of a long story (a
        scan of every call each time made the hostile crawls quadratic)."""
        if chat_id is None:
            return list(self._accepted)
        return list(self._sent_to.get(chat_id, ()))

    def reset_calls(self) -> None:
        """Forget recorded calls (and with them sent_messages) and zero http_429_count."""
        self.calls.clear()
        self._accepted.clear()
        self._sent_to.clear()
        self.http_429_count = 0

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """The current stored state of a message (after any edits)."""
        return copy.deepcopy(self.messages[(chat_id, message_id)])

    def get_commands(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        return copy.deepcopy(self.commands.get((scope_key(scope), language_code), []))

    # -- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        retry_after: int | None = 2,
        times: int = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail with ``error_code``.

        ``retry_after`` is only sent for 429s; ``chat_id`` restricts the fault to one chat.
        """
        after = retry_after if error_code == 429 else None
        error = ApiError.default(error_code, after)
        if description is not None:
            error = ApiError(error_code, description, after)
        self._faults.append(_Fault(method, error, times, chat_id))

    def block_chat(self, chat_id: int) -> None:
        """Act as if the user blocked the bot: sends to ``chat_id`` answer 403."""
        self.blocked_chats.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    def check_admission(self, method: str, chat_id: int | str | None, now: float) -> None:
        """Raise the ApiError a call would get before reaching its implementation, if any."""
        for fault in self._faults:
            if fault.method not in (method, "*"):
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise fault.error
        if method in CHAT_METHODS and _as_int(chat_id) in self.blocked_chats:
            raise ApiError(403, BLOCKED)
        if self.enforce_limits and method in SEND_METHODS:
            retry_after = self.limiter.acquire(chat_id, now)
            if retry_after is not None:
                raise ApiError.default(429, retry_after)

    # -- chats, users, messages, files ------------------------------------------------------

    def bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def remember_user(
        self, user_id: int, first_name: str, language_code: str | None = None
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        return dict(user)

    def chat(self, chat_id: int) -> JSONDict:
        if chat_id > 0:
            known = self.users.get(chat_id, {})
            return {"id": chat_id, "type": "private", "first_name": known.get("first_name", "User")}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def next_message_id(self, chat_id: int) -> int:
        # Users and the bot share one message_id sequence per chat, as in Telegram.
        message_id = self._next_message_ids.get(chat_id, 1)
        self._next_message_ids[chat_id] = message_id + 1
        return message_id

    def store_message(self, chat_id: int, sender: JSONDict, content: JSONDict) -> JSONDict:
        message: JSONDict = {
            "message_id": self.next_message_id(chat_id),
            "from": sender,
            "chat": self.chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return copy.deepcopy(message)

    def store_file(
        self,
        content: bytes,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store bytes under a fresh file_id; ``kind`` picks the folder, as in Telegram."""
        self._file_counter += 1
        n = self._file_counter
        suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        stored = StoredFile(
            file_id=f"{_FILE_ID_PREFIX.get(kind, 'BQAC')}AgI{n:06d}{secrets.token_hex(8)}",
            file_unique_id=f"AQAD{n:06d}",
            file_path=f"{kind}/file_{n}.{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    # -- updates ----------------------------------------------------------------------------

    def queue_update(self, update: JSONDict) -> JSONDict:
        """Queue an update; one that already has an update_id is re-delivered as-is."""
        update = copy.deepcopy(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1
        self._pending.append(_Queued(update))
        self.notify()
        return copy.deepcopy(update)

    def pending_update_count(self) -> int:
        return len(self._pending)

    def drop_pending_updates(self) -> None:
        self._pending.clear()

    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed: Sequence[str] | None
    ) -> list[JSONDict]:
        """getUpdates semantics: confirm below ``offset``, then long-poll up to ``timeout``."""
        # Telegram answers 409 to a long poll that a newer getUpdates call superseded.
        self._poll_generation += 1
        generation = self._poll_generation
        self.notify()
        if allowed is not None:
            self.allowed_updates = list(allowed)
        self._confirm(offset)
        try:
            async with asyncio.timeout(timeout if timeout > 0 else None):
                while not (batch := self._deliverable(limit)) and timeout > 0 and not self.closing:
                    self.waiting_pollers += 1
                    self.notify()
                    try:
                        await self._changed.wait()
                    finally:
                        self.waiting_pollers -= 1
                    if generation != self._poll_generation:
                        raise ApiError.default(409)
        except TimeoutError:
            batch = []
        for queued in batch:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in batch]

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            # Negative offsets address the tail of the queue and forget everything before it.
            self._pending = self._pending[offset:]
            return
        # A duplicate that was never delivered stays even below the offset, so a test can
        # re-inject an already-confirmed update and see it delivered once more.
        self._pending = [
            q for q in self._pending if not q.delivered or q.update["update_id"] >= offset
        ]

    def _deliverable(self, limit: int) -> list[_Queued]:
        allowed = set(self.allowed_updates)
        kept = []
        for queued in self._pending:
            kind = next((k for k in queued.update if k != "update_id"), "")
            if (kind in allowed) if allowed else (kind not in _OPT_IN_UPDATE_TYPES):
                kept.append(queued)
        # Updates Telegram would filter out are dropped, not kept for later.
        self._pending = kept
        ordered = sorted(kept, key=lambda q: int(q.update["update_id"]))
        return ordered[: max(1, min(limit, 100))]


_FILE_ID_PREFIX = {"photos": "AgAC", "documents": "BQAC", "voice": "AwAC", "stickers": "CAAC"}


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _sent_message(call: Call) -> SentMessage | None:
    """The message a call sent, if it was an accepted new one (not an edit)."""
    if call.method not in NEW_MESSAGE_METHODS or call.status != 200:
        return None
    if not isinstance(call.result, dict):
        return None
    markup = call.params.get("reply_markup")
    return SentMessage(
        method=call.method,
        chat_id=int(call.result["chat"]["id"]),
        message_id=int(call.result["message_id"]),
        text=call.params.get("text", call.params.get("caption")),
        reply_markup=markup if isinstance(markup, dict) else None,
    )
