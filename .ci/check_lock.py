#!/usr/bin/env python3
"""Does requirements.lock agree with pyproject.toml? Run with the project venv's Python
after `.ci/run` installed the lock (`pip install --require-hashes -r requirements.lock`)
and then the project:

    .venv/bin/python .ci/check_lock.py

It checks, without the network: every pin carries hashes; every runtime dependency in
pyproject.toml is pinned at a version its range allows; the pins are exactly the runtime
dependencies' closure as installed (nothing missing, nothing left over after a dependency
was dropped); and the venv holds the pinned versions (the tests ran on what a deployment
installs). When it fails, regenerate the lock (README, "Lock file").
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def read_lock(text: str) -> tuple[dict[str, Version], list[str]]:
    """name -> pinned version, and the names pinned without a hash."""
    pins: dict[str, Version] = {}
    unhashed: list[str] = []
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    for entry in entries:
        match = PIN.match(entry)
        if match is None:
            continue
        name = canonicalize_name(match.group(1))
        pins[name] = Version(match.group(2))
        if "--hash=sha256:" not in entry:
            unhashed.append(name)
    return pins, unhashed


def closure(roots: list[Requirement]) -> set[str]:
    """The installed distributions the runtime requirements need (markers evaluated,
    no extras unless a requirement asks for them)."""
    seen: set[str] = set()
    todo = [(r, "") for r in roots]
    while todo:
        req, extra = todo.pop()
        env = {**{k: str(v) for k, v in default_environment().items()}, "extra": extra}
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        extras = sorted(req.extras)
        key = f"{name}[{','.join(extras)}]"
        if key in seen:
            continue
        seen.add(key)
        for sub in metadata.requires(name) or []:
            sub_req = Requirement(sub)
            for wanted in ["", *extras]:
                todo.append((sub_req, wanted))
    return {key.split("[", 1)[0] for key in seen}


def problems(root: Path = ROOT) -> list[str]:
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    pins, unhashed = read_lock((root / "requirements.lock").read_text("utf-8"))
    found = [f"{name}: pinned without --hash" for name in unhashed]
    for req in runtime:
        name = canonicalize_name(req.name)
        if name not in pins:
            found.append(f"{req}: in pyproject.toml, not in the lock")
        elif not req.specifier.contains(pins[name], prereleases=True):
            found.append(f"{req}: the lock pins {name}=={pins[name]}")
    needed = closure(runtime)
    found += [f"{n}: needed at run time, not in the lock" for n in sorted(needed - set(pins))]
    found += [f"{n}: in the lock, needed by nothing" for n in sorted(set(pins) - needed)]
    for pinned, version in sorted(pins.items()):
        try:
            installed = Version(metadata.version(pinned))
        except metadata.PackageNotFoundError:
            found.append(f"{pinned}: pinned, not installed in this venv")
            continue
        if installed != version:
            found.append(f"{pinned}: the venv has {installed}, the lock pins {version}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(f"  {line}", file=sys.stderr)
    if found:
        print("requirements.lock disagrees with pyproject.toml or this venv: regenerate it "
              "(README, 'Lock file')", file=sys.stderr)  # fmt: skip
        return 1
    print("requirements.lock agrees with pyproject.toml and the venv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
