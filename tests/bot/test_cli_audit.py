"""What an operator does at the server lands in the audit trail, and `p2wkss-bot audit`
shows it: an admin granted and removed, a kader invitation made and revoked, an
announcement, an export — each with who (the command line) and what, no names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.support.cli import run_cli


def test_a_day_at_the_server_is_in_the_audit_trail(tmp_path: Path, sqlite_template: Path) -> None:
    db = tmp_path / "p2wkss.db"
    shutil.copyfile(sqlite_template, db)
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db}", "MEDIA_DIR": str(tmp_path / "media")}

    def cli(*args: str) -> str:
        done = run_cli(list(args), env=env, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    cli("admin", "add", "--telegram-id", "6200000001")
    invited = cli("kader", "invite", "--name", "Rina Kader", "--kampung", "Sumberan")
    code = re.search(r"kode (\S+)", invited)
    assert code is not None, invited
    cli("kader", "revoke", code.group(1))
    cli("broadcast", "--audience", "all", "--text", "Posyandu Sabtu jam 9")
    cli("export", "members", "--out", str(tmp_path / "warga.xlsx"))
    cli("admin", "remove", "--telegram-id", "6200000001")

    trail = cli("audit", "--days", "1").splitlines()
    actions = [line.split("  ")[2] for line in trail[:-1]]
    assert actions == [  # newest first
        "role.revoke", "export.members", "broadcast.create", "kader.invite_revoke",
        "kader.invite", "role.grant",
    ]  # fmt: skip
    assert all(line.split("  ")[1] == "cli" for line in trail[:-1])
    assert trail[-1] == "6 entries in the last 1 day(s) (role, broadcast, export)"
    assert "Rina" not in "\n".join(trail) and "6200000001" not in "\n".join(trail)
    assert "broadcast" not in cli("audit", "--kind", "export")
