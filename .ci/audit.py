#!/usr/bin/env python3
"""Dependency audit for .ci/run: pip-audit over everything installed in the project's venv.

    python3 .ci/audit.py [VENV]          (VENV defaults to .venv)

pip-audit is installed into a venv of its own (VENV/.pip-audit), so the audited venv holds
only the project's packages. The advisories come from PyPI's JSON API (`pypi`), else from
OSV (`osv`); P2WKSS_AUDIT_SERVICE=pypi|osv asks for one only.

Exit status:
  0  every installed package was audited; no advisory other than those accepted in
     .ci/audit-ignore.txt
  1  a known vulnerability not accepted there (with its fixed versions when there are any:
     raise the floor in pyproject.toml, regenerate requirements.lock; else review it and
     add it to the ignore file with a reason)
  2  the ignore file is malformed (an entry without a reason)
  3  no vulnerability service answered for every package: NOT AUDITED. This fails on
     purpose; an audit that could not look is not a pass.

Only the standard library here: it runs before anything else is known to work.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.txt"
PIP_AUDIT = "pip-audit>=2.7,<3"
SERVICES = ("pypi", "osv")
OK, VULNERABLE, BAD_IGNORE_FILE, NOT_AUDITED = 0, 1, 2, 3
# An advisory id as pip-audit prints them: PYSEC-2024-1, GHSA-xxxx-xxxx-xxxx, CVE-2024-1.
ADVISORY = re.compile(r"^(PYSEC|GHSA|CVE|OSV|BIT|PVE)-[A-Za-z0-9-]+$")


class IgnoreFileError(Exception):
    pass


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


def judge(report: dict[str, Any], ignores: dict[str, str]) -> Verdict:
    """What pip-audit's JSON report means for CI."""
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
                verdict.failures.append(
                    f"{what}, no fixed version yet: review it and list it in "
                    f"{IGNORE_FILE.relative_to(ROOT)} with the reason it is safe"
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
                sys.exit(f"audit: cannot install pip-audit:\n{done.stdout}{done.stderr}")
    return exe


def site_packages(venv: Path) -> str:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    done = _run([str(venv / "bin" / "python"), "-c", code])
    if done.returncode != 0:
        sys.exit(f"audit: {venv} is no Python venv")
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


def main(argv: list[str]) -> int:
    venv = Path(argv[0]) if argv else ROOT / ".venv"
    try:
        ignores = read_ignores(IGNORE_FILE.read_text("utf-8") if IGNORE_FILE.exists() else "")
    except IgnoreFileError as exc:
        print(f"audit: {IGNORE_FILE.relative_to(ROOT)}: {exc}", file=sys.stderr)
        return BAD_IGNORE_FILE
    exe, site = tool(venv), site_packages(venv)
    wanted = os.environ.get("P2WKSS_AUDIT_SERVICE")
    tried: list[str] = []
    for service in (wanted,) if wanted else SERVICES:
        report, why = audit_with(exe, site, service)
        if report is None:
            tried.append(f"{service}: did not answer ({why})")
            continue
        verdict = judge(report, ignores)
        if verdict.status == NOT_AUDITED:
            some = "; ".join(verdict.unaudited[:3])
            tried.append(
                f"{service}: {len(verdict.unaudited)} of "
                f"{len(verdict.unaudited) + verdict.audited} packages not audited ({some} …)"
            )
            continue
        print(f"audit ({service}): {verdict.audited} packages audited")
        for line in verdict.accepted:
            print(f"  accepted  {line}")
        for ident in verdict.unused:
            print(f"  note: {ident} in the ignore file matched nothing; remove it if fixed")
        for line in verdict.failures:
            print(f"  VULNERABLE  {line}", file=sys.stderr)
        if verdict.failures:
            print("audit: known vulnerabilities (see above)", file=sys.stderr)
        return verdict.status
    banner = "!" * 78
    print(banner, file=sys.stderr)
    print("DEPENDENCY AUDIT NOT DONE: no vulnerability service answered for every package.",
          file=sys.stderr)  # fmt: skip
    for line in tried:
        print(f"  {line}", file=sys.stderr)
    print("Exit status 3: an audit that could not look is not a pass.", file=sys.stderr)
    print(banner, file=sys.stderr)
    return NOT_AUDITED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
