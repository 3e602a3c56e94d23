""" "Dengarkan": any message again as a voice note, and "Selalu kirim suara" for replies.

Asking to listen (the "🔊 Dengarkan" button, or the word "dengar" on any channel) is no
answer: it is taken before the router (`aside`) and her conversation state is not saved,
so no flow moves on and a pending confirmation stays as fresh as it was; the voice note
is a reply, not an outbox message, so it is nothing "delivered in between" either.

What is heard: the message under which she tapped (a delivered outbox message is named by
the button, "a:vc.listen:o<row>"; the bot's last answer by the version of her state that
showed it, "r<version>"), or for the typed word the newest thing she got: a message
delivered after her last answer, else that answer. The texts of the last answer are kept
in her state (`offered["said"]`), written with it anyway.

The voice note is made after the commit (`Ctx.after_commit`), outside the database, on the
voice thread: other chats are not slowed. Limits per chat (`VOICE_MIN_INTERVAL_SECONDS`,
`VOICE_DAILY_CAP`) are taken in the transaction; when the voice fails she gets the text
again with a short apology.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from handlers.core.context import Ctx
from handlers.core.delivery import LISTEN_ACTION, UnknownKind, render_outbox
from handlers.core.types import ACTION_PREFIX, Choice, Incoming, Kind, Reply, action, parse_action
from handlers.parse.words import norm
from handlers.voice.notes import Screen, VoiceNotes, screen_of, shared_notes
from models.outbox.delivery import last_delivered_since
from models.outbox.tables import OutboxMessage
from models.voice import Verdict, VoiceLimits, take_voice

log = logging.getLogger(__name__)

# Typed anywhere (any case, punctuation and emoji ignored): "dengar", "🔊 Dengarkan".
WORDS = frozenset({"dengar", "dengarkan", "dengar lagi", "dengarkan lagi", "putar suara",
                   "listen", "listen again"})  # fmt: skip
# Her state's `offered` keeps the last answer's texts under this key.
SAID = "said"
_NOT_WORD = re.compile(r"[^\w\s]")

Finish = Callable[[list[Reply]], Awaitable[list[Reply]]]


def request_of(incoming: Incoming) -> str | None:
    """What a message asking to listen names ("o12", "r7", or "" for the newest); None
    when it does not ask."""
    if incoming.kind is Kind.CHOICE and (incoming.choice or "").startswith(ACTION_PREFIX):
        name, args = parse_action(incoming.choice or "")
        return (args[0] if args else "") if name == LISTEN_ACTION else None
    if incoming.kind is Kind.TEXT and len(incoming.text) <= 40:
        typed = " ".join(_NOT_WORD.sub(" ", norm(incoming.text)).split())
        return "" if typed in WORDS else None
    return None


def limits(ctx: Ctx) -> VoiceLimits:
    config = ctx.config
    return VoiceLimits(config.voice_min_interval, config.voice_daily_cap, config.tz)


class Listening:
    """The hooks of the voice feature, over one source of voice notes (the process's
    shared one unless a test gives its own)."""

    def __init__(self, notes: VoiceNotes | None = None) -> None:
        self._notes = notes

    def notes(self, ctx: Ctx) -> VoiceNotes:
        return self._notes or shared_notes(ctx.media_dir)

    async def aside(self, ctx: Ctx) -> bool:
        """Take a request to listen; True when it was one."""
        ref = request_of(ctx.incoming)
        if ref is None:
            return False
        screens, latest_instead = await _what_to_say(ctx, ref)
        if not screens:
            ctx.say(ctx.t("voice.nothing"))
            return True
        verdict = await take_voice(ctx.session, ctx.identity.id, ctx.now, limits(ctx))
        if verdict is not Verdict.OK:
            ctx.say(ctx.t("voice.too_soon" if verdict is Verdict.TOO_SOON else "voice.daily_cap"))
            return True
        if latest_instead:
            ctx.say(ctx.t("voice.latest"))
        ctx.after_commit.append(self._finish(ctx, screens, text_again=True))
        return True

    async def after(self, ctx: Ctx) -> None:
        """After an answer: remember what it said, put "Dengarkan" under it for a mother,
        and send it as voice too when she chose "Selalu kirim suara"."""
        shown = [n for n, r in enumerate(ctx.replies) if r.text.strip() and r.voice is None]
        if not shown:
            return
        version = (ctx.state.version or 0) + 1  # what the engine saves her state as
        screens = [screen_of(ctx.replies[n]) for n in shown]
        said = {"v": version, "s": [[s.text, list(s.labels)] for s in screens]}
        ctx.state.offered = {**(ctx.state.offered or {}), SAID: said}
        member = ctx.member
        if ctx.role == "ibu":
            last = shown[-1]
            button = Choice(action(LISTEN_ACTION, f"r{version}"), ctx.t("voice.listen"))
            ctx.replies[last] = replace(ctx.replies[last], listen=button)
        if member is not None and not member.erased and member.voice_always:
            verdict = await take_voice(ctx.session, ctx.identity.id, ctx.now, limits(ctx))
            if verdict is Verdict.OK:
                ctx.after_commit.append(self._finish(ctx, screens, text_again=False))

    def _finish(self, ctx: Ctx, screens: list[Screen], *, text_again: bool) -> Finish:
        """The voice notes, made after the commit, added after the replies; should the
        voice fail, a short apology (and for "Dengarkan" the text again)."""
        notes, lang = self.notes(ctx), ctx.lang
        today = ctx.now.astimezone(ctx.tz).date()
        apology = ctx.t("voice.failed")
        part = ctx.t("voice.part", n="{n}", total="{total}")

        async def finish(replies: list[Reply]) -> list[Reply]:
            from models.voice.synth import NothingToSay

            try:
                files = await notes.make(screens, lang, today)
            except NothingToSay:
                return [*replies, Reply(text=apology)] if text_again else replies
            except Exception as exc:  # the voice failed or took too long: the text instead
                log.warning("voice note failed: %s", exc.__class__.__name__)
                text = "\n\n".join([apology, *(s.text for s in screens)]) if text_again else apology
                return [*replies, Reply(text=text)]
            total = len(files)
            notes_out = [
                Reply(text=part.format(n=n, total=total) if total > 1 else "", voice=f.path)
                for n, f in enumerate(files, start=1)
            ]
            return [*replies, *notes_out]

        return finish


async def _what_to_say(ctx: Ctx, ref: str) -> tuple[list[Screen], bool]:
    """The messages to speak for a request, and whether they are the newest instead of an
    older one she tapped under (which is no longer kept)."""
    if ref.startswith("o"):
        row_id = int(ref[1:]) if ref[1:].isdigit() else 0
        row = await ctx.session.get(OutboxMessage, row_id) if row_id else None
        # Only a message this chat was sent: a forged id names nothing.
        if row is None or row.identity_id != ctx.identity.id:
            return [], False
        return _outbox_screens(ctx, row), False
    said = _said(ctx)
    if ref.startswith("r"):
        return said, bool(said) and ref[1:] != str((ctx.state.offered or {}).get(SAID, {}).get("v"))
    notice = None
    if ctx.state.updated_at is not None:
        notice = await last_delivered_since(ctx.session, ctx.identity.id, ctx.state.updated_at)
    if notice is not None:
        return _outbox_screens(ctx, notice), False
    return said, False


def _outbox_screens(ctx: Ctx, row: OutboxMessage) -> list[Screen]:
    if not row.params:  # its text is gone (past the retention period, or she was erased)
        return []
    try:
        reply = render_outbox(row, row.params.get("lang") or ctx.lang)
    except UnknownKind:
        return []
    return [screen_of(reply)] if reply.text.strip() else []


def _said(ctx: Ctx) -> list[Screen]:
    said: Any = (ctx.state.offered or {}).get(SAID)
    if not isinstance(said, dict):
        return []
    screens = []
    for item in said.get("s", []):
        if isinstance(item, list) and len(item) == 2:
            screens.append(Screen(str(item[0]), tuple(str(label) for label in item[1])))
    return screens
