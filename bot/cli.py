"""The `p2wkss-bot` command: chat, run, worker, db upgrade, locations import, broadcast."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import DatabaseNotReady, migrate_and_seed, open_app
from bot.cli_broadcast import add_broadcast_parser, run_broadcast
from bot.logsetup import setup_logging
from bot.settings import ConfigError, Settings, load_settings
from models import make_engine, make_sessionmaker, transaction
from models.location import LocationFileError, import_locations, parse_locations_csv
from models.people.roles import grant_admin, revoke_admin

log = logging.getLogger("p2wkss")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="p2wkss-bot", description="P2WKSS chatbot")
    sub = p.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (console channel)")
    chat.add_argument("--user", default="console", help="who you are in the chat (an id)")
    chat.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")
    chat.add_argument(
        "--demo",
        action="store_true",
        help="a living demo on its own file (p2wkss-demo.db) with example kegiatan and an "
        "example admin (--user admin); never touches DATABASE_URL",
    )

    run = sub.add_parser(
        "run", help="run the configured channels (Telegram, WhatsApp) and the scheduler"
    )
    run.add_argument("--webhook", action="store_true", help="Telegram webhook instead of polling")

    sub.add_parser(
        "worker",
        help="run only the scheduler (outbox dispatcher, sweeps); on SQLite this or `run`, "
        "not both",
        description="Send queued messages (announcements, reminders) and run the sweeps, "
        "without answering chats; for deployments that run `p2wkss-bot run` separately. "
        "`run` already includes the scheduler: on SQLite run one or the other, never both "
        "(SQLite has no lock between processes, so two dispatchers would double the send "
        "rate). On PostgreSQL any number may run; one dispatcher per channel is active.",
    )

    adm = sub.add_parser("admin", help="grant or revoke the admin role")
    adm_sub = adm.add_subparsers(dest="admin_command", required=True)
    for verb in ("add", "remove"):
        a = adm_sub.add_parser(verb, help=f"{verb} an admin by Telegram user id")
        a.add_argument("--telegram-id", type=int, required=True)
        a.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate the database to the newest schema")
    up.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")

    loc = sub.add_parser("locations", help="places of the programme")
    loc_sub = loc.add_subparsers(dest="loc_command", required=True)
    imp = loc_sub.add_parser("import", help="add locations from a CSV file")
    imp.add_argument("file", type=Path, help="CSV with columns kota,kecamatan,kelurahan,kampung")
    imp.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")

    add_broadcast_parser(sub)

    keg = sub.add_parser("kegiatan", help="kegiatan (activities)")
    keg_sub = keg.add_subparsers(dest="kegiatan_command", required=True)
    kimp = keg_sub.add_parser("import", help="load a schedule from CSV or XLSX (all or nothing)")
    kimp.add_argument("file", type=Path, help="columns: jenis, judul, opd, tempat, mulai, …")
    kimp.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "demo", False):
        from bot.demo import DEMO_DB

        return load_settings(database_url=f"sqlite+aiosqlite:///{DEMO_DB}")
    db_file: Path | None = getattr(args, "db", None)
    if db_file is not None:
        return load_settings(database_url=f"sqlite+aiosqlite:///{db_file}")
    return load_settings()


async def _chat(settings: Settings, user: str, demo: bool) -> int:
    from bot.channels.console import run_console
    from bot.demo import seed_demo

    app = await open_app(settings)
    try:
        if demo:
            await seed_demo(app.sessions, settings.tz)
        return await run_console(app.engine, user)
    finally:
        await app.close()


async def _run(settings: Settings, webhook: bool) -> int:
    from bot.service import run_service

    return await run_service(settings, webhook=webhook)


async def _worker(settings: Settings) -> int:
    from bot.worker import run_worker

    return await run_worker(settings)


async def _admin(settings: Settings, verb: str, telegram_id: int) -> int:
    from bot.channels.telegram import push_commands

    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            if verb == "add":
                changed = await grant_admin(session, "telegram", str(telegram_id), actor="cli")
            else:
                changed = await revoke_admin(session, "telegram", str(telegram_id), actor="cli")
    finally:
        await app.close()
    done = {"add": "is now an admin", "remove": "is no longer an admin"}[verb]
    print(f"telegram user {telegram_id} {done}" if changed else "nothing to change")
    if changed and settings.telegram_bot_token is not None:
        await push_commands(settings, telegram_id, "admin" if verb == "add" else "ibu")
    return 0


async def _db_upgrade(settings: Settings) -> int:
    db = make_engine(settings.database_url)
    try:
        await migrate_and_seed(db)
    finally:
        await db.dispose()
    print("database is up to date")
    return 0


async def _locations_import(settings: Settings, file: Path) -> int:
    try:
        rows = parse_locations_csv(await asyncio.to_thread(file.read_text, "utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {file}: {exc.__class__.__name__}", file=sys.stderr)
        return 1
    except LocationFileError as exc:
        print(f"{file}: nothing imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    app = await open_app(settings)
    try:
        async with transaction(make_sessionmaker(app.db)) as session:
            added = await import_locations(session, rows)
    finally:
        await app.close()
    print(f"imported {len(rows)} row(s); {added} new kampung")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.log_level if args.command != "chat" else "WARNING")
    try:
        if args.command == "chat":
            return asyncio.run(_chat(settings, args.user, args.demo))
        if args.command == "run":
            return asyncio.run(_run(settings, args.webhook))
        if args.command == "worker":
            return asyncio.run(_worker(settings))
        if args.command == "admin":
            return asyncio.run(_admin(settings, args.admin_command, args.telegram_id))
        if args.command == "db":
            return asyncio.run(_db_upgrade(settings))
        if args.command == "locations":
            return asyncio.run(_locations_import(settings, args.file))
        if args.command == "kegiatan":
            from bot.cli_kegiatan import import_command

            return asyncio.run(import_command(settings, args.file))
        if args.command == "broadcast":
            return asyncio.run(run_broadcast(settings, args))
    except (DatabaseNotReady, ConfigError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
