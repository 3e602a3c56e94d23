"""`p2wkss-bot deadline add|list|delete` on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    db = tmp_path / "cli.db"
    result = run_cli(["db", "upgrade", "--db", str(db)])
    assert result.returncode == 0, result.stderr
    return db


def deadline(db: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli(["deadline", *args, "--db", str(db)])
    return result.returncode, result.stdout, result.stderr


def test_add_list_and_delete(db_file: Path) -> None:
    code, out, err = deadline(
        db_file, "add", "--title", "Penilaian P2WKSS tingkat kota", "--due", "2027-03-15",
        "--prepare", "Profil kampung",
    )  # fmt: skip
    assert code == 0, err
    assert out == "deadline 1 added: Penilaian P2WKSS tingkat kota due 2027-03-15\n"
    code, out, err = deadline(
        db_file, "add", "--title", "Laporan bulanan kader", "--due", "2027-01-25",
        "--audience", "kampung:Sumberan", "--remind", "3, 1", "--monthly-day", "25",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = deadline(db_file, "list")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("2\tLaporan bulanan kader\tdue 2027-01-25 monthly on day 25")
    assert "for Sumberan\tremind 3,1" in lines[0]
    assert "for admin\tremind 30,7,1" in lines[1]
    code, out, err = deadline(
        db_file, "edit", "1", "--due", "2027-04-01", "--remind", "14,2", "--audience", "kader",
    )  # fmt: skip
    assert (code, out) == (0, "deadline 1 changed\n"), err
    code, out, _ = deadline(db_file, "edit", "2", "--one-off", "--title", "Laporan kader")
    assert code == 0
    lines = deadline(db_file, "list")[1].splitlines()
    assert lines[0].startswith("2\tLaporan kader\tdue 2027-01-25\t")
    assert lines[1].startswith("1\tPenilaian P2WKSS tingkat kota\tdue 2027-04-01\t")
    assert "for kader\tremind 14,2" in lines[1]
    assert deadline(db_file, "edit", "9", "--title", "X")[0] == 2
    assert deadline(db_file, "delete", "2")[:2] == (0, "deadline 2 deleted\n")
    assert len(deadline(db_file, "list")[1].splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--due", "15-03-2027"], "--due must be a date"),
        (["--due", "2027-03-15", "--remind", "tiga"], "--remind must be days"),
        (["--due", "2027-03-15", "--audience", "kampung:Atlantis"], "unknown_kampung"),
        (["--due", "2027-03-15", "--audience", "lurah"], "audience"),
    ],
)
def test_bad_options_exit_2_and_add_nothing(db_file: Path, args: list[str], says: str) -> None:
    code, _, err = deadline(db_file, "add", "--title", "X", *args)
    assert code == 2 and says in err.splitlines()[-1]
    assert deadline(db_file, "list")[1] == "no deadlines\n"
    assert deadline(db_file, "delete", "9")[0] == 2
