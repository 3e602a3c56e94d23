#!/usr/bin/env python3
"""Dependency audit for .ci/run: every distribution installed in the project's venv
against the known advisories.

    python3 .ci/audit.py [VENV]          (VENV defaults to .venv)

First pip-audit, installed into a venv of its own (VENV/.pip-audit) so the audited venv
holds only the project's packages, asking PyPI's JSON API (`pypi`), else OSV (`osv`).
When neither answers for every package (this workplace reaches package registries only),
the fallback is the committed advisory snapshot (`snapshot`): .ci/advisories.json, the
PyPA advisory database at one commit, made by .ci/refresh_advisories.py. The installed
versions are checked against its ranges by .ci/advisories.py, run with the venv's Python
(PEP 440 ordering needs `packaging`). It says plainly that it audited against a snapshot
and of which date: advisories published since are not known to it.
P2WKSS_AUDIT_SERVICE=pypi|osv|snapshot asks for that one only (no fallback).

Exit status:
  0  every installed package was audited (by a service, or against the snapshot, as the
     output says); no advisory other than those accepted in .ci/audit-ignore.txt
  1  a known vulnerability not accepted there (with its fixed versions when there are any:
     raise the floor in pyproject.toml, regenerate requirements.lock; else review it and
     add it to the ignore file with a reason)
  2  what the audit reads is wrong, which a fix in the repository mends: the ignore file is
     malformed (an entry without a reason), the snapshot is malformed, or the snapshot
     lacks a package installed here that the advisory database knows of (refresh it), or
     VENV is no venv
  3  neither a service nor the snapshot could be used: NOT AUDITED. This fails on
     purpose; an audit that could not look is not a pass.

Only the standard library here: it runs before anything else is known to work.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.txt"
SNAPSHOT_FILE = ROOT / ".ci" / "advisories.json"
CHECKER = ROOT / ".ci" / "advisories.py"
PIP_AUDIT = "pip-audit>=2.7,<3"
SERVICES = ("pypi", "osv")
SNAPSHOT = "snapshot"
OK, VULNERABLE, BAD_INPUT, NOT_AUDITED = 0, 1, 2, 3
BAD_IGNORE_FILE = BAD_INPUT
SNAPSHOT_MALFORMED = 2  # .ci/advisories.py's exit status for a snapshot it refuses
# An advisory id as pip-audit prints them: PYSEC-2024-1, GHSA-xxxx-xxxx-xxxx, CVE-2024-1.
ADVISORY = re.compile(r"^(PYSEC|GHSA|CVE|OSV|BIT|PVE)-[A-Za-z0-9-]+$")


def _shown(path: Path) -> str:
    """A path as the reader knows it: from the repository's root when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class IgnoreFileError(Exception):
    pass


class Unavailable(Exception):
    """A source of advisories that could not be used (→ try the next, else NOT AUDITED)."""


class BrokenInput(Exception):
    """Something the repository holds is wrong (→ exit 2: fix it, never a warning)."""


def read_ignores(text: str) -> dict[str, str]:
    """Advisory id -> why it is accepted. A line is `ID  reason` ('#' starts a comment);
    an entry without a reason, or with a word that is no advisory id, is an error."""
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
        if not line:
            continue
        ident, _, reason = line.partition(" ")
        if not ADVISORY.match(ident):
            raise IgnoreFileError(f"line {number}: {ident!r} is not an advisory id")
        if len(reason.strip()) < 10:
            raise IgnoreFileError(f"line {number}: {ident} has no reason (say why it is safe)")
        found[ident] = reason.strip()
    return found


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)  # vulnerabilities not accepted
    accepted: list[str] = field(default_factory=list)  # found and listed in the ignore file
    unaudited: list[str] = field(default_factory=list)  # packages the service could not check
    unused: list[str] = field(default_factory=list)  # ignore entries nothing matched
    audited: int = 0

    @property
    def status(self) -> int:
        if self.unaudited or not self.audited:
            return NOT_AUDITED
        return VULNERABLE if self.failures else OK


def judge(report: dict[str, Any], ignores: dict[str, str], *, snapshot: bool = False) -> Verdict:
    """What pip-audit's JSON report (or .ci/advisories.py's, of the same shape) means
    for CI."""
    verdict = Verdict()
    used: set[str] = set()
    for dep in report.get("dependencies", []):
        name, version = dep.get("name", "?"), dep.get("version", "?")
        if "skip_reason" in dep:
            verdict.unaudited.append(f"{name}: {dep['skip_reason']}")
            continue
        verdict.audited += 1
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            listed = sorted(ids & ignores.keys())
            what = f"{name} {version}: {vuln['id']}"
            if listed:
                used.update(listed)
                verdict.accepted.append(f"{what} (accepted: {ignores[listed[0]]})")
            elif vuln.get("fix_versions"):
                fixes = ", ".join(vuln["fix_versions"])
                verdict.failures.append(f"{what}, fixed in {fixes}")
            else:
                known = "in the snapshot" if snapshot else "yet"
                verdict.failures.append(
                    f"{what}, no fixed version {known}: review it and list it in "
                    f"{_shown(IGNORE_FILE)} with the reason it is safe"
                )
    verdict.unused = sorted(set(ignores) - used)
    return verdict


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603


def tool(venv: Path) -> Path:
    """pip-audit in a venv of its own (made once)."""
    home = venv / ".pip-audit"
    exe = home / "bin" / "pip-audit"
    if not exe.exists():
        for cmd in (
            [sys.executable, "-m", "venv", str(home)],
            [str(home / "bin" / "python"), "-m", "pip", "install", "-q", PIP_AUDIT],
        ):
            done = _run(cmd)
            if done.returncode != 0:
                last = (f"{done.stdout}{done.stderr}".strip().splitlines() or ["?"])[-1]
                raise Unavailable(f"pip-audit could not be installed ({last})")
    return exe


def site_packages(venv: Path) -> str:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    try:
        done = _run([str(venv / "bin" / "python"), "-c", code])
    except OSError:
        raise BrokenInput(f"{venv} is no Python venv") from None
    if done.returncode != 0:
        raise BrokenInput(f"{venv} is no Python venv")
    return done.stdout.strip()


def audit_with(exe: Path, site: str, service: str) -> tuple[dict[str, Any] | None, str]:
    """pip-audit's JSON report from one service, or None and why there is none."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        done = _run([
            str(exe), "--path", site, "--vulnerability-service", service, "--skip-editable",
            "--format", "json", "--aliases", "on", "--output", str(out),
            "--progress-spinner", "off", "--timeout", "30",
        ])  # fmt: skip
        if not out.exists() or done.returncode not in (0, 1):
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, last
        report: dict[str, Any] = json.loads(out.read_text())
        return report, ""


def audit_snapshot(venv: Path, site: str, snapshot: Path) -> dict[str, Any]:
    """.ci/advisories.py's report on the venv against the snapshot. Raises Unavailable
    when it cannot run, BrokenInput when the snapshot is malformed."""
    if not snapshot.is_file():
        raise Unavailable(f"{_shown(snapshot)} is missing")
    cmd = [str(venv / "bin" / "python"), "-I", str(CHECKER), str(snapshot), site]
    try:
        done = _run(cmd)
    except OSError as exc:
        raise Unavailable(f"its check did not run ({exc})") from None
    if done.returncode == SNAPSHOT_MALFORMED:
        raise BrokenInput(f"the advisory snapshot is malformed: {done.stderr.strip()}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unavailable(f"its check did not run ({last})")
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise Unavailable("its check printed no report") from None
    return report


def _day(stamp: str) -> str:
    return stamp[:10]


def _age_days(stamp: str) -> str:
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return "?"
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return str((datetime.now(UTC) - then).days)


def _show(verdict: Verdict) -> None:
    for line in verdict.accepted:
        print(f"  accepted  {line}")
    for ident in verdict.unused:
        print(f"  note: {ident} in the ignore file matched nothing; remove it if fixed")
    for line in verdict.failures:
        print(f"  VULNERABLE  {line}", file=sys.stderr)
    if verdict.failures:
        print("audit: known vulnerabilities (see above)", file=sys.stderr)


def report_snapshot(report: dict[str, Any], verdict: Verdict, tried: list[str]) -> int:
    """Says which snapshot it was and that it is no current audit (the last line, so
    that it is also the last line of .ci/run)."""
    source = report.get("source", {})
    day = _day(str(source.get("date", "?")))
    commit = str(source.get("commit", "?"))[:12]
    rel = _shown(SNAPSHOT_FILE)
    print(
        f"audit (snapshot): {verdict.audited} packages audited against the PyPA advisory "
        f"snapshot of {day} (advisory-database {commit}, {rel})"
    )
    for line in tried:
        print(f"  not used: {line}")
    if report.get("skipped_editable"):
        print(f"  not audited (editable, not on PyPI): {', '.join(report['skipped_editable'])}")
    _show(verdict)
    uncovered: list[str] = report.get("uncovered", [])
    for line in uncovered:
        print(f"  NOT IN THE SNAPSHOT  {line}: the advisory database has advisories for it",
              file=sys.stderr)  # fmt: skip
    if uncovered:
        print(
            f"audit: {rel} lacks installed packages; regenerate it: python3 .ci/"
            "refresh_advisories.py --from <advisory-database clone>",
            file=sys.stderr,
        )
    print(
        f"NOTE: audited against the PyPA advisory snapshot of {day} "
        f"({_age_days(str(source.get('date', '')))} days old), not a current audit: "
        f"advisories newer than that are not known here."
    )
    if verdict.failures:
        return VULNERABLE
    return BAD_INPUT if uncovered else verdict.status


def main(argv: list[str]) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        # Lines in the order written, stdout and stderr alike, also into a CI log: the
        # snapshot's NOTE must come last.
        sys.stdout.reconfigure(line_buffering=True)
    venv = Path(argv[0]) if argv else ROOT / ".venv"
    try:
        ignores = read_ignores(IGNORE_FILE.read_text("utf-8") if IGNORE_FILE.exists() else "")
    except IgnoreFileError as exc:
        print(f"audit: {_shown(IGNORE_FILE)}: {exc}", file=sys.stderr)
        return BAD_IGNORE_FILE
    wanted = os.environ.get("P2WKSS_AUDIT_SERVICE")
    if wanted and wanted not in (*SERVICES, SNAPSHOT):
        print(f"audit: P2WKSS_AUDIT_SERVICE={wanted}: use pypi, osv or snapshot", file=sys.stderr)
        return BAD_INPUT
    tried: list[str] = []
    try:
        site = site_packages(venv)
        for service in (wanted,) if wanted else (*SERVICES, SNAPSHOT):
            if service == SNAPSHOT:
                try:
                    report = audit_snapshot(venv, site, SNAPSHOT_FILE)
                except Unavailable as exc:
                    tried.append(f"snapshot: could not be used ({exc})")
                    continue
                verdict = judge(report, ignores, snapshot=True)
            else:
                try:
                    exe = tool(venv)
                except Unavailable as exc:
                    tried.append(f"{service}: {exc}")
                    continue
                found, why = audit_with(exe, site, service)
                if found is None:
                    tried.append(f"{service}: did not answer ({why})")
                    continue
                report, verdict = found, judge(found, ignores)
            if verdict.status == NOT_AUDITED and not report.get("uncovered"):
                some = "; ".join(verdict.unaudited[:3])
                tried.append(
                    f"{service}: {len(verdict.unaudited)} of "
                    f"{len(verdict.unaudited) + verdict.audited} packages not audited ({some} …)"
                )
                continue
            if service == SNAPSHOT:
                return report_snapshot(report, verdict, tried)
            print(f"audit ({service}): {verdict.audited} packages audited")
            _show(verdict)
            return verdict.status
    except BrokenInput as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return BAD_INPUT
    banner = "!" * 78
    print(banner, file=sys.stderr)
    print("DEPENDENCY AUDIT NOT DONE: no source of advisories (a vulnerability service, "
          "the advisory snapshot) could audit every package:", file=sys.stderr)  # fmt: skip
    for line in tried:
        print(f"  {line}", file=sys.stderr)
    print("Exit status 3: an audit that could not look is not a pass.", file=sys.stderr)
    print(banner, file=sys.stderr)
    return NOT_AUDITED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
