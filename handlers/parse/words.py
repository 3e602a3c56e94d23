"""How typed words are compared with labels and word lists: case, spacing, trailing
punctuation and emoji digits ("1️⃣") do not matter."""

from __future__ import annotations

import re

# Keycap emoji: a digit, the variation selector, the combining keycap ("1️⃣" is "1").
_KEYCAP = re.compile(r"([0-9#*])\ufe0f?\u20e3")
_EDGE_PUNCTUATION = " \t\r\n.,!?;:'\"()[]{}<>*_~`…“”‘’"


def norm(text: str) -> str:
    """ "  Batal  Ikut! " -> "batal ikut"."""
    text = _KEYCAP.sub(r"\1", text)
    return " ".join(text.casefold().split()).strip(_EDGE_PUNCTUATION)


def starts_with_words(label: str, typed: str) -> bool:
    """Whether `typed` is the start of `label` in whole words ("batal" starts "Batal
    ikut"; "wati" does not start "Lewati")."""
    want, have = norm(typed).split(), norm(label).split()
    return bool(want) and have[: len(want)] == want


def has_words(label: str, typed: str) -> bool:
    """Whether the words typed appear in the label as whole consecutive words."""
    want, have = norm(typed).split(), norm(label).split()
    if not want:
        return False
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))
