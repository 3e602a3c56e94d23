"""The voice note itself: a real OGG/Opus file from espeak-ng's Indonesian voice, read back
with soundfile; longer texts last longer; the same text comes from the cache; files are
deleted a day after they were made."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile  # type: ignore[import-untyped]

from models.voice.synth import NothingToSay, Pcm, Synthesizer, VoiceSettings, prune

SHORT = "Selamat pagi, Bu."
REMINDER = (
    "Pengingat: Penyuluhan gizi balita. Sabtu, lima Desember, jam sembilan pagi. "
    "Tempat: Posyandu Melati, Cibening. Pilih satu untuk Tetap ikut. Pilih dua untuk "
    "Batal ikut."
)
SETTINGS = VoiceSettings()


async def test_a_voice_note_is_mono_ogg_opus_of_16_khz_or_less_at_about_3_kb_a_second(
    tmp_path: Path,
) -> None:
    voice = Synthesizer(tmp_path)
    note = await voice.make(REMINDER, SETTINGS)
    info = soundfile.info(str(note.path))
    assert (info.format, info.subtype) == ("OGG", "OPUS")
    assert info.channels == 1
    assert info.samplerate == SETTINGS.sample_rate <= 16_000
    assert note.path.read_bytes()[:4] == b"OggS"
    assert b"OpusHead" in note.path.read_bytes()[:200]
    assert abs(info.duration - note.seconds) < 0.1
    # A reminder of about 25 words: some 10 seconds, a few tens of KB.
    assert 5 < note.seconds < 20
    assert 1500 < note.size / note.seconds < 5000
    samples, rate = soundfile.read(str(note.path), dtype="int16")
    assert rate == SETTINGS.sample_rate and np.abs(samples).max() > 1000  # speech, not silence


async def test_a_longer_text_makes_a_longer_voice_note(tmp_path: Path) -> None:
    voice = Synthesizer(tmp_path)
    short = await voice.make(SHORT, SETTINGS)
    long = await voice.make(REMINDER, SETTINGS)
    longer = await voice.make(REMINDER + " " + REMINDER, SETTINGS)
    assert short.seconds < long.seconds < longer.seconds
    assert longer.seconds > 1.7 * long.seconds


async def test_the_same_text_comes_from_the_cache(tmp_path: Path) -> None:
    made: list[str] = []

    def counting(text: str, settings: VoiceSettings) -> Pcm:
        made.append(text)
        return np.full(16_000, 500, dtype=np.int16), 16_000

    voice = Synthesizer(tmp_path, backend=counting)
    first = await voice.make(SHORT, SETTINGS)
    again = await voice.make(SHORT, SETTINGS)
    assert again.path == first.path and made == [SHORT]
    # Another process (a fresh cache in memory) finds the file on disk.
    other = await Synthesizer(tmp_path, backend=counting).make(SHORT, SETTINGS)
    assert other.path == first.path and made == [SHORT]
    assert abs(other.seconds - first.seconds) < 0.05
    # Other settings or another text are another file.
    slower = await voice.make(SHORT, VoiceSettings(rate=120))
    assert slower.path != first.path and len(made) == 2
    assert (await voice.make(REMINDER, SETTINGS)).path != first.path


async def test_the_same_text_asked_for_at_once_is_made_once(tmp_path: Path) -> None:
    made: list[str] = []

    def counting(text: str, settings: VoiceSettings) -> Pcm:
        made.append(text)
        time.sleep(0.05)
        return np.full(8_000, 500, dtype=np.int16), 16_000

    voice = Synthesizer(tmp_path, backend=counting)
    notes = await asyncio.gather(*(voice.make(SHORT, SETTINGS) for _ in range(5)))
    assert len({n.path for n in notes}) == 1 and made == [SHORT]


async def test_a_text_with_nothing_to_say_is_refused(tmp_path: Path) -> None:
    def silent(text: str, settings: VoiceSettings) -> Pcm:
        return np.zeros(0, dtype=np.int16), 22_050

    voice = Synthesizer(tmp_path, backend=silent)
    try:
        await voice.make("...", SETTINGS)
    except NothingToSay:
        pass
    else:
        raise AssertionError("silence made a voice note")
    assert not list(tmp_path.glob("*.ogg"))


async def test_voice_notes_are_deleted_a_day_after_they_were_made(tmp_path: Path) -> None:
    voice = Synthesizer(tmp_path)
    old = await voice.make(SHORT, SETTINGS)
    new = await voice.make(REMINDER, SETTINGS)
    day_and_a_bit = time.time() - 25 * 3600
    os.utime(old.path, (day_and_a_bit, day_and_a_bit))
    (tmp_path / "keep-me.txt").write_text("not a voice note")
    assert prune(tmp_path, datetime.now().astimezone() - timedelta(days=1)) == 1
    assert not old.path.exists() and new.path.exists()
    assert (tmp_path / "keep-me.txt").exists()
    # Asked for again, it is made again.
    again = await voice.make(SHORT, SETTINGS)
    assert again.path == old.path and again.path.exists()
    assert prune(tmp_path / "missing", datetime.now().astimezone()) == 0
