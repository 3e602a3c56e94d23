"""The dependency audit's verdict (.ci/audit.py) on pip-audit's JSON report: a known
vulnerability with a fix fails CI, a reviewed one in the ignore file passes with its
reason shown, and a service that could not look fails as NOT AUDITED, never as a pass.
When no service answers (as on this workplace), the committed advisory snapshot still
catches an old version, says it is a snapshot of a given day, and a broken or stale
snapshot fails the run rather than passing it."""

from __future__ import annotations

import importlib.util
import json
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
    # An old snapshot cannot know of a fix released since; it does not claim there is none.
    from_snapshot = audit.judge({"dependencies": [unfixed]}, {}, snapshot=True)
    assert "no fixed version in the snapshot" in from_snapshot.failures[0]


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


SERVICES_DOWN = "ConnectionError: no route"
# Before 0.25.0 (PYSEC-2023-48) and before 0.13.5, where PYSEC-2023-83 begins.
OLD = [("starlette", "0.13.4"), ("jinja2", "3.1.6")]


def _site(root: Path, dists: list[tuple[str, str]]) -> Path:
    """A site-packages holding only these distributions' records (no code needed)."""
    for name, version in dists:
        info = root / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", "utf-8"
        )
    return root


def _no_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, dists: list[tuple[str, str]]
) -> Path:
    """This workplace: pip-audit installs, but neither PyPI's JSON API nor OSV answers.
    The venv is this test run's own (its Python has `packaging`), its site-packages a
    planted one."""
    site = _site(tmp_path / "site-packages", dists)
    monkeypatch.setattr(audit, "tool", lambda venv: tmp_path / "pip-audit")
    monkeypatch.setattr(audit, "site_packages", lambda venv: str(site))
    monkeypatch.setattr(audit, "audit_with", lambda exe, site, service: (None, SERVICES_DOWN))
    monkeypatch.setattr(audit, "IGNORE_FILE", tmp_path / "audit-ignore.txt")
    monkeypatch.delenv("P2WKSS_AUDIT_SERVICE", raising=False)
    return Path(sys.prefix)


def test_with_no_service_an_old_starlette_is_caught_by_the_snapshot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, OLD)
    assert audit.main([str(venv)]) == audit.VULNERABLE
    out, err = capsys.readouterr()
    assert "VULNERABLE  starlette 0.13.4: PYSEC-2023-48, fixed in 0.25.0" in err
    assert "PYSEC-2023-83" not in err
    assert "jinja2" not in err  # 3.1.6 is past every advisory in the snapshot
    assert "audited against the PyPA advisory snapshot of 2024-10-10" in out
    assert "not a current audit" in out
    assert f"pypi: did not answer ({SERVICES_DOWN})" in out


def test_a_reviewed_advisory_accepted_by_its_alias_passes_the_snapshot_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, OLD)
    (tmp_path / "audit-ignore.txt").write_text(
        "CVE-2023-30798  starlette: this bot reads no multipart forms (ops, 2026-11-30)\n"
    )
    assert audit.main([str(venv)]) == audit.OK
    out, err = capsys.readouterr()
    assert "accepted  starlette 0.13.4: PYSEC-2023-48 (accepted: starlette: this bot" in out
    assert "VULNERABLE" not in err


def test_a_clean_venv_passes_the_snapshot_audit_and_says_last_that_it_is_not_current(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, [("starlette", "1.10.0"), ("Jinja2", "3.1.6")])
    assert audit.main([str(venv)]) == audit.OK
    out = capsys.readouterr().out
    assert "audit (snapshot): 2 packages audited" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("NOTE: audited against the PyPA advisory snapshot of 2024-10-10")
    assert "advisories newer than that are not known here" in last


def test_pip_audit_that_cannot_be_installed_falls_back_to_the_snapshot(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, OLD)

    def no_tool(venv: Path) -> Path:
        raise audit.Unavailable("pip-audit could not be installed (no index)")

    monkeypatch.setattr(audit, "tool", no_tool)
    assert audit.main([str(venv)]) == audit.VULNERABLE  # not 1 for "could not install"
    assert "pypi: pip-audit could not be installed" in capsys.readouterr().out


def test_asking_for_the_snapshot_only_does_not_try_the_services(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, [("starlette", "1.10.0")])

    def never(venv: Path) -> Path:
        raise AssertionError("pip-audit was installed")

    monkeypatch.setattr(audit, "tool", never)
    monkeypatch.setenv("P2WKSS_AUDIT_SERVICE", "snapshot")
    assert audit.main([str(venv)]) == audit.OK


def test_a_malformed_snapshot_fails_the_run_instead_of_passing_or_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, OLD)
    broken = tmp_path / "advisories.json"
    text = (REPO / ".ci" / "advisories.json").read_text("utf-8")
    broken.write_text(text.replace('"fixed": "0.25.0"', '"fixed": "soon"'), "utf-8")
    monkeypatch.setattr(audit, "SNAPSHOT_FILE", broken)
    assert audit.main([str(venv)]) == audit.BAD_INPUT
    err = capsys.readouterr().err
    assert "the advisory snapshot is malformed" in err and "'soon'" in err


def test_a_snapshot_without_an_installed_package_the_database_knows_must_be_refreshed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venv = _no_service(monkeypatch, tmp_path, [("urllib3", "2.0.0"), ("jinja2", "3.1.6")])
    partial = tmp_path / "advisories.json"
    snapshot = json.loads((REPO / ".ci" / "advisories.json").read_text("utf-8"))
    del snapshot["advisories"]["urllib3"]  # a dependency added without a refresh
    partial.write_text(json.dumps(snapshot), "utf-8")
    monkeypatch.setattr(audit, "SNAPSHOT_FILE", partial)
    assert audit.main([str(venv)]) == audit.BAD_INPUT
    err = capsys.readouterr().err
    assert "NOT IN THE SNAPSHOT  urllib3 2.0.0" in err
    assert "refresh_advisories.py" in err


@pytest.mark.parametrize("only", [None, "pypi"])
def test_when_no_service_answers_and_the_snapshot_is_missing_the_audit_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    only: str | None,
) -> None:
    venv = _no_service(monkeypatch, tmp_path, OLD)
    monkeypatch.setattr(audit, "SNAPSHOT_FILE", tmp_path / "gone.json")
    if only:  # asked for one service: no fallback, even with the snapshot there
        monkeypatch.setattr(audit, "SNAPSHOT_FILE", REPO / ".ci" / "advisories.json")
        monkeypatch.setenv("P2WKSS_AUDIT_SERVICE", only)
    assert audit.main([str(venv)]) == audit.NOT_AUDITED
    err = capsys.readouterr().err
    assert "DEPENDENCY AUDIT NOT DONE" in err
    assert "pypi: did not answer" in err
    if only:
        assert "osv" not in err and "snapshot" not in err.split("could audit")[1]
    else:
        assert "osv: did not answer" in err
        assert "snapshot: could not be used (" in err and "gone.json is missing" in err
