"""Logging set-up: plain lines to stderr (or a file), with personal data and tokens kept out.

Our own code logs ids and kinds only; redaction is a second fence for text that comes from
libraries (httpx logs request URLs, and a Telegram URL holds the bot token; PTB's
`InvalidToken` message quotes the token). It applies to the whole formatted record: the
message, an exception's traceback (`exc_info`) and a stack (`stack_info`). Besides the
patterns below, the secrets the program was configured with (the bot token, the webhook
secret) are replaced wherever they appear, whatever their shape.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TextIO

_PATTERNS = (
    (re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}"), "<token>"),
    (re.compile(r"(?<![\w])(?:\+?62|0)8\d{7,12}(?!\d)"), "<phone>"),
)
SECRET = "<secret>"  # noqa: S105 (what a configured secret is replaced with)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log every request URL (Telegram URLs carry the token) or whole updates
# (names, phone numbers) below WARNING.
NOISY = ("httpx", "httpcore", "hpack", "telegram", "apscheduler", "aiosqlite", "asyncio")

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    # Longest first, so a secret that contains another is replaced whole.
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, SECRET)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output is redacted: message, traceback and stack alike.

    `format` redacts the finished text, not only the parts, because `logging.Formatter`
    caches a record's traceback in `record.exc_text` and another handler may have cached
    it unredacted."""

    def __init__(self, fmt: str = FORMAT, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)

    def formatException(self, ei: _ExcInfo) -> str:
        return redact(super().formatException(ei), self.secrets)

    def formatStack(self, stack_info: str) -> str:
        return redact(super().formatStack(stack_info), self.secrets)


class RedactingFilter(logging.Filter):
    """Redacts the message itself, for whatever else reads the record after our handler."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(
    level: str = "INFO",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    file: Path | None = None,
) -> None:
    """Send log records to `file` (created when the first line is written) or else to
    `stream` (stderr by default), redacted."""
    secrets = tuple(s for s in secrets if s)
    handler: logging.Handler
    if file is not None:
        handler = logging.FileHandler(file, encoding="utf-8", delay=True)
    else:
        handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets=secrets))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        if isinstance(old, logging.FileHandler):
            old.close()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
