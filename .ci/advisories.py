#!/usr/bin/env python3
"""The audit's fallback when no vulnerability service answers: the installed distributions
checked against the committed advisory snapshot (.ci/advisories.json, made by
.ci/refresh_advisories.py from the PyPA advisory database).

    VENV/bin/python -I .ci/advisories.py SNAPSHOT SITE_DIR [SITE_DIR ...]

.ci/audit.py runs it with the audited venv's Python, because comparing versions the way
pip does (PEP 440: 1.0rc1 < 1.0 < 1.0.post1) needs `packaging`, which the venv has (a
runtime dependency) and the system Python need not. It prints a report in pip-audit's
JSON shape, so one verdict (audit.judge) reads both, plus the snapshot's source and the
packages it should know about but does not hold.

Exit status: 0 the report is on stdout; 2 the snapshot is malformed (why on stderr).
Anything else (say `packaging` missing) means the check could not run.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

FORMAT = 1
MALFORMED = 2
EVENT_KINDS = ("introduced", "fixed", "last_affected")


class SnapshotError(Exception):
    pass


def normalize(name: str) -> str:
    """PEP 503: 'Typing_Extensions' and 'typing-extensions' are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Range:
    """One OSV ECOSYSTEM range: events in version order ('0' = before every release)."""

    events: tuple[tuple[str, Version | None], ...]

    def contains(self, version: Version) -> bool:
        # OSV's own evaluation: walk the events in order; an `introduced` at or below the
        # version opens the range, a `fixed` at or below it (or a `last_affected` below
        # it) closes it again.
        hit = False
        for kind, at in self.events:
            if kind == "introduced":
                if at is None or version >= at:
                    hit = True
            elif at is not None and (version >= at if kind == "fixed" else version > at):
                hit = False
        return hit

    def fixes(self) -> list[Version]:
        return [at for kind, at in self.events if kind == "fixed" and at is not None]


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    ranges: tuple[Range, ...]
    versions: frozenset[str]  # listed releases, compared as written and as PEP 440

    def affects(self, version: Version) -> bool:
        if str(version) in self.versions or any(r.contains(version) for r in self.ranges):
            return True
        return any(_same(listed, version) for listed in self.versions)

    def fix_versions(self, version: Version) -> list[str]:
        """The fixed releases above the installed one (what to upgrade to)."""
        above = {fix for r in self.ranges for fix in r.fixes() if fix > version}
        return [str(v) for v in sorted(above)]


def _same(listed: str, version: Version) -> bool:
    try:
        return Version(listed) == version
    except InvalidVersion:
        return False


@dataclass(frozen=True)
class Snapshot:
    source: dict[str, str]
    advisories: dict[str, tuple[Advisory, ...]]  # every package the snapshot covers
    known: frozenset[str]  # every PyPI package the database has any advisory for


def _version(text: Any, where: str) -> Version:
    if not isinstance(text, str):
        raise SnapshotError(f"{where}: version {text!r} is not a string")
    try:
        return Version(text)
    except InvalidVersion:
        raise SnapshotError(f"{where}: {text!r} is not a PEP 440 version") from None


def _range(raw: Any, where: str) -> Range:
    if not isinstance(raw, dict) or raw.get("type") != "ECOSYSTEM":
        raise SnapshotError(f"{where}: a range must be an ECOSYSTEM range")
    events = raw.get("events")
    if not isinstance(events, list) or not events:
        raise SnapshotError(f"{where}: a range without events")
    read: list[tuple[str, Version | None]] = []
    for event in events:
        if not isinstance(event, dict) or len(event) != 1:
            raise SnapshotError(f"{where}: event {event!r} is not one of {EVENT_KINDS}")
        ((kind, at),) = event.items()
        if kind not in EVENT_KINDS:
            raise SnapshotError(f"{where}: event {event!r} is not one of {EVENT_KINDS}")
        read.append((kind, None if kind == "introduced" and at == "0" else _version(at, where)))
    if not any(kind == "introduced" for kind, _ in read):
        raise SnapshotError(f"{where}: a range that is never introduced")
    # Stable: events at one version keep the database's order.
    ordered = sorted(read, key=lambda e: (e[1] is not None, e[1] or Version("0")))
    return Range(tuple(ordered))


def _advisory(raw: Any, where: str) -> Advisory:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise SnapshotError(f"{where}: an advisory without an id")
    where = f"{where} {raw['id']}"
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise SnapshotError(f"{where}: aliases must be a list of ids")
    affected = raw.get("affected")
    if not isinstance(affected, list) or not affected:
        raise SnapshotError(f"{where}: no affected versions")
    ranges: list[Range] = []
    versions: set[str] = set()
    for entry in affected:
        if not isinstance(entry, dict):
            raise SnapshotError(f"{where}: an affected entry must be an object")
        ranges.extend(_range(r, where) for r in entry.get("ranges", []))
        listed = entry.get("versions", [])
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            raise SnapshotError(f"{where}: versions must be a list of strings")
        versions.update(listed)
    if not ranges and not versions:
        raise SnapshotError(f"{where}: neither ranges nor versions")
    return Advisory(raw["id"], tuple(aliases), tuple(ranges), frozenset(versions))


def load(text: str) -> Snapshot:
    """The snapshot, checked: a file that cannot be read exactly is refused, never
    half-used (a skipped advisory would be a silent pass)."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"not JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise SnapshotError(f"not an advisory snapshot of format {FORMAT}")
    source = raw.get("source")
    if not isinstance(source, dict) or not all(
        isinstance(source.get(key), str) and source[key] for key in ("commit", "date")
    ):
        raise SnapshotError("its source (commit and date of the advisory database) is missing")
    packages = raw.get("advisories")
    known = raw.get("known")
    if not isinstance(packages, dict) or not packages:
        raise SnapshotError("no packages")
    if not isinstance(known, list) or not all(isinstance(k, str) for k in known):
        raise SnapshotError("'known' must list the database's package names")
    advisories: dict[str, tuple[Advisory, ...]] = {}
    for name, entries in packages.items():
        if name != normalize(name) or not isinstance(entries, list):
            raise SnapshotError(f"{name!r}: expected a normalized name and a list")
        advisories[name] = tuple(_advisory(e, name) for e in entries)
        if entries and name not in known:
            raise SnapshotError(f"{name}: has advisories but is not in 'known'")
    return Snapshot(
        {k: str(v) for k, v in source.items()}, advisories, frozenset(map(normalize, known))
    )


def _editable(dist: metadata.Distribution) -> bool:
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except json.JSONDecodeError:
        return False
    return bool(isinstance(direct, dict) and direct.get("dir_info", {}).get("editable"))


def installed(paths: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, version) of every distribution in those site directories, and the editable
    ones left out (the project itself: it is not on PyPI, as pip-audit --skip-editable)."""
    found: set[tuple[str, str]] = set()
    editable: set[str] = set()
    for dist in metadata.distributions(path=paths):
        name = dist.metadata["Name"]
        if not name:
            continue
        if _editable(dist):
            editable.add(name)
        else:
            found.add((name, dist.version))
    return sorted(found), sorted(editable)


def check(snapshot: Snapshot, dists: list[tuple[str, str]]) -> dict[str, Any]:
    """pip-audit's report shape for those distributions, plus the packages the database
    knows of that the snapshot does not hold (it must be refreshed to audit them)."""
    deps: list[dict[str, Any]] = []
    uncovered: list[str] = []
    for name, raw_version in dists:
        key = normalize(name)
        entries = snapshot.advisories.get(key)
        if entries is None and key in snapshot.known:
            uncovered.append(f"{name} {raw_version}")
            continue
        dep: dict[str, Any] = {"name": key, "version": raw_version, "vulns": []}
        try:
            version = Version(raw_version)
        except InvalidVersion:
            if entries:
                dep = {"name": key, "version": raw_version,
                       "skip_reason": f"{raw_version!r} is no PEP 440 version"}  # fmt: skip
            deps.append(dep)
            continue
        for adv in entries or ():
            if adv.affects(version):
                dep["vulns"].append({
                    "id": adv.id, "aliases": list(adv.aliases),
                    "fix_versions": adv.fix_versions(version),
                })  # fmt: skip
        deps.append(dep)
    return {"dependencies": deps, "uncovered": uncovered, "source": snapshot.source}


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    try:
        snapshot = load(Path(argv[0]).read_text("utf-8"))
    except SnapshotError as exc:
        print(f"{argv[0]}: {exc}", file=sys.stderr)
        return MALFORMED
    dists, editable = installed(argv[1:])
    report = check(snapshot, dists)
    report["skipped_editable"] = editable
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
