"""Running ``p2wkss-bot`` the way a newcomer or an operator would.

``run_cli`` calls ``bot.cli.main`` in this process (stdin, stdout, stderr, the environment
and the working directory swapped for the call), which is many times faster than starting
Python; ``run_cli_process`` starts the real ``python -m bot.cli`` and is kept for the few
smoke tests that check the program as a process (exit status, a pipe on stdin).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import bot.channels.console
from bot.cli import main
from tests.support import REPO


class _Input(io.StringIO):
    """Piped input: not a terminal, like `printf '...' | p2wkss-bot chat`."""

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    """The command sets up logging for itself (root handlers and levels); give pytest's
    own logging set-up back afterwards, untouched."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    root.handlers[:] = []
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


@contextlib.contextmanager
def _console_streams(stdin: io.StringIO, stdout: io.StringIO) -> Iterator[None]:
    """The console channel binds sys.stdin and sys.stdout as default arguments when it is
    imported, so swapping sys.stdin alone would not reach it."""
    run_console = bot.channels.console.run_console
    params = inspect.signature(run_console).parameters
    assert "stdin" in params and "stdout" in params, "run_console no longer takes streams"
    streams = {"stdin": stdin, "stdout": stdout}
    defaults = tuple(
        streams.get(name, p.default) for name, p in params.items() if p.default is not p.empty
    )
    with mock.patch.object(run_console, "__defaults__", defaults):
        yield


def run_cli(
    args: list[str],
    stdin: str = "",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``p2wkss-bot ARGS`` in this process: `stdin` as piped input, in `cwd` (a fresh
    empty directory when not given, so nothing lands in the checkout), with the environment
    plus `env` and without DATABASE_URL. The result reads like a finished subprocess."""
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(env or {})
    out, err, given = io.StringIO(), io.StringIO(), _Input(stdin)
    status: list[int] = []
    failure: list[BaseException] = []

    def call() -> None:
        # A thread of its own: main() runs its own event loop (asyncio.run), and the
        # calling test may be inside one.
        try:
            status.append(main(args))
        except SystemExit as exc:  # argparse: --help, bad options
            code = exc.code
            if isinstance(code, str):
                print(code, file=sys.stderr)
            status.append(code if isinstance(code, int) else int(code is not None))
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    with contextlib.ExitStack() as stack:
        workdir = cwd or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(mock.patch.dict(os.environ, environ, clear=True))
        stack.enter_context(contextlib.chdir(workdir))
        stack.enter_context(mock.patch.object(sys, "stdin", given))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        stack.enter_context(_logging_kept())
        stack.enter_context(_console_streams(given, out))
        thread = threading.Thread(target=call, name="p2wkss-bot")
        thread.start()
        thread.join()
    if failure:
        raise failure[0]
    return subprocess.CompletedProcess(args, status[0], out.getvalue(), err.getvalue())


def run_cli_process(
    args: list[str],
    stdin: str = "",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot.cli ARGS`` as a real process."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**full_env, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
