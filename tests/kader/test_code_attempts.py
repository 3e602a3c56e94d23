"""Wrong one-time codes are counted per chat (issue 9): after CODE_ATTEMPTS of them within
the window, further codes, a valid one too, are refused without being looked up, until
the window has passed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import App, open_app
from bot.settings import ConfigError, load_settings
from handlers.core.codes import typed_code
from models import ChannelIdentity
from models.base import transaction
from models.codes import AttemptLimit
from tests.support.chat import Chat
from tests.support.kader import admin_chat, code_row, invitation, member_named
from tests.support.lookups import identity


async def test_lima_kode_salah_lalu_kode_benar_pun_ditolak_sampai_jendela_lewat(app: App) -> None:
    code = await invitation(app, "Rina Marlina")
    guesser = Chat(app.engine, identity="tg-guess")
    for attempt in ("kode AAAAAAAA", "/start BBBBBBBB", "kode ../../x", "/start zz", "kode C"):
        await guesser.send(attempt)
        assert "tidak dikenal" in guesser.text
    counted = await identity(app, "tg-guess")
    assert counted.code_failures == 5 and counted.code_failures_since is not None

    await guesser.send(f"kode {code}")  # the right one, now refused unread
    assert "Coba lagi nanti" in guesser.text
    await guesser.send(f"/start {code}")
    assert "Coba lagi nanti" in guesser.text
    assert (await code_row(app, code)).used_at is None
    assert (await identity(app, "tg-guess")).code_failures == 5  # refusals are not counted

    # Another chat is not held back by this one.
    other = Chat(app.engine, identity="tg-other")
    await other.send("kode DDDDDDDD")
    assert "tidak dikenal" in other.text

    # The window passes: the count starts again and the right code works.
    async with transaction(app.sessions) as s:
        await s.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.external_id == "tg-guess")
            .values(code_failures_since=counted.code_failures_since - timedelta(minutes=61))
        )
    await guesser.send(f"kode {code}")
    await guesser.send("setuju")
    assert "Ibu sekarang kader" in guesser.text
    assert (await member_named(app, "Rina Marlina")).role == "kader"
    assert (await identity(app, "tg-guess")).code_failures == 0


async def test_expired_used_and_revoked_codes_count_as_wrong_ones(app: App) -> None:
    first = Chat(app.engine, identity="tg-first")
    used = await invitation(app, "Budi Astuti")
    await first.send(f"kode {used}")
    await first.send("setuju")
    late = Chat(app.engine, identity="tg-late")
    for _ in range(3):
        await late.send(f"kode {used}")
    assert (await identity(app, "tg-late")).code_failures == 3
    # Her own code opened again is no guess.
    await first.send(f"kode {used}")
    assert (await identity(app, "tg-first")).code_failures == 0


def test_what_counts_as_a_typed_code() -> None:
    assert typed_code("kode AB7KQ2MX") == "AB7KQ2MX"
    assert typed_code("  Kode: ab7kq2mx. ") == "ab7kq2mx"
    assert typed_code("/kode AB7KQ2MX") == "AB7KQ2MX"
    assert typed_code("code AB7KQ2MX") == "AB7KQ2MX"
    assert typed_code("kode") is None
    assert typed_code("kode pos 42111") is None
    assert typed_code("kodenya AB7KQ2MX") is None
    assert typed_code("kode " + "A" * 5000) is None


async def test_the_limit_and_the_invitation_days_come_from_the_settings(
    db_url: str, tmp_path: Path
) -> None:
    settings = load_settings(
        database_url=db_url, media_dir=tmp_path, code_attempts=2,
        code_attempt_window_minutes=5, kader_invite_days=3,
    )  # fmt: skip
    app = await open_app(settings, auto_migrate=False)
    try:
        assert app.engine.config.code_limit == AttemptLimit(2, timedelta(minutes=5))
        guesser = Chat(app.engine, identity="tg-guess")
        for _ in range(2):
            await guesser.send("kode AAAAAAAA")
        await guesser.send("kode BBBBBBBB")
        assert "Coba lagi nanti" in guesser.text
        admin = await admin_chat(app)
        await admin.send("undang kader")
        await admin.send("Rina Marlina")
        await admin.send("1")
        assert "Berlaku: 3 hari" in admin.text
    finally:
        await app.close()
    with pytest.raises(ConfigError, match="CODE_ATTEMPTS"):
        load_settings(code_attempts=0)
    with pytest.raises(ConfigError, match="KADER_INVITE_DAYS"):
        load_settings(kader_invite_days=0)
