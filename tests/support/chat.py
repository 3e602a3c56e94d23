"""A test driver that talks to the engine the way a channel adapter does, and the
registration every story starts with."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.app import App
from handlers.core.engine import Engine
from handlers.core.types import Choice, Contact, Incoming, Kind, Media, Reply

_ids = itertools.count(1)


@dataclass
class Chat:
    engine: Engine
    identity: str
    channel: str = "test"
    sender_id: str | None = None
    replies: list[Reply] = field(default_factory=list)

    def _incoming(self, kind: Kind, **kw: object) -> Incoming:
        return Incoming(
            channel=self.channel,
            identity=self.identity,
            message_id=f"{self.identity}:{next(_ids)}",
            kind=kind,
            sender_id=self.sender_id or self.identity,
            **kw,  # type: ignore[arg-type]
        )

    async def deliver(self, incoming: Incoming) -> list[Reply]:
        self.replies = await self.engine.handle(incoming)
        return self.replies

    async def send(self, text: str) -> list[Reply]:
        return await self.deliver(self._incoming(Kind.TEXT, text=text))

    async def tap(self, choice_id: str) -> list[Reply]:
        return await self.deliver(self._incoming(Kind.CHOICE, choice=choice_id))

    async def tap_label(self, label: str) -> list[Reply]:
        """Tap the button with this label on the last message that had buttons."""
        return await self.tap(self.choice(label).id)

    async def share_contact(self, phone: str, user_id: str | None) -> list[Reply]:
        return await self.deliver(
            self._incoming(Kind.CONTACT, contact=Contact(phone=phone, user_id=user_id))
        )

    async def send_kind(self, kind: Kind) -> list[Reply]:
        media = (
            Media(file_ref="file-1") if kind in (Kind.PHOTO, Kind.DOCUMENT, Kind.VOICE) else None
        )
        return await self.deliver(self._incoming(kind, media=media))

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def choices(self) -> list[Choice]:
        for reply in reversed(self.replies):
            if reply.choices:
                return list(reply.choices)
        return []

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.choices]

    def choice(self, label: str) -> Choice:
        for c in self.choices:
            if c.label == label or label.casefold() in c.label.casefold():
                return c
        raise AssertionError(f"no button {label!r} in {self.labels}")


async def register(chat: Chat, name: str = "Siti Aminah", phone: str = "0812-3456-7890") -> None:
    await chat.send("/start")
    await chat.send("daftar")
    await chat.send("ya")
    await chat.send(name)
    await chat.send("Sumberan")
    await chat.send("3/5")
    await chat.send(phone)
    await chat.send("simpan")


async def mothers(app: App, *names: str) -> list[Chat]:
    chats = [Chat(app.engine, identity=f"ibu-{i}") for i in range(len(names))]
    for chat, name in zip(chats, names, strict=True):
        await register(chat, name=name)  # Sumberan, RT 3/RW 5
    return chats
