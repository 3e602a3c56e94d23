"""The dependency audit's verdict (.ci/audit.py) on pip-audit's JSON report: a known
vulnerability with a fix fails CI, a reviewed one in the ignore file passes with its
reason shown, and a service that could not look fails as NOT AUDITED, never as a pass."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support import REPO


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", REPO / ".ci" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = _load()

OLD_STARLETTE: dict[str, Any] = {
    "name": "starlette",
    "version": "0.40.0",
    "vulns": [
        {"id": "GHSA-7f5h-v6xp-fcq8", "aliases": ["CVE-2025-62727"], "fix_versions": ["0.49.1"]}
    ],
}
CLEAN = {"name": "jinja2", "version": "3.1.6", "vulns": []}


def test_an_old_starlette_with_a_fixed_version_fails_the_run() -> None:
    verdict = audit.judge({"dependencies": [CLEAN, OLD_STARLETTE]}, {})
    assert verdict.status == audit.VULNERABLE
    assert verdict.failures == ["starlette 0.40.0: GHSA-7f5h-v6xp-fcq8, fixed in 0.49.1"]


def test_a_reviewed_advisory_in_the_ignore_file_passes_by_its_alias_and_shows_why() -> None:
    ignores = audit.read_ignores(
        "# reviewed\nCVE-2025-62727  starlette: no FileResponse in this bot (ops, 2026-11-30)\n"
        "GHSA-aaaa-bbbb-cccc  gone: fixed since, nothing matches it any more\n"
    )
    verdict = audit.judge({"dependencies": [CLEAN, OLD_STARLETTE]}, ignores)
    assert verdict.status == audit.OK
    assert "no FileResponse in this bot" in verdict.accepted[0]
    assert verdict.unused == ["GHSA-aaaa-bbbb-cccc"]


def test_an_advisory_without_a_fix_must_still_be_reviewed() -> None:
    unfixed = {"name": "fonttools", "version": "4.68.0",
               "vulns": [{"id": "PYSEC-2026-1", "aliases": [], "fix_versions": []}]}  # fmt: skip
    verdict = audit.judge({"dependencies": [unfixed]}, {})
    assert verdict.status == audit.VULNERABLE
    assert "no fixed version yet" in verdict.failures[0]


def test_a_service_that_could_not_look_up_a_package_is_not_a_pass() -> None:
    skipped = {"name": "aiosqlite", "skip_reason": "Dependency not found on PyPI"}
    assert audit.judge({"dependencies": [CLEAN, skipped]}, {}).status == audit.NOT_AUDITED
    assert audit.judge({"dependencies": []}, {}).status == audit.NOT_AUDITED


@pytest.mark.parametrize(
    "line", ["GHSA-7f5h-v6xp-fcq8", "GHSA-7f5h-v6xp-fcq8  ok", "starlette  no FileResponse here"]
)
def test_an_ignore_entry_without_a_reason_or_id_is_refused(line: str) -> None:
    with pytest.raises(audit.IgnoreFileError):
        audit.read_ignores(line)


def test_the_ignore_file_in_the_repository_reads() -> None:
    text = (REPO / ".ci" / "audit-ignore.txt").read_text("utf-8")
    assert isinstance(audit.read_ignores(text), dict)


def test_when_no_service_answers_the_audit_fails_loudly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(audit, "tool", lambda venv: tmp_path / "pip-audit")
    monkeypatch.setattr(audit, "site_packages", lambda venv: str(tmp_path))
    monkeypatch.setattr(
        audit, "audit_with", lambda exe, site, service: (None, "ConnectionError: no route")
    )
    monkeypatch.delenv("P2WKSS_AUDIT_SERVICE", raising=False)
    assert audit.main([str(tmp_path)]) == audit.NOT_AUDITED
    err = capsys.readouterr().err
    assert "DEPENDENCY AUDIT NOT DONE" in err
    assert "pypi: did not answer" in err and "osv: did not answer" in err
