"""`p2wkss-bot`'s dispatch: every sub-command's parser names the coroutine that runs it."""

from __future__ import annotations

import argparse
import inspect
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
        ("db", "upgrade"), ("locations", "import"), ("kegiatan", "import"), ("broadcast",),
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
