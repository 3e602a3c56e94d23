"""Voice notes: the per-chat allowance and "Selalu kirim suara" (here), and the speech
itself (`models.voice.synth`: espeak-ng through ctypes, resampled with soxr, OGG/Opus
through soundfile, cached on disk for a day). The synthesis is imported from its module
only, since it loads numpy and libsndfile, which nothing else needs at start."""

from models.voice.limits import Verdict, VoiceLimits, take_voice
from models.voice.setting import set_voice_always, voice_settable
from models.voice.store import FOLDER, prune
from models.voice.tables import VoiceUsage

__all__ = [
    "FOLDER",
    "Verdict",
    "VoiceLimits",
    "VoiceUsage",
    "prune",
    "set_voice_always",
    "take_voice",
    "voice_settable",
]
