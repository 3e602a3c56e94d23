"""Voice notes from text: OGG/Opus files, made off the event loop and cached on disk.

espeak-ng speaks at 22,050 Hz, which libsndfile's Opus encoder refuses (it takes 8, 12,
16, 24 or 48 kHz): the samples are resampled with soxr, then encoded with soundfile (mono,
about 3 KB a second of speech). All of it runs on one dedicated thread per process, since
libespeak-ng keeps global state; the event loop only waits for the result, so other chats
are not slowed.

The rate is 12 kHz (Opus "mediumband", speech up to 6 kHz, clearer than a phone call):
libsndfile fixes the Opus encoder at its highest complexity for general audio, and at
16 kHz (wideband) that costs about 33 ms of CPU per second of speech, some 700 ms for a
typical 20-second message; at 12 kHz about 10 ms (benchmarks/voice.py has both figures).

Files are named by a hash of the text and the voice settings under `MEDIA_DIR/voice/`,
so a text heard by many (an announcement to 200 mothers) is made once. A text may name a
person, and nothing tells for sure that one does not, so every file is deleted a day
after it was made (`prune`, from the housekeeping sweep and after new files): an erasure
then finds nothing of her here.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile  # type: ignore[import-untyped]
import soxr  # type: ignore[import-untyped]
from numpy.typing import NDArray

from models.files import private_dir, private_file
from models.voice.espeak import Espeak
from models.voice.store import FOLDER, KEEP, PARTIAL, SUFFIX, prune

__all__ = ["FOLDER", "KEEP", "NothingToSay", "Synthesizer", "VoiceFile", "VoiceSettings", "prune"]

# Changes with anything that changes the sound for the same settings: old files go stale.
ENGINE_TAG = "espeak-ng+soxr+opus/1"
# Files made by this process that are looked up again without reading them.
_KNOWN_MAX = 512
_PRUNE_EVERY = 600.0  # seconds

Pcm = tuple[NDArray[np.int16], int]
Backend = Callable[[str, "VoiceSettings"], Pcm]


@dataclass(frozen=True)
class VoiceSettings:
    voice: str = "id"
    # Words a minute: a little slower than espeak-ng's 175, for those who listen carefully.
    rate: int = 150
    pitch: int = 50
    # 12 kHz: see the module's note (16 kHz costs three times the CPU for little gain).
    sample_rate: int = 12_000

    @property
    def key(self) -> str:
        return f"{ENGINE_TAG}|{self.voice}|{self.rate}|{self.pitch}|{self.sample_rate}"


@dataclass(frozen=True)
class VoiceFile:
    path: Path
    seconds: float
    size: int


class NothingToSay(ValueError):
    """The text has nothing to speak (the voice gave no samples)."""


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_espeak: Espeak | None = None


def voice_thread() -> ThreadPoolExecutor:
    """The process's one thread for speech (libespeak-ng is not thread-safe)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice")
        return _executor


def espeak_backend(text: str, settings: VoiceSettings) -> Pcm:
    """espeak-ng's samples for the text; runs on the voice thread only."""
    global _espeak
    if _espeak is None:
        _espeak = Espeak()
    pcm = _espeak.synth(text, voice=settings.voice, rate=settings.rate, pitch=settings.pitch)
    return pcm, _espeak.sample_rate


class Synthesizer:
    def __init__(
        self, folder: Path, *, backend: Backend = espeak_backend, keep: timedelta = KEEP
    ) -> None:
        self.folder = folder
        # A test seam too: a backend that waits shows what waits on it.
        self.backend = backend
        self.keep = keep
        self._known: dict[Path, VoiceFile] = {}
        self._pending: dict[Path, asyncio.Future[VoiceFile]] = {}
        self._pruned_at = 0.0

    def path_for(self, text: str, settings: VoiceSettings) -> Path:
        digest = hashlib.sha256(f"{settings.key}\n{text}".encode()).hexdigest()[:40]
        return self.folder / f"{digest}{SUFFIX}"

    async def make(self, text: str, settings: VoiceSettings) -> VoiceFile:
        """The voice note of `text`: from the cache, or made on the voice thread (the
        same text asked for twice at once is made once)."""
        path = self.path_for(text, settings)
        if path.exists():
            known = self._known.get(path)
            return known if known is not None else self._remember(await _read(path))
        pending = self._pending.get(path)
        if pending is None:
            loop = asyncio.get_running_loop()
            pending = loop.run_in_executor(voice_thread(), self._make, text, settings, path)
            self._pending[path] = pending
            pending.add_done_callback(lambda _done: self._pending.pop(path, None))
        # Shielded: a caller that stops waiting leaves the file to be made for the next.
        return self._remember(await asyncio.shield(pending))

    def _remember(self, file: VoiceFile) -> VoiceFile:
        self._known[file.path] = file
        while len(self._known) > _KNOWN_MAX:
            self._known.pop(next(iter(self._known)))
        return file

    def _make(self, text: str, settings: VoiceSettings, path: Path) -> VoiceFile:
        if path.exists():  # made meanwhile, by this process or another
            return _info(path)
        pcm, rate = self.backend(text, settings)
        if pcm.size == 0:
            raise NothingToSay
        audio = (
            pcm if rate == settings.sample_rate else soxr.resample(pcm, rate, settings.sample_rate)
        )
        private_dir(self.folder)
        # Written aside and renamed: a reader never sees half a file.
        partial = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}{PARTIAL}")
        try:
            soundfile.write(partial, audio, settings.sample_rate, format="OGG", subtype="OPUS")
            private_file(partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self._prune_now_and_then()
        return VoiceFile(path, len(audio) / settings.sample_rate, path.stat().st_size)

    def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at >= _PRUNE_EVERY:
            self._pruned_at = now
            prune(self.folder, datetime.now().astimezone() - self.keep)


async def _read(path: Path) -> VoiceFile:
    return await asyncio.to_thread(_info, path)


def _info(path: Path) -> VoiceFile:
    info = soundfile.info(str(path))
    return VoiceFile(path, float(info.duration), path.stat().st_size)
