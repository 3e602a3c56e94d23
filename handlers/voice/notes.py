"""What a voice note says and making it: the messages as spoken Indonesian (or English),
cut into parts of at most 600 characters, each part made by the synthesiser (one thread
per process, off the event loop) or taken from its cache.

Used for "Dengarkan" and "Selalu kirim suara" in chat (handlers/voice/listen.py) and by a
channel sending an outbox row marked for voice (the Telegram sender).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from handlers.core.types import Reply
from handlers.parse.spoken import split_spoken, spoken

if TYPE_CHECKING:
    # Imported when first needed: the synthesis loads numpy and libsndfile.
    from models.voice.synth import Synthesizer, VoiceFile

# Long enough for a long message on a busy machine; a stuck voice gives the text back.
TIMEOUT = 60.0
# espeak-ng's voices by the chat's language.
VOICES = {"id": "id", "en": "en"}


@dataclass(frozen=True)
class Screen:
    """One message as shown: its text and the labels of its choices."""

    text: str
    labels: tuple[str, ...] = ()


def screen_of(reply: Reply) -> Screen:
    return Screen(reply.text, tuple(c.label for c in reply.choices))


class VoiceNotes:
    def __init__(
        self, synthesizer: Synthesizer, *, timeout: float = TIMEOUT, sample_rate: int | None = None
    ) -> None:
        self.synthesizer = synthesizer
        self.timeout = timeout
        # None: the synthesiser's default (12 kHz); the benchmark compares others.
        self.sample_rate = sample_rate

    def parts(self, screens: Sequence[Screen], lang: str, today: date) -> list[str]:
        """The spoken text, in parts that each make sense."""
        said = "\n".join(spoken(s.text, s.labels, lang=lang, today=today) for s in screens)
        return split_spoken(said)

    async def make(self, screens: Sequence[Screen], lang: str, today: date) -> list[VoiceFile]:
        """One voice note per part; NothingToSay when there is nothing to speak, TimeoutError
        when the voice took too long (the caller falls back to the text)."""
        from models.voice.synth import NothingToSay, VoiceSettings

        parts = self.parts(screens, lang, today)
        if not parts:
            raise NothingToSay
        settings = VoiceSettings(voice=VOICES.get(lang, "id"))
        if self.sample_rate is not None:
            settings = VoiceSettings(voice=settings.voice, sample_rate=self.sample_rate)
        async with asyncio.timeout(self.timeout):
            return [await self.synthesizer.make(part, settings) for part in parts]


_shared: dict[Path, VoiceNotes] = {}


def shared_notes(media_dir: Path) -> VoiceNotes:
    """The process's voice notes for this media folder (one cache in memory per folder;
    every synthesiser shares the one voice thread)."""
    from models.voice.synth import FOLDER, Synthesizer

    folder = media_dir / FOLDER
    notes = _shared.get(folder)
    if notes is None:
        notes = _shared[folder] = VoiceNotes(Synthesizer(folder))
    return notes
