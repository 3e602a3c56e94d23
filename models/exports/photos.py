"""The reports' photos in ZIP files, named by day and kegiatan, split in parts when asked.

Photos are JPEGs already: they are stored, not compressed again. With `max_bytes` the
photos are spread over as many ZIP files as needed, each at most that large on disk
(headers counted): a chat platform takes files only up to a size (Telegram's bot upload:
50 MB). A photo whose file is gone is named in the result, not a reason to stop.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from models.exports.laporan import PhotoFile

# A ZIP's end record, and room to spare.
ZIP_END: Final = 22 + 512


def entry_overhead(name: str) -> int:
    """Bytes a stored entry adds besides its data: its local header and its line in the
    central directory (each with the name), plus room for extra fields."""
    return 30 + 46 + 2 * len(name.encode("utf-8")) + 64


@dataclass
class Zipped:
    parts: list[Path] = field(default_factory=list)
    photos: int = 0
    missing: list[str] = field(default_factory=list)


def stored_file(media_dir: Path, stored: str) -> Path | None:
    """The stored photo, only when it is a file inside MEDIA_DIR."""
    root = media_dir.resolve()
    path = (root / stored).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def plan_parts(
    sizes: Sequence[tuple[Path, str, int]], max_bytes: int | None
) -> list[list[tuple[Path, str, int]]]:
    """Photos (path, name, size) in order, grouped so each group's ZIP fits `max_bytes`.
    A photo larger than that alone still gets a part of its own."""
    parts: list[list[tuple[Path, str, int]]] = []
    used = 0
    for item in sizes:
        cost = item[2] + entry_overhead(item[1])
        if not parts or (max_bytes is not None and used + cost + ZIP_END > max_bytes):
            parts.append([])
            used = 0
        parts[-1].append(item)
        used += cost
    return parts


def part_path(out: Path, number: int, count: int) -> Path:
    if count == 1:
        return out
    return out.with_name(f"{out.stem}_bagian-{number}-dari-{count}{out.suffix or '.zip'}")


def write_photo_zips(
    media_dir: Path, photos: Sequence[PhotoFile], out: Path, *, max_bytes: int | None = None
) -> Zipped:
    """Write the photos to `out` (or, split, to `out`'s name with "_bagian-1-dari-3")."""
    result = Zipped()
    found: list[tuple[Path, str, int]] = []
    for photo in photos:
        path = stored_file(media_dir, photo.stored)
        if path is None:
            result.missing.append(photo.name)
        else:
            found.append((path, photo.name, path.stat().st_size))
    if not found:
        return result
    parts = plan_parts(found, max_bytes)
    for number, items in enumerate(parts, start=1):
        target = part_path(out, number, len(parts))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
            for path, name, _ in items:
                zf.write(path, name)
        result.parts.append(target)
        result.photos += len(items)
    return result
