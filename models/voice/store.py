"""Where voice notes are kept (`MEDIA_DIR/voice/`) and for how long: every file is deleted
a day after it was made, since a text may name a person and nothing tells for sure that
one does not. Light on purpose (no audio libraries): the housekeeping sweep uses it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

FOLDER = "voice"
SUFFIX = ".ogg"
# Pieces of a file being written (renamed to SUFFIX when whole).
PARTIAL = ".part"
KEEP = timedelta(days=1)


def prune(folder: Path, before: datetime, *, pieces: bool = True) -> int:
    """Delete the voice notes (and, with `pieces`, pieces of unfinished ones) made before
    `before`; returns how many went."""
    if not folder.is_dir():
        return 0
    cutoff = before.timestamp()
    gone = 0
    suffixes = (SUFFIX, PARTIAL) if pieces else (SUFFIX,)
    for path in folder.iterdir():
        if path.suffix not in suffixes:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                gone += 1
        except FileNotFoundError:  # another process pruned it first
            continue
    return gone
