"""`p2wkss-bot broadcast` as staff run it: the command (`bot.cli.main`) on a prepared SQLite
file, and once in-process on each test database (SQLite and PostgreSQL)."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli_broadcast import run_broadcast
from bot.settings import Settings
from handlers.core.i18n import format_datetime_local
from models import AuditEntry, make_engine, make_sessionmaker, utcnow
from models.base import transaction
from models.outbox.broadcasts import Broadcast
from models.outbox.tables import OutboxMessage
from tests.support.cli import run_cli
from tests.support.fakes.outbox import add_member, kampung_ids, link

WIB = ZoneInfo("Asia/Jakarta")


async def _populate(url: str) -> None:
    """Sumberan: two mothers sharing one phone and one with her own; Cibening: one."""
    db = make_engine(url)
    try:
        async with transaction(make_sessionmaker(db)) as s:
            place = await kampung_ids(s)
            await add_member(s, "tg-1", kampung_id=place["Sumberan"])
            await add_member(s, "tg-2", kampung_id=place["Sumberan"])
            other, _ = await add_member(s, None, kampung_id=place["Sumberan"])
            await link(s, other, "tg-2")
            await add_member(s, "tg-3", kampung_id=place["Cibening"])
    finally:
        await db.dispose()


async def _rows(url: str) -> tuple[list[Broadcast], list[OutboxMessage], list[AuditEntry]]:
    db = make_engine(url)
    try:
        async with make_sessionmaker(db)() as s:
            return (
                list(await s.scalars(select(Broadcast).order_by(Broadcast.id))),
                list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))),
                list(
                    await s.scalars(
                        select(AuditEntry).where(AuditEntry.action == "broadcast.create")
                    )
                ),
            )
    finally:
        await db.dispose()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    db = tmp_path / "cli.db"
    result = run_cli(["db", "upgrade", "--db", str(db)])
    assert result.returncode == 0, result.stderr
    asyncio.run(_populate(f"sqlite+aiosqlite:///{db}"))
    return db


def _url(db: Path) -> str:
    return f"sqlite+aiosqlite:///{db}"


def broadcast(db: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run_cli(["broadcast", *args, "--db", str(db)], **kw)


def test_send_now_to_a_kampung_prints_the_recipient_count(db_file: Path) -> None:
    text = "Besok posyandu di balai warga.\nBawa buku KIA."
    result = broadcast(db_file, "--audience", "kampung:Sumberan", "--text", text)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "broadcast 1: 2 recipients, sending now\n"
    [b], rows, [entry] = asyncio.run(_rows(_url(db_file)))
    assert (b.actor, b.status, b.created_by_member_id, b.text) == ("cli", "enqueued", None, text)
    assert len(rows) == 2 and {r.params["text"] for r in rows} == {text}
    assert (entry.actor, entry.object_id) == ("cli", "1")

    both = broadcast(db_file, "--audience", "kampung:sumberan, Cibening", "--text", "Arisan")
    assert both.stdout == "broadcast 2: 3 recipients, sending now\n", both.stderr
    everyone = broadcast(db_file, "--audience", "all", "--text", "-", stdin="Dari stdin\n")
    assert everyone.stdout == "broadcast 3: 3 recipients, sending now\n", everyone.stderr
    assert asyncio.run(_rows(_url(db_file)))[0][-1].text == "Dari stdin"


def test_at_schedules_in_the_deployment_timezone(db_file: Path) -> None:
    day = (utcnow().astimezone(WIB) + timedelta(days=2)).date()
    at = f"{day.isoformat()} 09:00"
    result = broadcast(db_file, "--audience", "ibu", "--text", "Lomba P2WKSS", "--at", at)
    assert result.returncode == 0, result.stderr
    local = datetime.combine(day, time(9), tzinfo=WIB)
    shown = format_datetime_local(local, "id", WIB)
    assert result.stdout == f"broadcast 1: 3 recipients, scheduled for {shown}\n"
    assert shown.endswith("pukul 09.00 WIB")
    [b], rows, _ = asyncio.run(_rows(_url(db_file)))
    assert (b.status, b.scheduled_at, rows) == ("scheduled", local, [])

    makassar = ZoneInfo("Asia/Makassar")
    elsewhere = broadcast(
        db_file, "--audience", "kader", "--text", "Rapat kader", "--at", at,
        env={"TIMEZONE": "Asia/Makassar"},
    )  # fmt: skip
    assert elsewhere.stdout.endswith("pukul 09.00 WITA\n"), elsewhere.stderr
    assert "0 recipients" in elsewhere.stdout
    b2 = asyncio.run(_rows(_url(db_file)))[0][-1]
    assert b2.scheduled_at == datetime.combine(day, time(9), tzinfo=makassar)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "kampung:Durian", "--text", "Halo"], "unknown or ambiguous kampung"),
        (["--audience", "kampung:Sumberan,Durian", "--text", "Halo"], "kampung: Durian"),
        (["--audience", "semua", "--text", "Halo"], "--audience 'semua' is not one of"),
        (["--audience", "inactive:0", "--text", "Halo"], "is not one of"),
        (["--audience", "all", "--text", "   "], "the text is empty"),
        (["--audience", "all", "--text", "🙏🙏"], "no words"),
        (["--audience", "all", "--text", "x" * 3001], "longer than 3000"),
        (["--audience", "all", "--text", "Halo", "--at", "2020-01-01 09:00"], "in the past"),
        (["--audience", "all", "--text", "Halo", "--at", "besok jam 9"], "is not"),
        (["--audience", "all", "--text", "Halo", "--at", "2027-02-31 09:00"], "is not"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_write_nothing(
    db_file: Path, args: list[str], message: str
) -> None:
    result = broadcast(db_file, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert asyncio.run(_rows(_url(db_file))) == ([], [], [])


async def test_the_command_on_each_database(
    settings: Settings, app: object, capsys: pytest.CaptureFixture[str]
) -> None:
    # `app` migrated and seeded this database (PostgreSQL is never migrated by a command).
    await _populate(settings.database_url)
    args = argparse.Namespace(audience="kampung:Sumberan", text="Halo semua", at=None)
    assert await run_broadcast(settings, args) == 0
    assert capsys.readouterr().out == "broadcast 1: 2 recipients, sending now\n"
    bad = argparse.Namespace(audience="kampung:Durian", text="Halo", at=None)
    assert await run_broadcast(settings, bad) == 2
    assert "Durian" in capsys.readouterr().err
    broadcasts, rows, audits = await _rows(settings.database_url)
    assert len(broadcasts) == 1 and len(rows) == 2 and len(audits) == 1
