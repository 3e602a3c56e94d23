"""Redeeming one-time codes: `/start <code>` from a deep link, or "kode <code>" typed on
any channel (case-insensitive).

Each purpose's feature redeems its own codes (`Feature.codes`). Here, before that: the
per-chat attempt limit (wrong codes counted on the chat identity; past the limit no code
is even looked up until the window has passed, so codes cannot be guessed), and a kind
message for a code that is unknown, used, expired or revoked, with a way forward. A
feature may word these for its own codes: ``code.<purpose>.<state>`` wins over
``code.<state>``.
"""

from __future__ import annotations

import logging
import re

from handlers.core.context import Ctx
from handlers.core.i18n import FALLBACK, catalog
from handlers.core.menu import reprompt
from models.codes import codes_refused, find_code, note_wrong_code

log = logging.getLogger(__name__)

START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# "kode AB7KQ2MX", "Kode: ab7kq2mx", "/kode AB7KQ2MX", "code AB7KQ2MX".
TYPED_CODE = re.compile(r"^\s*/?(?:kode|code)(?:\s*[:=]\s*|\s+)(\S{1,80})\s*$", re.IGNORECASE)


def typed_code(text: str) -> str | None:
    """The code in a whole message "kode <code>", or None."""
    if len(text) > 100:  # before the pattern: a long message is no code
        return None
    found = TYPED_CODE.match(text)
    return found.group(1).rstrip(".!,;") if found else None


def code_text(ctx: Ctx, purpose: str | None, state: str) -> str:
    """What to say of a code in this state (its purpose's own words, if it has them)."""
    key = f"code.{purpose}.{state}"
    return ctx.t(key if purpose and key in catalog(FALLBACK) else f"code.{state}")


async def redeem_code(ctx: Ctx, code: str) -> None:
    now = ctx.now
    if codes_refused(ctx.identity, now, ctx.config.code_limit):
        log.info("one-time code refused: too many wrong codes from this chat")
        ctx.say(ctx.t("code.too_many"))
        await reprompt(ctx)
        return
    row = await find_code(ctx.session, code) if START_PAYLOAD.match(code) else None
    handler = ctx.registry.codes.get(row.purpose) if row is not None else None
    if row is None or handler is None:
        note_wrong_code(ctx.identity, now)
        ctx.say(ctx.t("code.unknown"))
        await reprompt(ctx)
        return
    state = row.state(now)
    if state == "usable":
        await handler(ctx, row)
        return
    if state == "used" and row.used_by_identity_id == ctx.identity.id:
        # Her own link opened again: not a guess.
        ctx.say(code_text(ctx, row.purpose, "used_here"))
    else:
        note_wrong_code(ctx.identity, now)
        ctx.say(code_text(ctx, row.purpose, state))
    await reprompt(ctx)
