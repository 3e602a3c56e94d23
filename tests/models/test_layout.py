"""How models/ hangs together: each feature package exports its public names, the packages
load each other in one direction only, and nobody outside a module uses its private names."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("people", "kegiatan", "outbox")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(path: Path) -> list[str]:
    """Modules imported when the file is loaded (not those imported inside a function)."""
    found: list[str] = []
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "models" and len(parts) > 1 and parts[1] in PACKAGES else None


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_exports_its_public_names(package: str) -> None:
    module = importlib.import_module(f"models.{package}")
    exported = module.__all__
    assert exported == sorted(set(exported), key=exported.index)  # no repeats
    for name in exported:
        assert not name.startswith("_")
        value = getattr(module, name)
        home = getattr(value, "__module__", None)
        if isinstance(home, str) and home.startswith("models."):
            assert home.startswith(f"models.{package}."), (name, home)


def test_the_feature_packages_load_each_other_in_one_direction() -> None:
    """Loading any submodule runs its package's __init__, which loads all of the package;
    a package that needs another one back while it loads would stop with an ImportError."""
    needs: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for package in PACKAGES:
        for path in (ROOT / "models" / package).glob("*.py"):
            for imported in _load_time_imports(path):
                other = _package_of(imported)
                if other is not None and other != package:
                    needs[package].add(other)

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in needs[start]
        )

    cycles = [p for p in PACKAGES if reaches(p, p)]
    assert not cycles, needs


def test_nothing_imports_a_private_name_from_models() -> None:
    offenders: list[str] = []
    for folder in ("bot", "handlers", "scheduler", "models", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.ImportFrom) and node.module):
                    continue
                if not (node.module == "models" or node.module.startswith("models.")):
                    continue
                if node.module.startswith("models.migrations"):
                    continue
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private and node.module != _module_name(path):
                    offenders.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert not offenders
