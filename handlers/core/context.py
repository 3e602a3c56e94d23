"""What a handler works with while it handles one incoming message.

A `Ctx` holds the open database session (one transaction per message), the chat
identity, its stored conversation state, the active member, the configuration, the
feature registry and the replies collected so far. Handlers change `ctx.state` and the
domain rows; the engine saves both together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.config import Config
from handlers.core.feature import Registry
from handlers.core.i18n import format_datetime_local, normalize_language, t
from handlers.core.types import Choice, Incoming, Kind, Reply, step_answer
from models import ChannelIdentity, Member
from models.base import writes
from models.conversation import Conversation
from models.outbox.tables import QuietHours
from models.people.members import household_size


@dataclass(frozen=True)
class Answer:
    """The user's answer to the current step, after menu matching."""

    kind: Kind
    text: str = ""
    # The step choice's value (id without "s:") when she tapped or typed one of its choices.
    value: str | None = None
    incoming: Incoming | None = None


@dataclass
class Ctx:
    session: AsyncSession
    incoming: Incoming
    identity: ChannelIdentity
    state: Conversation
    member: Member | None
    config: Config
    registry: Registry
    replies: list[Reply] = field(default_factory=list)
    # Work for after the commit, outside the database, before the replies go out (a voice
    # note made): each takes the replies and returns them, added to or changed.
    after_commit: list[Callable[[list[Reply]], Awaitable[list[Reply]]]] = field(
        default_factory=list
    )
    # How many members this chat acts for, as read with her state, and the session's
    # write count then (see `household_size`).
    household: tuple[int, int] | None = None

    async def household_size(self) -> int:
        """How many members this chat acts for: as read with her state while this
        transaction has written nothing since (a member registered, linked or erased
        would change it), else counted again."""
        if self.household is not None:
            size, seen = self.household
            if writes(self.session) == seen:
                return size
        return await household_size(self.session, self.identity.id)

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    @property
    def media_dir(self) -> Path:
        return self.config.media_dir

    @property
    def quiet_hours(self) -> QuietHours | None:
        return self.config.quiet_hours

    @property
    def now(self) -> datetime:
        return self.incoming.received_at

    def when(self, moment: datetime) -> str:
        """In her language, the Indonesian way: "Selasa, 1 Desember 2026 pukul 09.00 WIB"."""
        return format_datetime_local(moment, self.lang, self.tz)

    def when_text(self, moment: datetime, lang: str) -> str:
        """For notices written to other members' chats, in their language."""
        return format_datetime_local(moment, lang, self.tz)

    @property
    def lang(self) -> str:
        if self.member is not None and not self.member.erased:
            return normalize_language(self.member.language)
        return normalize_language(self.identity.language or self.config.default_language)

    @property
    def role(self) -> str:
        """'guest' until she is registered; roles are granted, never typed in."""
        if self.member is None or self.member.erased:
            return "guest"
        return self.member.role

    @property
    def registered(self) -> bool:
        """She registered herself (gave consent): a staff account made by `admin add` has
        no personal data, so her own schedule, data and erasure do not apply to it."""
        return (
            self.member is not None
            and not self.member.erased
            and (self.member.consent_at is not None)
        )

    @property
    def data(self) -> dict[str, Any]:
        """The flow's stored data; reassigned on write so JSON changes are saved."""
        return dict(self.state.data or {})

    def update_data(self, **values: Any) -> None:
        self.state.data = {**(self.state.data or {}), **values}

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def say(self, text: str, *, choices: tuple[Choice, ...] = (), menu: bool = False) -> None:
        self.replies.append(Reply(text=text, choices=choices, menu=menu))

    def show(self, text: str, choices: tuple[Choice, ...] | list[Choice]) -> None:
        """A new screen with its choices: typed numbers and labels refer to these now."""
        self.offer(tuple(choices))
        self.replies.append(Reply(text=text, choices=tuple(choices)))

    def ask(
        self,
        text: str,
        options: list[tuple[str, str]] | None = None,
        *,
        request_contact: str | None = None,
    ) -> None:
        """Ask the current step's question; `options` are (value, label) step answers."""
        choices = tuple(Choice(step_answer(v), label) for v, label in options or [])
        self.offer(choices)
        self.replies.append(Reply(text=text, choices=choices, request_contact=request_contact))

    def offer(self, choices: tuple[Choice, ...]) -> None:
        """Remember what the last screen offered, for typed numbers and stale-tap checks."""
        self.state.offered = {"choices": [[c.id, c.label, list(c.words)] for c in choices]}

    def offered(self) -> list[Choice]:
        raw = (self.state.offered or {}).get("choices", [])
        return [
            Choice(str(item[0]), str(item[1]), tuple(item[2]) if len(item) > 2 else ())
            for item in raw
        ]

    def set_flow(self, flow: str | None, step: str | None = None, **data: Any) -> None:
        self.state.flow = flow
        self.state.step = step
        self.state.data = dict(data)
        if flow is None:
            self.offer(())

    def finish(self) -> None:
        """End the running flow (its answers are dropped)."""
        self.set_flow(None)

    def goto_step(self, step: str) -> None:
        self.state.step = step
