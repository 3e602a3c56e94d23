"""The `p2wkss-bot` command: chat, run, worker, db upgrade/backup, locations import, broadcast,
deadline, kader, members, export, audit.

Each sub-command's parser names the coroutine that runs it (`set_defaults(handler=...)`),
so `main` only loads the settings, sets up logging and runs that one coroutine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.app import DatabaseNotReady, migrate_and_seed, open_app
from bot.cli_audit import add_audit_parser
from bot.cli_broadcast import add_broadcast_parser, run_broadcast
from bot.cli_db import add_backup_parser
from bot.cli_deadline import add_deadline_parser
from bot.cli_export import add_export_parser
from bot.cli_kader import add_kader_parser
from bot.cli_members import add_members_parser
from bot.logsetup import setup_logging
from bot.settings import ConfigError, Settings, load_settings
from models import make_engine, make_sessionmaker, transaction
from models.location import LocationFileError, import_locations, parse_locations_csv
from models.people.roles import grant_admin, revoke_admin

log = logging.getLogger("p2wkss")

# Where `p2wkss-bot chat` logs when stderr is its own terminal (WARNING and above).
CHAT_LOG = Path("p2wkss-chat.log")

# What a sub-command runs: the settings and the parsed arguments in, the exit status out.
Handler = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="a SQLite file to use instead of DATABASE_URL")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="p2wkss-bot", description="P2WKSS chatbot")
    sub = p.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (console channel)")
    chat.add_argument("--user", default="console", help="who you are in the chat (an id)")
    _db_option(chat)
    chat.add_argument(
        "--demo",
        action="store_true",
        help="a living demo on its own file (p2wkss-demo.db) with example kegiatan and an "
        "example admin (--user admin); never touches DATABASE_URL",
    )
    chat.set_defaults(handler=_chat)

    run = sub.add_parser(
        "run", help="run the configured channels (Telegram, WhatsApp) and the scheduler"
    )
    run.add_argument("--webhook", action="store_true", help="Telegram webhook instead of polling")
    run.set_defaults(handler=_run)

    worker = sub.add_parser(
        "worker",
        help="run only the scheduler (outbox dispatcher, sweeps); on SQLite this or `run`, "
        "not both",
        description="Send queued messages (announcements, reminders) and run the sweeps, "
        "without answering chats; for deployments that run `p2wkss-bot run` separately. "
        "`run` already includes the scheduler: on SQLite run one or the other, never both "
        "(SQLite has no lock between processes, so two dispatchers would double the send "
        "rate). On PostgreSQL any number may run; one dispatcher per channel is active.",
    )
    worker.set_defaults(handler=_worker)

    adm = sub.add_parser("admin", help="grant or revoke the admin role")
    adm_sub = adm.add_subparsers(dest="admin_command", required=True)
    for verb in ("add", "remove"):
        a = adm_sub.add_parser(verb, help=f"{verb} an admin by Telegram user id")
        a.add_argument("--telegram-id", type=int, required=True)
        _db_option(a)
        a.set_defaults(handler=_admin)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate the database to the newest schema")
    _db_option(up)
    up.set_defaults(handler=_db_upgrade)
    add_backup_parser(db_sub)

    loc = sub.add_parser("locations", help="places of the programme")
    loc_sub = loc.add_subparsers(dest="loc_command", required=True)
    imp = loc_sub.add_parser("import", help="add locations from a CSV file")
    imp.add_argument("file", type=Path, help="CSV with columns kota,kecamatan,kelurahan,kampung")
    _db_option(imp)
    imp.set_defaults(handler=_locations_import)

    add_broadcast_parser(sub).set_defaults(handler=run_broadcast)
    add_audit_parser(sub)
    add_deadline_parser(sub)
    add_kader_parser(sub)
    add_members_parser(sub)
    add_export_parser(sub)

    keg = sub.add_parser("kegiatan", help="kegiatan (activities)")
    keg_sub = keg.add_subparsers(dest="kegiatan_command", required=True)
    kimp = keg_sub.add_parser("import", help="load a schedule from CSV or XLSX (all or nothing)")
    kimp.add_argument("file", type=Path, help="columns: jenis, judul, opd, tempat, mulai, …")
    _db_option(kimp)
    kimp.set_defaults(handler=_kegiatan_import)

    web = sub.add_parser("web-login", help="a one-time link into the web console (/admin)")
    web.add_argument("--telegram-id", type=int, required=True, help="the admin's or kader's id")
    _db_option(web)
    web.set_defaults(handler=_web_login)
    return p


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "demo", False):
        from bot.demo import DEMO_DB

        return load_settings(database_url=f"sqlite+aiosqlite:///{DEMO_DB}")
    db_file: Path | None = getattr(args, "db", None)
    if db_file is not None:
        return load_settings(database_url=f"sqlite+aiosqlite:///{db_file}")
    return load_settings()


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.console import run_console
    from bot.demo import seed_demo

    app = await open_app(settings)
    try:
        if args.demo:
            await seed_demo(app.sessions, settings.tz)
        return await run_console(app.engine, args.user)
    finally:
        await app.close()


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.service import run_service

    return await run_service(settings, webhook=args.webhook)


async def _worker(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.worker import run_worker

    return await run_worker(settings)


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.telegram import push_commands

    verb: str = args.admin_command
    telegram_id: int = args.telegram_id
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


async def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    db = make_engine(settings.database_url)
    try:
        await migrate_and_seed(db)
    finally:
        await db.dispose()
    print("database is up to date")
    return 0


async def _locations_import(settings: Settings, args: argparse.Namespace) -> int:
    file: Path = args.file
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


async def _kegiatan_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_kegiatan import import_command

    return await import_command(settings, args.file)


async def _web_login(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_web import web_login_command

    return await web_login_command(settings, args.telegram_id)


def _secrets(settings: Settings) -> list[str]:
    """The configured secrets, which no log line may show."""
    found = (
        settings.telegram_bot_token, settings.webhook_secret, settings.whatsapp_access_token,
        settings.whatsapp_app_secret, settings.whatsapp_verify_token,
    )  # fmt: skip
    return [secret.get_secret_value() for secret in found if secret is not None]


def _setup_logging(settings: Settings, command: str) -> Path | None:
    """Set up logging for this command; returns the log file when it is not stderr."""
    secrets = _secrets(settings)
    if command != "chat":
        setup_logging(settings.log_level, secrets=secrets)
        return None
    if sys.stderr.isatty():
        # The terminal is the chat: log lines there would land between her messages.
        setup_logging("WARNING", secrets=secrets, file=CHAT_LOG)
        return CHAT_LOG
    setup_logging("WARNING", secrets=secrets)  # stderr goes elsewhere (a pipe, a file)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    # Everything the bot writes (database, WAL, MEDIA_DIR, exports, backups) is for its
    # user only; given back after the command (the tests run it in their own process).
    previous = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(previous)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    log_file = _setup_logging(settings, args.command)
    try:
        return asyncio.run(handler(settings, args))
    except (DatabaseNotReady, ConfigError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # Through the redacting log rather than Python's own traceback printer: a
        # library's exception text can hold the token.
        log.critical("p2wkss-bot %s stopped on an unexpected error", args.command, exc_info=True)
        if log_file is not None:
            why = f"{exc.__class__.__name__}; details in {log_file}"
            print(f"p2wkss-bot {args.command}: stopped on an unexpected error ({why})",
                  file=sys.stderr)  # fmt: skip
        return 1


if __name__ == "__main__":
    sys.exit(main())
