"""The console channel driven through stdin, like a newcomer would: two stories as a real
process (a piped conversation, a bad setting), the rest through `bot.cli.main` in-process."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli, run_cli_process


def test_a_mother_registers_in_the_terminal_through_a_pipe(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    script = "/start\n1\nya\nSiti Aminah\nSumberan\n3/5\n081234567890\n1\n"
    result = run_cli_process(["chat", "--user", "demo", "--db", str(db)], stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> /start" in out and "  1. Daftar" in out
    assert "Siti Aminah sudah terdaftar" in out
    assert "Siti" not in result.stderr and "0812" not in result.stderr

    # Same database, same state: the next session knows her.
    again = run_cli_process(["chat", "--user", "demo", "--db", str(db)], stdin="menu\n")
    assert "Atas nama: Siti Aminah" in again.stdout


def test_the_default_database_is_a_sqlite_file_in_the_working_directory(tmp_path: Path) -> None:
    result = run_cli(["chat", "--user", "demo"], stdin="/start\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p2wkss.db").exists()


def test_end_of_input_right_away_exits_cleanly(tmp_path: Path) -> None:
    result = run_cli(["chat", "--db", str(tmp_path / "x.db")], stdin="")
    assert result.returncode == 0 and result.stderr == ""


def test_a_bad_setting_stops_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = run_cli_process(["chat"], env={"TIMEZONE": "Asia/Jakartaa"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_run_without_a_channel_says_what_to_set(tmp_path: Path) -> None:
    result = run_cli(["run", "--help"], cwd=tmp_path)
    assert result.returncode == 0
    result = run_cli(["run"], cwd=tmp_path, env={"TELEGRAM_BOT_TOKEN": ""})
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "p2wkss-bot chat" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_db_upgrade_then_locations_import(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    assert run_cli(["db", "upgrade", "--db", str(db)]).returncode == 0
    csv = tmp_path / "lokasi.csv"
    csv.write_text("kota,kecamatan,kelurahan,kampung\nKota Serang,Walantaka,Pipitan,Kebon\n")
    result = run_cli(["locations", "import", str(csv), "--db", str(db)])
    assert result.returncode == 0, result.stderr
    assert "1 new kampung" in result.stdout
    chat = run_cli(["chat", "--db", str(db)], stdin="daftar\nya\nSiti Aminah\n")
    assert "Kebon (Kel. Pipitan)" in chat.stdout and "Sumberan (Kel. Warung Jaud)" in chat.stdout


def test_locations_import_with_a_bad_row_imports_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ops.db"
    csv = tmp_path / "lokasi.csv"
    csv.write_text("kecamatan,kelurahan,kampung\nWalantaka,Pipitan,Kebon\nWalantaka,,Duri\n")
    result = run_cli(["locations", "import", str(csv), "--db", str(db)])
    assert result.returncode == 1
    assert "row 3: empty kelurahan" in result.stderr and "nothing imported" in result.stderr
    chat = run_cli(["chat", "--db", str(db)], stdin="daftar\nya\nSiti Aminah\n")
    assert "Kebon" not in chat.stdout


async def test_outbox_messages_for_the_console_user_appear_at_the_next_prompt(
    tmp_path: Path,
) -> None:
    from bot.app import open_app
    from bot.settings import load_settings
    from models import transaction
    from models.outbox.tables import enqueue
    from models.people.members import ensure_identity

    db = tmp_path / "outbox.db"
    first = run_cli(["chat", "--user", "siti", "--db", str(db)], stdin="/start\n")
    assert first.returncode == 0, first.stderr
    app = await open_app(load_settings(database_url=f"sqlite+aiosqlite:///{db}"))
    try:
        async with transaction(app.sessions) as s:
            identity_id = await ensure_identity(s, "console", "siti")
            other_id = await ensure_identity(s, "console", "dewi")
            for who, key in ((identity_id, "a-siti"), (other_id, "a-dewi")):
                await enqueue(
                    s,
                    identity_id=who,
                    channel="console",
                    kind="announcement",
                    params={"text": f"Posyandu besok ({key})"},
                    idempotency_key=key,
                )
    finally:
        await app.close()
    again = run_cli(["chat", "--user", "siti", "--db", str(db)], stdin="menu\n")
    out = again.stdout
    assert "Pengumuman P2WKSS" in out and "Posyandu besok (a-siti)" in out
    assert "a-dewi" not in out
    assert out.index("Posyandu besok") < out.index("> menu")
    third = run_cli(["chat", "--user", "siti", "--db", str(db)], stdin="menu\n")
    assert "Posyandu besok" not in third.stdout  # printed once, then marked sent
