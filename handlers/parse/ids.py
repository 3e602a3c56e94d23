"""Record ids read from button ids and typed codes: ASCII digits only, bounded length,
so a forged "a:mb.use:99999999999999999999" or "a:mb.use:²" is "not found", never an
error with a traceback."""

from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,12}")


def read_id(text: str | None) -> int | None:
    """A positive database id, or None."""
    if text is None or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value > 0 else None


def arg_id(args: list[str], index: int = 0) -> int:
    """The id at `index` of an action's arguments; 0 (matches nothing) when absent or bad."""
    value = read_id(args[index]) if len(args) > index else None
    return value or 0
