"""Console channel: the bot in a terminal, for demos and development.

Reads stdin line by line (a pipe works as well as a terminal, so a conversation can be
scripted) and prints replies with menus as numbered lists. Same handlers, same database
and same state as the other channels. Messages the outbox holds for this console user
(announcements, promotions, change notices) are printed at the next prompt; during quiet
hours announcements wait there, as the dispatcher holds them for the other channels,
while reminders and urgent notices still come. Log lines never come here: `p2wkss-bot
chat` sends them elsewhere (see `bot.cli`).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import TextIO

from handlers.core.engine import Engine
from handlers.core.types import Incoming, Kind, Reply

CHANNEL = "console"


def render(reply: Reply) -> str:
    lines = [reply.text] if reply.text or reply.voice is None else []
    lines += [f"  {i}. {c.label}" for i, c in enumerate(reply.choices, start=1)]
    if reply.document is not None:
        lines.append(f"  [dokumen: {reply.document_name or reply.document.name}]")
    if reply.photo is not None:
        lines.append(f"  [foto: {reply.photo.name}]")
    if reply.voice is not None:
        lines.append(f"  [suara: {reply.voice.name}, {_seconds(reply.voice)} detik]")
    return "\n".join(lines)


def _seconds(voice: Path) -> int:
    """How long a voice note lasts, in whole seconds (at least 1)."""
    import soundfile  # type: ignore[import-untyped]  # only when there is a voice note

    try:
        seconds: float = soundfile.info(str(voice)).duration
    except (OSError, RuntimeError):  # deleted meanwhile, or not audio
        return 0
    return max(1, round(seconds))


async def _due(engine: Engine, user: str) -> list[Reply]:
    """Her due outbox messages, marked sent; announcements wait out the quiet hours."""
    return await engine.take_outbox(CHANNEL, user)


async def run_console(
    engine: Engine, user: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    interactive = stdin.isatty()
    if interactive:
        print("p2wkss-bot (konsol). Ketik /start untuk mulai, Ctrl-D untuk keluar.", file=stdout)
    while True:
        for reply in await _due(engine, user):
            print(render(reply), file=stdout)
            print(file=stdout, flush=True)
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return 0
        text = line.rstrip("\r\n")
        if not interactive:
            print(f"> {text}", file=stdout)
        incoming = Incoming(
            channel=CHANNEL,
            identity=user,
            message_id=f"{user}:{uuid.uuid4().hex}",
            kind=Kind.TEXT,
            text=text,
            sender_id=user,
        )
        for reply in await engine.handle(incoming):
            print(render(reply), file=stdout)
        print(file=stdout, flush=True)
