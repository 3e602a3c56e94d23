"""Redaction covers the whole log line: the message, a traceback and a stack, and the
secrets the program was configured with whatever their shape."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from telegram.error import InvalidToken

from bot.logsetup import RedactingFormatter, setup_logging

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # Telegram's shape, not a real one
ODD = "42:odd-shaped"  # a configured secret the token pattern would not catch
PHONE = "081234567890"


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """setup_logging on a stream of our own; pytest's logging set-up is given back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    setup_logging("INFO", secrets=[ODD], stream=stream)
    try:
        yield stream
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        root.handlers[:] = handlers
        root.setLevel(level)


def refuse() -> None:
    try:
        raise InvalidToken("Unauthorized")
    except InvalidToken as exc:  # PTB's own words, quoting the token
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.") from exc


def test_a_traceback_is_redacted_like_the_message(logged: io.StringIO) -> None:
    log = logging.getLogger("p2wkss.test")
    try:
        refuse()
    except InvalidToken:
        log.exception("start failed for %s", PHONE)
    try:
        raise RuntimeError(f"GET https://api.telegram.org/bot{ODD}/getMe for {PHONE}")
    except RuntimeError:
        log.error("request failed", exc_info=True)
    out = logged.getvalue()
    assert "Traceback" in out and "InvalidToken" in out and "<token>" in out
    assert "<secret>" in out and "<phone>" in out
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert ODD not in out and PHONE not in out


def test_a_stack_is_redacted(logged: io.StringIO) -> None:
    # A stack shows source lines, and a script may have the token written in one.
    record = logging.LogRecord(
        "p2wkss.test", logging.WARNING, __file__, 1, "where am I", None, None,
        sinfo=f'Stack (most recent call last):\n  File "run.py", line 3\n    Bot("{TOKEN}")',
    )  # fmt: skip
    logging.getLogger("p2wkss.test").handle(record)
    out = logged.getvalue()
    assert "Stack (most recent call last)" in out and "where am I" in out
    assert TOKEN not in out and 'Bot("<token>")' in out


def test_the_formatter_redacts_each_part_on_its_own() -> None:
    formatter = RedactingFormatter(secrets=[ODD])
    try:
        refuse()
    except InvalidToken:
        info = sys.exc_info()
    text = formatter.formatException(info)
    assert "The token `<token>` was rejected" in text and TOKEN not in text
    assert ODD not in formatter.formatStack(f"  File 'x', line 1\n    call('{ODD}')")
    # Another handler may have cached the traceback unredacted; the line is still clean.
    record = logging.LogRecord("p2wkss", logging.ERROR, __file__, 1, "boom", None, info)
    record.exc_text = f"Traceback … {TOKEN}"
    assert TOKEN not in formatter.format(record)
