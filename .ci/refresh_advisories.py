#!/usr/bin/env python3
"""Regenerate .ci/advisories.json, the advisory snapshot .ci/audit.py falls back on when
no vulnerability service answers, from a copy of the PyPA advisory database
(https://github.com/pypa/advisory-database, OSV records as vulns/<package>/PYSEC-*.yaml):

    python3 .ci/refresh_advisories.py --from PATH [--venv .venv] [--out .ci/advisories.json]

PATH is a clone of that repository, bare or not; the records are read from its HEAD
commit (`--rev` for another), whose id and date go into the file, so the snapshot says
what it knows and since when. Review the diff and commit it.

Packages covered: every pin in requirements.lock, the test extras in pyproject.toml, pip,
setuptools and wheel, and every distribution installed in VENV (the test extras' own
dependencies: pluggy, urllib3 …), so that the audit can check all of the venv. The file
also lists every package the database has any advisory for ('known'): the audit then
tells a package the database says nothing about (fine) from one this snapshot forgot
(refresh it).

Kept of each advisory: its id, aliases, summary, dates, and for the package concerned
its ECOSYSTEM ranges and listed versions (the GIT ranges name commits, no releases).
Withdrawn advisories are left out.

Reading YAML needs PyYAML (`import yaml`); the system Python here has it. It is not
parsed by hand: the records use block scalars (|+, |2-) and folded multi-line strings,
and a home-made reader that got one wrong would drop an advisory without a word.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".ci" / "advisories.json"
FORMAT = 1
ALWAYS = ("pip", "setuptools", "wheel")  # what .ci/run installs into the venv beside us
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", re.MULTILINE)
REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
EVENT_KINDS = ("introduced", "fixed", "last_affected")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    done = subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), *args],  # noqa: S607 (git from PATH, as a person runs it)
        input=data,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"refresh: git {' '.join(args)}: {done.stderr.decode().strip()}")
    return done.stdout


def wanted_names(venv: Path | None) -> set[str]:
    names = {normalize(n) for n in PIN.findall((ROOT / "requirements.lock").read_text("utf-8"))}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    for extra in project.get("optional-dependencies", {}).values():
        for req in extra:
            match = REQ_NAME.match(req)
            if match:
                names.add(normalize(match.group(1)))
    names.update(ALWAYS)
    if venv is not None:
        code = "import importlib.metadata as m; print('\\n'.join(d.metadata['Name'] or '' " \
               "for d in m.distributions()))"  # fmt: skip
        done = subprocess.run(  # noqa: S603
            [str(venv / "bin" / "python"), "-I", "-c", code], capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            sys.exit(f"refresh: cannot list {venv}'s distributions: {done.stderr.strip()}")
        names.update(normalize(n) for n in done.stdout.split() if n)
    return names


def records(repo: Path, rev: str) -> list[tuple[str, bytes]]:
    """(path, text) of every vulns/**.yaml at that commit."""
    listing = _git(repo, "ls-tree", "-r", "--format=%(objectname) %(path)", rev, "--", "vulns")
    items = [line.split(" ", 1) for line in listing.decode().splitlines() if line.endswith(".yaml")]
    if not items:
        sys.exit(f"refresh: {repo} has no vulns/*.yaml at {rev}: not the PyPA advisory database")
    blobs = _git(repo, "cat-file", "--batch", data="".join(f"{o}\n" for o, _ in items).encode())
    out: list[tuple[str, bytes]] = []
    pos = 0
    for _, path in items:
        end = blobs.index(b"\n", pos)
        size = int(blobs[pos:end].split()[2])
        out.append((path, blobs[end + 1 : end + 1 + size]))
        pos = end + 1 + size + 1
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def summary(record: dict[str, Any]) -> str:
    """One line for a reviewer: the record's summary, else its details' first sentence."""
    text = " ".join(_text(record.get("summary") or record.get("details") or "").split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= 200 else first[:197] + "..."


def keep(record: dict[str, Any], path: str) -> dict[str, list[dict[str, Any]]]:
    """Package name -> what the snapshot keeps of this record for it."""
    by_package: dict[str, list[dict[str, Any]]] = {}
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != "PyPI" or not package.get("name"):
            continue
        ranges = []
        for rng in affected.get("ranges") or []:
            if rng.get("type") != "ECOSYSTEM":
                continue
            events = []
            for event in rng.get("events") or []:
                ((kind, at),) = event.items()
                if kind not in EVENT_KINDS:
                    sys.exit(f"refresh: {path}: event {event!r} is not understood here")
                events.append({kind: _text(at)})
            ranges.append({"type": "ECOSYSTEM", "events": events})
        versions = sorted({_text(v) for v in affected.get("versions") or []})
        by_package.setdefault(normalize(package["name"]), []).append(
            {"ranges": ranges, "versions": versions}
        )
    return by_package


def build(repo: Path, rev: str, names: set[str], yaml: Any) -> dict[str, Any]:
    commit = _git(repo, "rev-parse", f"{rev}^{{commit}}").decode().strip()
    date = _git(repo, "log", "-1", "--format=%cI", commit).decode().strip()
    known: set[str] = set()
    advisories: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    withdrawn = 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path, text in records(repo, commit):
        record = yaml.load(text, Loader=loader)
        if not isinstance(record, dict) or "id" not in record:
            sys.exit(f"refresh: {path}: not an OSV record")
        if record.get("withdrawn"):
            withdrawn += 1
            continue
        for name, affected in keep(record, path).items():
            known.add(name)
            if name not in names:
                continue
            entry = {
                "id": _text(record["id"]),
                "aliases": sorted(_text(a) for a in record.get("aliases") or []),
                "summary": summary(record),
                "published": _text(record.get("published", "")),
                "modified": _text(record.get("modified", "")),
                "affected": affected,
            }
            if any(r["ranges"] or r["versions"] for r in affected):
                advisories[name].append(entry)
    for entries in advisories.values():
        entries.sort(key=lambda e: e["id"])
    print(
        f"refresh: {commit[:12]} of {date}: {sum(map(len, advisories.values()))} advisories "
        f"for {len(names)} packages ({withdrawn} withdrawn ones left out)",
        file=sys.stderr,
    )
    return {
        "format": FORMAT,
        "about": "PyPA advisory database snapshot for .ci/audit.py, made by "
        ".ci/refresh_advisories.py; regenerate it, do not edit it by hand",
        "source": {
            "repository": "https://github.com/pypa/advisory-database",
            "commit": commit,
            "date": date,
        },
        "advisories": dict(sorted(advisories.items())),
        "known": sorted(known),
    }


def dump(snapshot: dict[str, Any]) -> str:
    """Reviewable JSON: one advisory's versions on one line, not one line per release."""
    text = json.dumps(snapshot, indent=1, ensure_ascii=False)
    # json.dumps puts every list item and key on its own line; fold the lists of plain
    # strings and each one-key event ({"fixed": "0.25.0"}) onto one line.
    for pattern in (r"\[\n(\s+\"[^\"\n]*\",?\n)+\s*\]", r"\{\n\s+\"[a-z_]+\": \"[^\"\n]*\"\n\s*\}"):
        text = re.sub(
            pattern, lambda m: json.dumps(json.loads(m.group(0)), ensure_ascii=False), text
        )
    return text + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="repo", type=Path, required=True,
                        help="a clone (bare or not) of pypa/advisory-database")  # fmt: skip
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv",
                        help="also cover what is installed there (default .venv)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        print("refresh: needs PyYAML (`import yaml`) to read the advisory database; run it "
              "with a Python that has it", file=sys.stderr)  # fmt: skip
        return 2
    venv = args.venv if (args.venv / "bin" / "python").exists() else None
    if venv is None:
        print(f"refresh: no venv at {args.venv}; covering the lock and extras only",
              file=sys.stderr)  # fmt: skip
    snapshot = build(args.repo, args.rev, wanted_names(venv), yaml)
    args.out.write_text(dump(snapshot), "utf-8")
    print(f"refresh: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
