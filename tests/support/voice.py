"""Voice note helpers: an engine whose voice notes come from a synthesiser a test chose
(one that waits at a gate, or one that fails), a message delivered to a chat, and what a
text is spoken as (to tell which message a voice note says)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import App
from handlers.core.config import Config
from handlers.core.engine import Engine
from handlers.core.feature import Registry
from handlers.features import all_features
from handlers.voice import voice_feature
from handlers.voice.notes import Screen, VoiceNotes
from models import ConversationState, Member, OutboxMessage, make_sessionmaker, utcnow
from models.people.members import ensure_identity
from models.voice.synth import Pcm, Synthesizer, VoiceSettings, espeak_backend
from tests.support.chat import Chat


def engine_with(app: App, notes: VoiceNotes | None = None, config: Config | None = None) -> Engine:
    """The app's engine, with these voice notes (and this configuration)."""
    features = [f for f in all_features() if f.name != "voice"] + [voice_feature(notes)]
    return Engine(app.sessions, config or app.engine.config, Registry(features))


def notes_in(app: App, backend: Any = espeak_backend) -> VoiceNotes:
    return VoiceNotes(Synthesizer(app.engine.config.media_dir / "voice-test", backend=backend))


class Gate:
    """A voice that waits, on the voice thread, until the test lets it go."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def backend(self, text: str, settings: VoiceSettings) -> Pcm:
        self.entered.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("the test never let the voice go")
        return espeak_backend(text, settings)

    async def wait_entered(self) -> None:
        assert await asyncio.to_thread(self.entered.wait, 10), "the voice never started"


def broken_voice(text: str, settings: VoiceSettings) -> Pcm:
    raise RuntimeError("no voice today")


async def delivered(app: App, chat: Chat, text: str, **params: Any) -> int:
    """An announcement the outbox delivered to this chat just now; its row id."""
    async with make_sessionmaker(app.db).begin() as s:
        identity_id = await ensure_identity(s, chat.channel, chat.identity)
        row = OutboxMessage(
            identity_id=identity_id,
            channel=chat.channel,
            kind="announcement",
            params={"text": text, "lang": "id", **params},
            idempotency_key=uuid.uuid4().hex,
            status="sent",
            sent_at=utcnow(),
        )
        s.add(row)
        await s.flush()
        return row.id


def voice_paths(notes: VoiceNotes, screens: list[Screen], today: date) -> list[Path]:
    """The files a voice note of these messages is (named by what they say)."""
    settings = VoiceSettings(voice="id")
    return [notes.synthesizer.path_for(p, settings) for p in notes.parts(screens, "id", today)]


async def state_version(app: App, chat: Chat) -> int:
    async with make_sessionmaker(app.db).begin() as s:
        identity_id = await ensure_identity(s, chat.channel, chat.identity)
        found = await s.get(ConversationState, identity_id)
        assert found is not None
        return found.version


async def member_named(app: App, name: str) -> Member:
    async with make_sessionmaker(app.db).begin() as s:
        found = await s.scalar(select(Member).where(Member.full_name == name))
    assert found is not None
    return found


async def names_of(app: App) -> list[str | None]:
    """Every member's name, oldest first (None once erased)."""
    async with make_sessionmaker(app.db).begin() as s:
        return list(await s.scalars(select(Member.full_name).order_by(Member.id)))
