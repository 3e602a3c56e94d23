"""The advisory snapshot the audit falls back on when no vulnerability service answers
(.ci/advisories.py reads it, .ci/refresh_advisories.py makes it): a version inside an
advisory's range is caught the way pip orders versions (a release candidate comes before
its release), one past the fix is not; a snapshot it cannot read exactly is refused, never
half-used; and the committed one covers what the lock and the test extras install."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.support import REPO


def _load(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / ".ci" / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


advisories = _load("ci_advisories", "advisories.py")
refresh = _load("ci_refresh_advisories", "refresh_advisories.py")


def _snapshot(packages: dict[str, list[dict[str, Any]]], known: list[str] | None = None) -> str:
    return json.dumps({
        "format": 1,
        "source": {"commit": "0" * 40, "date": "2024-10-10T17:35:05+00:00"},
        "advisories": packages,
        "known": sorted(packages) if known is None else known,
    })  # fmt: skip


def _advisory(ident: str, *events: dict[str, str], versions: list[str] | None = None,
              aliases: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    ranges = [{"type": "ECOSYSTEM", "events": list(events)}] if events else []
    return {"id": ident, "aliases": aliases or [],
            "affected": [{"ranges": ranges, "versions": versions or []}]}  # fmt: skip


def _one(advisory: dict[str, Any]) -> Any:
    snap = advisories.load(_snapshot({"pkg": [advisory]}))
    return snap.advisories["pkg"][0]


def _affects(advisory: Any, version: str) -> bool:
    return bool(advisory.affects(advisories.Version(version)))


def test_a_version_before_the_fix_is_caught_and_the_fix_is_named() -> None:
    adv = _one(_advisory("PYSEC-1", {"introduced": "0"}, {"fixed": "0.25.0"}))
    assert _affects(adv, "0.24.0") and _affects(adv, "0.1.0")
    assert _affects(adv, "0.25.0rc1")  # a release candidate comes before its release
    assert not _affects(adv, "0.25.0") and not _affects(adv, "1.10.0")
    assert adv.fix_versions(advisories.Version("0.24.0")) == ["0.25.0"]


def test_two_ranges_catch_both_branches_and_not_the_gap_between() -> None:
    adv = _one(_advisory(
        "PYSEC-2", {"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"},
        {"fixed": "2.0.3"},
    ))  # fmt: skip
    assert not _affects(adv, "0.9")
    assert _affects(adv, "1.0") and _affects(adv, "1.1.5")
    assert not _affects(adv, "1.5")
    assert _affects(adv, "2.0.2") and not _affects(adv, "2.0.3") and not _affects(adv, "2.1")
    assert adv.fix_versions(advisories.Version("2.0.1")) == ["2.0.3"]


def test_events_out_of_order_in_the_file_are_read_in_version_order() -> None:
    adv = _one(_advisory("PYSEC-3", {"fixed": "1.2"}, {"introduced": "1.0"}))
    assert _affects(adv, "1.1") and not _affects(adv, "0.9") and not _affects(adv, "1.2")


def test_last_affected_is_itself_affected_and_has_no_fix() -> None:
    adv = _one(_advisory("PYSEC-4", {"introduced": "0"}, {"last_affected": "1.11.0"}))
    assert _affects(adv, "1.11.0") and not _affects(adv, "1.11.1")
    assert adv.fix_versions(advisories.Version("1.11.0")) == []


def test_an_advisory_that_only_lists_versions_matches_them_as_pip_compares() -> None:
    adv = _one(_advisory("PYSEC-5", versions=["2.0", "3.1.post1"]))
    assert _affects(adv, "2.0.0") and _affects(adv, "3.1.post1")
    assert not _affects(adv, "2.0.1") and not _affects(adv, "3.1")


def test_installed_distributions_are_checked_by_normalized_name() -> None:
    snap = advisories.load(_snapshot(
        {
            "starlette": [_advisory("PYSEC-2023-48", {"introduced": "0"}, {"fixed": "0.25.0"},
                                    aliases=["CVE-2023-30798"])],
            "typing-extensions": [],
        },
        known=["starlette", "urllib3"],
    ))  # fmt: skip
    report = advisories.check(snap, [
        ("Starlette", "0.24.0"), ("typing_extensions", "4.16.0"), ("urllib3", "2.6.0"),
        ("not-in-the-database", "1.0"),
    ])  # fmt: skip
    deps = {d["name"]: d for d in report["dependencies"]}
    assert deps["starlette"]["vulns"] == [
        {"id": "PYSEC-2023-48", "aliases": ["CVE-2023-30798"], "fix_versions": ["0.25.0"]}
    ]
    assert deps["typing-extensions"]["vulns"] == []
    assert deps["not-in-the-database"]["vulns"] == []  # the database knows nothing of it
    # urllib3 has advisories in the database, but this snapshot did not copy them.
    assert report["uncovered"] == ["urllib3 2.6.0"]
    assert "urllib3" not in deps


def test_an_installed_version_pip_cannot_order_is_not_audited_silently() -> None:
    snap = advisories.load(_snapshot({"pkg": [_advisory("PYSEC-6", {"introduced": "0"})]}))
    (dep,) = advisories.check(snap, [("pkg", "not.a version!")])["dependencies"]
    assert "no PEP 440 version" in dep["skip_reason"]


GOOD = _advisory("PYSEC-7", {"introduced": "0"}, {"fixed": "1.0"})
GIT_ONLY = {
    "id": "PYSEC-11",
    "affected": [{"ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}],
}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"format": 2}), "format 1"),
        (re.sub(r'"date": "[^"]*"', '"date": ""', _snapshot({"pkg": [GOOD]})), "source"),
        (_snapshot({"pkg": [{**GOOD, "id": 7}]}), "without an id"),
        (_snapshot({"pkg": [{**GOOD, "affected": []}]}), "no affected"),
        (
            _snapshot({"pkg": [_advisory("PYSEC-8", {"introduced": "0"}, {"fixed": "1.x!"})]}),
            "not a PEP 440 version",
        ),
        (_snapshot({"pkg": [_advisory("PYSEC-9", {"fixed": "1.0"})]}), "never introduced"),
        (_snapshot({"pkg": [_advisory("PYSEC-10", {"limit": "1.0"})]}), "is not one of"),
        (_snapshot({"pkg": [GIT_ONLY]}), "ECOSYSTEM"),
        (_snapshot({"Pkg": []}), "normalized"),
        (_snapshot({"pkg": [GOOD]}, known=[]), "not in 'known'"),
    ],
)
def test_a_malformed_snapshot_is_refused_whole(text: str, why: str) -> None:
    with pytest.raises(advisories.SnapshotError, match=re.escape(why)):
        advisories.load(text)


def test_the_committed_snapshot_covers_the_lock_and_the_test_extras() -> None:
    text = (REPO / ".ci" / "advisories.json").read_text("utf-8")
    snap = advisories.load(text)
    assert re.fullmatch(r"[0-9a-f]{40}", snap.source["commit"])
    assert snap.source["date"].startswith("20")
    lock = (REPO / "requirements.lock").read_text("utf-8")
    pins = {advisories.normalize(n) for n in re.findall(r"^([A-Za-z0-9._-]+)==", lock, re.M)}
    extras = {"pytest", "pytest-asyncio", "pytest-xdist", "hypothesis", "ruff", "mypy",
              "types-openpyxl", "types-defusedxml", "selenium", "pip", "setuptools"}  # fmt: skip
    assert pins and not (pins | extras) - set(snap.advisories)
    # Starlette's multipart advisory is there: an old Starlette would be caught.
    starlette = {a.id: a for a in snap.advisories["starlette"]}
    assert starlette["PYSEC-2023-48"].affects(advisories.Version("0.24.0"))
    assert refresh.dump(json.loads(text)) == text  # as the refresh writes it, unedited


def _git(repo: Path, *args: str) -> None:
    when = "2024-10-10T17:35:05+00:00"
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "PATH": os.environ["PATH"],
           "HOME": str(repo)}  # fmt: skip
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_the_refresh_reads_the_database_at_a_commit_and_records_it(tmp_path: Path) -> None:
    db = tmp_path / "advisory-database"
    starlette = _advisory("PYSEC-2023-48", {"introduced": "0"}, {"fixed": "0.25.0"})
    starlette["affected"][0]["package"] = {"ecosystem": "PyPI", "name": "starlette"}
    records = {
        "vulns/starlette/PYSEC-2023-48.yaml": starlette,
        "vulns/other/PYSEC-2024-1.yaml": {"id": "PYSEC-2024-1", "details": "Both. Really.",
            "affected": [
                {"package": {"ecosystem": "PyPI", "name": "Other"},
                 "ranges": [{"type": "GIT", "events": [{"introduced": "0"}]},
                            {"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]},
                {"package": {"ecosystem": "PyPI", "name": "h11"}, "versions": ["0.13.0"]},
                {"package": {"ecosystem": "npm", "name": "pip"}, "versions": ["1.0"]},
            ]},
        "vulns/pip/PYSEC-2020-1.yaml": {**_advisory("PYSEC-2020-1", versions=["1.0"]),
                                        "withdrawn": "2020-02-02T00:00:00Z"},
    }  # fmt: skip
    for path, record in records.items():
        (db / path).parent.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: a stand-in reader below, since PyYAML need not be in this venv.
        (db / path).write_text(json.dumps(record), "utf-8")
    _git(db.parent, "init", "-q", str(db))
    _git(db, "add", ".")
    _git(db, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "records")
    reader = SimpleNamespace(SafeLoader=None, load=lambda text, Loader: json.loads(text))
    snap = refresh.build(db, "HEAD", {"starlette", "h11", "pip", "jinja2"}, reader)

    loaded = advisories.load(refresh.dump(snap))
    assert len(loaded.source["commit"]) == 40 and loaded.source["date"].startswith("2024-10-10")
    assert [a.id for a in loaded.advisories["starlette"]] == ["PYSEC-2023-48"]
    assert [a.id for a in loaded.advisories["h11"]] == ["PYSEC-2024-1"]  # its part only
    # pip's only record was withdrawn (and npm's "pip" is another package); jinja2 has none.
    assert loaded.advisories["pip"] == () and loaded.advisories["jinja2"] == ()
    assert "other" not in loaded.advisories  # nothing here installs it
    assert snap["known"] == ["h11", "other", "starlette"]
    assert snap["advisories"]["h11"][0]["summary"] == "Both."
