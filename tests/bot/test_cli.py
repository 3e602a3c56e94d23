"""`p2wkss-bot`'s dispatch: every sub-command's parser names the coroutine that runs it."""

from __future__ import annotations

import argparse
import inspect
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings

COMMANDS = [
    ["chat"],
    ["run"],
    ["worker"],
    ["admin", "add", "--telegram-id", "1"],
    ["admin", "remove", "--telegram-id", "1"],
    ["db", "upgrade"],
    ["locations", "import", "lokasi.csv"],
    ["kegiatan", "import", "jadwal.csv"],
    ["broadcast", "--audience", "all", "--text", "Halo"],
    ["members", "import", "kk.csv", "--dry-run"],
    ["export", "kegiatan", "--out", "kegiatan.csv", "--sep", ";"],
    ["export", "penilaian", "--out", "penilaian.xlsx", "--photos", "foto.zip"],
    ["web-login", "--telegram-id", "1"],
]


def leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser that takes no further sub-command, with the words that reach it."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from leaves(child, (*path, name))


def test_every_sub_command_names_its_handler() -> None:
    found = {path: p.get_default("handler") for path, p in leaves(cli._parser())}
    assert set(found) == {
        ("chat",), ("run",), ("worker",), ("admin", "add"), ("admin", "remove"),
        ("db", "upgrade"), ("db", "backup"), ("locations", "import"), ("kegiatan", "import"),
        ("broadcast",), ("audit",),
        ("deadline", "add"), ("deadline", "edit"), ("deadline", "list"),
        ("deadline", "delete"), ("kader", "invite"), ("kader", "list"), ("kader", "revoke"),
        ("kader", "remove"), ("members", "import"), ("members", "link-code"),
        ("members", "template"), ("export", "members"), ("export", "kegiatan"),
        ("export", "laporan"), ("export", "deliveries"), ("export", "penilaian"),
        ("web-login",),
    }  # fmt: skip
    missing = [" ".join(path) for path, handler in found.items() if handler is None]
    assert not missing, f"sub-commands without a handler: {missing}"
    for argv in COMMANDS:
        args = cli._parser().parse_args(argv)
        assert inspect.iscoroutinefunction(args.handler), argv


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
def test_main_runs_the_handler_the_parser_names_with_the_settings(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """main() only loads settings, sets up logging and runs the named coroutine."""
    ran: list[tuple[Settings, argparse.Namespace]] = []

    async def handler(settings: Settings, args: argparse.Namespace) -> int:
        ran.append((settings, args))
        return 7

    real_parser = cli._parser

    def parser() -> argparse.ArgumentParser:
        p = real_parser()
        for _, leaf in leaves(p):
            leaf.set_defaults(handler=handler)
        return p

    monkeypatch.setattr(cli, "_parser", parser)
    monkeypatch.setattr(cli, "setup_logging", lambda *a, **kw: None)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # nothing may land in the repository, whatever runs
    assert cli.main(argv) == 7
    [(settings, args)] = ran
    assert isinstance(settings, Settings) and args.command == argv[0]


@pytest.fixture
def logging_kept() -> Iterator[None]:
    """main() sets up logging for itself; give pytest's own set-up back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.usefixtures("logging_kept")
def test_an_unexpected_error_is_logged_redacted_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token = "42:odd-shaped"  # no pattern would know it; it is the configured token

    async def boom(_settings: Settings, _args: argparse.Namespace) -> int:
        raise RuntimeError(f"POST http://127.0.0.1/bot{token}/getMe went wrong")

    monkeypatch.setattr(cli, "_worker", boom)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["worker"]) == 1
    out, err = capsys.readouterr()
    assert "stopped on an unexpected error" in err and "RuntimeError" in err
    assert "/bot<secret>/getMe" in err
    assert token not in out + err
