"""Shared test helpers; test modules import from here, never from each other.

- ``chat``: the ``Chat`` driver (a channel's view of the engine), ``register``, ``mothers``
- ``lookups``: reading a chat's conversation state or channel identity from the database
- ``cli``: running ``p2wkss-bot`` as a newcomer would
- ``telegram_harness``: a Telegram user driving the real channel against the fake Bot API
- ``fakes/``: the fake Telegram Bot API server, a virtual clock, outbox and kegiatan set-up
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
