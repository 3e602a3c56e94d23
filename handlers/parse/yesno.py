"""Yes/no answers typed in chat: Indonesian, some English, and thumbs emoji.

Answers arrive as "iyaa", "Gak.", "ok 👍🏽" or "tidak setuju". `parse_yes_no` returns True,
False, or None when the answer is not clearly one of the two ("ya ga?", "tidak apa-apa",
"mungkin"), so the flow asks again instead of guessing.
"""

from __future__ import annotations

import re

_YES_WORDS = (
    "ya iya y yes ok oke okay okey boleh setuju betul benar bener siap sip yup sudah udah sdh "
    "jadi lanjut 👍"
)
_NEGATORS = "tidak tdk gak ga nggak ngga enggak engga ndak jangan bukan belum"
_NO_WORDS = f"{_NEGATORS} no n nope 👎"

_TOKEN = re.compile(r"[^\W_]+|👍|👎")
# Skin-tone modifiers and the emoji variation selector would make 👍🏽 a different string.
_EMOJI_NOISE = dict.fromkeys([0xFE0F, *range(0x1F3FB, 0x1F400)])


def _squeeze(word: str) -> str:
    """Collapse repeated letters so "iyaaa", "okeee" and "nggaaak" match their plain forms."""
    return re.sub(r"(.)\1+", r"\1", word)


_YES = frozenset(_squeeze(w) for w in _YES_WORDS.split())
_NO = frozenset(_squeeze(w) for w in _NO_WORDS.split())
_NEGATOR = frozenset(_squeeze(w) for w in _NEGATORS.split())


def parse_yes_no(text: str) -> bool | None:
    """Return True for yes, False for no, None when the answer is neither or both."""
    tokens = [_squeeze(t) for t in _TOKEN.findall(text.lower().translate(_EMOJI_NOISE))]
    if not tokens:
        return None
    if all(t in _YES for t in tokens):
        return True
    if all(t in _NO for t in tokens):
        return False
    # "tidak setuju", "gak boleh", "belum siap": a negated yes is a no.
    if tokens[0] in _NEGATOR and all(t in _YES for t in tokens[1:]):
        return False
    return None
