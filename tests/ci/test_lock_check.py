"""requirements.lock against pyproject.toml (.ci/check_lock.py): a pin without hashes, a
dependency added to pyproject.toml but not locked, a pin outside a raised floor, and a pin
nothing needs any more are each reported; the repository's own lock agrees."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

from tests.support import REPO


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_check_lock", REPO / ".ci" / "check_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


check = _load()


def _copy(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copyfile(REPO / name, tmp_path / name)
    return tmp_path


def test_the_repository_lock_pins_every_runtime_dependency_with_hashes() -> None:
    pins, unhashed = check.read_lock((REPO / "requirements.lock").read_text("utf-8"))
    assert unhashed == []
    assert {"starlette", "h11", "python-telegram-bot", "sqlalchemy"} <= set(pins)
    assert "pytest" not in pins  # the test extras are not deployed


def test_a_pin_without_hashes_is_reported() -> None:
    pins, unhashed = check.read_lock("starlette==1.10.0\n    # via p2wkss-bot\n")
    assert str(pins["starlette"]) == "1.10.0" and unhashed == ["starlette"]


def test_a_raised_floor_the_lock_does_not_meet_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    lock = root / "requirements.lock"
    text = lock.read_text("utf-8")
    lock.write_text(re.sub(r"\nstarlette==\S+ ", "\nstarlette==0.40.0 ", text), "utf-8")
    found = check.problems(root)
    assert any("starlette" in line and "0.40.0" in line for line in found), found


def test_a_new_dependency_not_in_the_lock_and_a_pin_nothing_needs_are_reported(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    project = root / "pyproject.toml"
    text = project.read_text("utf-8")
    project.write_text(text.replace('    "icalendar>=7.3,<8",\n', ""), "utf-8")
    found = check.problems(root)
    assert "icalendar: in the lock, needed by nothing" in found
    project.write_text(text.replace('    "h11>=0.16",\n', '    "h11>=0.16",\n    "pytest>=8",\n'))
    assert any(line.startswith("pytest>=8: in pyproject.toml, not in the lock") for line in
               check.problems(root))  # fmt: skip
