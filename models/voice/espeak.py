"""A small ctypes binding to libespeak-ng: text in, 16-bit mono PCM out, offline.

The library and its voice data come from the `espeakng-loader` wheel (no network, no
model download). libespeak-ng keeps global state: one voice, one callback, one output
buffer per process. So there is one `Espeak` per process, made and used on one thread only
(`models.voice.synth` runs it on its dedicated thread); nothing here locks.

Used: `espeak_Initialize` (synchronous output: `espeak_Synth` returns once the callback
has had every sample), `espeak_SetSynthCallback`, `espeak_SetVoiceByName`,
`espeak_SetParameter` (rate in words a minute, pitch 0-100) and `espeak_Synth`.
"""

from __future__ import annotations

import ctypes
from typing import Any

import espeakng_loader  # type: ignore[import-untyped]
import numpy as np
from numpy.typing import NDArray

AUDIO_OUTPUT_SYNCHRONOUS = 2
# Report a broken data folder as an error instead of exit() in the library.
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
ENDPAUSE = 0x1000
PARAM_RATE = 1
PARAM_PITCH = 3
EE_OK = 0

# int callback(short *wav, int numsamples, espeak_EVENT *events)
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class EspeakError(RuntimeError):
    """The library could not be loaded or refused a call (the message says which)."""


class Espeak:
    def __init__(self, library: str | None = None, data: str | None = None) -> None:
        try:
            self._lib: Any = ctypes.CDLL(library or espeakng_loader.get_library_path())
        except OSError as exc:
            raise EspeakError(f"libespeak-ng cannot be loaded: {exc}") from None
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        folder = (data or espeakng_loader.get_data_path()).encode()
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, folder, INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EspeakError("espeak-ng did not start (its voice data is missing or broken)")
        self.sample_rate: int = rate
        self._chunks: list[NDArray[np.int16]] = []
        # Kept on the object: ctypes must not free the callback while the library holds it.
        self._callback = _CALLBACK(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        self._voice: str | None = None

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0: go on

    def synth(self, text: str, *, voice: str, rate: int, pitch: int) -> NDArray[np.int16]:
        """The whole text as samples at `sample_rate` (an empty array for silence)."""
        if voice != self._voice:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != EE_OK:
                raise EspeakError(f"espeak-ng has no voice {voice!r}")
            self._voice = voice
        self._lib.espeak_SetParameter(PARAM_RATE, rate, 0)
        self._lib.espeak_SetParameter(PARAM_PITCH, pitch, 0)
        data = text.encode()
        self._chunks = []
        err = self._lib.espeak_Synth(
            data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8 | ENDPAUSE, None, None
        )
        chunks, self._chunks = self._chunks, []
        if err != EE_OK:
            raise EspeakError(f"espeak_Synth failed ({err})")
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks)
