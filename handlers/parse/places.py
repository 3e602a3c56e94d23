"""A kampung typed the way people type it: "sumberan", "Kp. Sumberan", "sumbran", "cibenin".

`match_place` compares what she typed with the known names, word by word, ignoring case,
accents, punctuation and a leading "kampung" / "kp." / "kamp.", and forgiving a few typos
(letters missing, extra, wrong or swapped). It answers with the one name that is clearly
closest, several when two are about as close (ask her which), or none when nothing is
close: a wrong kampung is worse than asking again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Words for "kampung" that may stand before the name: "Kampung Sumberan", "Kp. Sumberan".
PREFIXES = frozenset({"kampung", "kampong", "kamp", "kmp", "kp", "kpg"})
MIN_SCORE = 0.75  # at most one typo in four letters
CLEAR_MARGIN = 0.1  # the best is taken alone when the next is this much further
PART_WEIGHT = 0.95  # her words matching part of a name, or a name inside a longer answer
MAX_TYPED = 80  # characters looked at; an answer longer than this is not a place name


@dataclass(frozen=True)
class PlaceMatch:
    index: int  # position in the names given (two kampung may share a name)
    name: str
    score: float  # 1.0: the same name once case, accents and "kampung" are set aside


def match_place(text: str, names: Sequence[str]) -> list[PlaceMatch]:
    """The names `text` most likely means, best first: one when it is clearly that one,
    several when they are about as likely, none when none is close enough."""
    typed = _words(text[:MAX_TYPED])
    if not typed:
        return []
    found = []
    for index, name in enumerate(names):
        score = _score(typed, _words(name))
        if score >= MIN_SCORE:
            found.append(PlaceMatch(index, name, round(score, 3)))
    if not found:
        return []
    found.sort(key=lambda m: (-m.score, m.index))
    best = found[0].score
    if best == 1.0:
        return [m for m in found if m.score == 1.0]
    return [m for m in found if best - m.score < CLEAR_MARGIN]


def _words(text: str) -> list[str]:
    """Lower case, no accents, letters and digits only, without a leading "kampung"."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    words = re.sub(r"[\W_]+", " ", plain).split()
    if len(words) > 1 and words[0] in PREFIXES:
        words = words[1:]
    return words


def _score(typed: list[str], name: list[str]) -> float:
    """1.0 for the same words; less for typos; a part of the name (or the name as a part of
    a longer answer) counts as a little less than the whole."""
    if not name:
        return 0.0
    whole = _similarity(" ".join(typed), " ".join(name))
    shorter, longer = sorted((typed, name), key=len)
    if len(shorter) == len(longer):
        return whole
    span = len(shorter)
    part = max(
        _similarity(" ".join(shorter), " ".join(longer[i : i + span]))
        for i in range(len(longer) - span + 1)
    )
    return max(whole, PART_WEIGHT * part)


def _similarity(a: str, b: str) -> float:
    return 1.0 - _distance(a, b) / max(len(a), len(b), 1)


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b."""
    previous: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        before, previous, row = previous, row, [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(
                previous[j] + 1,
                row[j - 1] + 1,
                previous[j - 1] + (ca != cb),
            )
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]
