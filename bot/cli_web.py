"""`p2wkss-bot web-login --telegram-id N`: print a one-time link into the web console for
that chat's admin or kader (valid 10 minutes, used by the "Masuk" button)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import open_app
from bot.settings import Settings
from models.base import transaction
from models.people.members import household
from models.people.tables import ChannelIdentity
from models.web_login import is_staff, new_login_code


async def web_login_command(settings: Settings, telegram_id: int) -> int:
    if not settings.web_base_url:
        print("set WEB_BASE_URL first (the web console's address)", file=sys.stderr)
        return 2
    app = await open_app(settings)
    try:
        async with transaction(app.sessions) as session:
            identity = await session.scalar(
                select(ChannelIdentity.id).where(
                    ChannelIdentity.channel == "telegram",
                    ChannelIdentity.external_id == str(telegram_id),
                )
            )
            staff = [m for m in await household(session, int(identity or 0)) if is_staff(m)]
            code = await new_login_code(session, staff[0], datetime.now(UTC)) if staff else None
    finally:
        await app.close()
    if code is None:
        print(f"telegram user {telegram_id} is no admin or kader", file=sys.stderr)
        return 1
    print(f"{settings.web_base_url}/admin/masuk/{code}  (valid 10 minutes, once)")
    return 0
