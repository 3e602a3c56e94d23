"""`p2wkss-bot members import|link-code|template`, on the test's database (SQLite, and
PostgreSQL when TEST_POSTGRES_URL is set), with the chat on the same database."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from models import Member
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.kader import member_named
from tests.support.sheets import HEADER, csv_file, far_corner_cell, rewrite_sheet, xlsx

CODE = re.compile(r"^or type in any chat: kode ([A-Z2-9]{8})$", re.MULTILINE)
ROWS = [
    HEADER,
    ("Siti Aminah", "Sumberan", 3, 5, "0812-3456-7890", "Melati", "ibu"),
    ("Rina Marlina", "Cibening", 1, 2, "", "", "kader"),
    ("Yuli", "Sumberan", 1, 1, "+62 21 555 0000", "", "ibu"),  # a landline
]


async def members(db_url: str, *args: str, **env: str) -> tuple[int, str, str]:
    result = await asyncio.to_thread(
        run_cli, ["members", *args], env={"DATABASE_URL": db_url, **env}
    )
    return result.returncode, result.stdout, result.stderr


async def names(app: App) -> list[str]:
    async with app.sessions() as s:
        return [n or "" for n in await s.scalars(select(Member.full_name).order_by(Member.id))]


async def test_dry_run_then_a_bad_row_stops_the_import_and_skip_bad_goes_on(
    app: App, db_url: str, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "kk.csv", ROWS)
    status, out, err = await members(db_url, "import", str(path), "--dry-run")
    assert status == 1
    assert f"{path}: 3 row(s) of data (header in row 1)\n" in out
    assert "  would add 2: 1 ibu, 1 kader\n" in out
    assert "  bad rows (1):\n    row 4, no HP: not a mobile number: '+62 21 555 0000'\n" in out
    assert "use --skip-bad" in err and await names(app) == []

    status, out, err = await members(db_url, "import", str(path))
    assert status == 1 and "not added 2" in out and "nothing imported" in err
    assert await names(app) == []

    status, out, err = await members(db_url, "import", str(path), "--skip-bad", "--dry-run")
    assert status == 0 and "dry run: nothing changed" in out and await names(app) == []

    status, out, err = await members(db_url, "import", str(path), "--skip-bad")
    assert status == 0, err
    assert "  added 2: 1 ibu, 1 kader\n" in out and "bad rows skipped: 1" in out
    assert await names(app) == ["Siti Aminah", "Rina Marlina"]

    status, out, _ = await members(db_url, "import", str(path), "--skip-bad")
    assert status == 0 and "  added 0: 0 ibu, 0 kader\n" in out
    assert "row 2: Siti Aminah: already registered" in out and "row 3: Rina Marlina" in out
    assert await names(app) == ["Siti Aminah", "Rina Marlina"]


async def test_a_nik_column_is_reported_and_a_hostile_file_refused(
    app: App, db_url: str, tmp_path: Path
) -> None:
    with_nik = xlsx(tmp_path / "nik.xlsx", [("NIK", *HEADER), ("3604011234560001", *ROWS[1])])
    status, out, err = await members(db_url, "import", str(with_nik))
    assert status == 0, err
    assert "  columns ignored, not stored: NIK\n" in out
    bomb = rewrite_sheet(xlsx(tmp_path / "bom.xlsx", ROWS[:2]), far_corner_cell)
    status, out, err = await members(db_url, "import", str(bomb))
    assert status == 1 and "nothing imported: too many rows" in err
    pdf = tmp_path / "kk.csv"
    pdf.write_bytes(b"%PDF-1.7 not a list")
    status, _, err = await members(db_url, "import", str(pdf))
    assert status == 1 and "not a spreadsheet" in err
    status, _, err = await members(db_url, "import", str(with_nik), IMPORT_MAX_MB="0.001")
    assert status == 1 and "too large" in err
    status, _, err = await members(db_url, "import", str(tmp_path / "tidak-ada.csv"))
    assert status == 1 and "no such file" in err
    assert await names(app) == ["Siti Aminah"]


async def test_link_code_for_an_imported_member_is_typed_in_her_chat(
    app: App, db_url: str, tmp_path: Path
) -> None:
    await members(db_url, "import", str(csv_file(tmp_path / "kk.csv", ROWS[:3])))
    siti = await member_named(app, "Siti Aminah")
    status, out, err = await members(
        db_url, "link-code", "--member", str(siti.id), TELEGRAM_BOT_USERNAME="p2wkss_bot"
    )
    assert status == 0, err
    assert out.startswith("code for Siti Aminah (Sumberan, RT 003/RW 005): ")
    [code] = CODE.findall(out)
    assert f"link: https://t.me/p2wkss_bot?start={code}\n" in out
    chat = Chat(app.engine, identity="tg-siti")
    await chat.send(f"/start {code}")
    await chat.send("ya")
    assert "Terima kasih, Ibu Siti Aminah" in chat.text
    status, _, err = await members(db_url, "link-code", "--member", str(siti.id))
    assert status == 2 and "has a chat already" in err
    status, _, err = await members(db_url, "link-code", "--member", "999999")
    assert status == 2 and "no member 999999" in err


async def test_the_template_is_written_as_xlsx_or_csv(db_url: str, tmp_path: Path) -> None:
    status, out, err = await members(db_url, "template", "--out", str(tmp_path / "kk.xlsx"))
    assert status == 0 and "template written to" in out, err
    sheet = load_workbook(tmp_path / "kk.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert sheet.freeze_panes == "A2"
    status, _, _ = await members(db_url, "template", "--out", str(tmp_path / "kk.csv"))
    assert status == 0
    assert (tmp_path / "kk.csv").read_text("utf-8").startswith(",".join(HEADER))
    status, _, err = await members(db_url, "template", "--out", str(tmp_path / "kk.pdf"))
    assert status == 2 and ".xlsx or .csv" in err
