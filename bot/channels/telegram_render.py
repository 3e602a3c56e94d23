"""Turning channel-neutral replies into Telegram message parameters, and updates back.

Pure functions, no network: what a `Reply` becomes (text chunks, keyboards) and what an
`Update` becomes (`Incoming`), so both directions are easy to read and to test.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)

from handlers.core.types import Choice, Contact, Incoming, Kind, Media, Reply

CHANNEL = "telegram"
MAX_TEXT = 4096
MAX_CAPTION = 1024
# Buttons whose labels are this short sit two to a row; longer ones get a row each.
SHORT_LABEL = 14

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup
JSONDict = dict[str, Any]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split on line breaks so no piece exceeds Telegram's limit (hard-cut only a
    single line that is itself too long)."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


T = TypeVar("T")


def _rows(labels: list[tuple[str, T]]) -> list[list[T]]:
    short = all(len(label) <= SHORT_LABEL for label, _ in labels)
    per_row = 2 if short else 1
    items = [item for _, item in labels]
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


class _Sent:
    """A keyboard as sent: its JSON worked out once. The menu's keyboard goes with most
    replies, and Telegram's objects are immutable, so one object (and its JSON) serves
    every chat it is sent to. (Telegram's objects want `__slots__` in every class.)"""

    __slots__ = ()
    _json: JSONDict | None

    def to_dict(self, recursive: bool = True) -> JSONDict:
        if not recursive:
            return super().to_dict(recursive)  # type: ignore[misc, no-any-return]
        found: JSONDict | None = getattr(self, "_json", None)
        if found is None:
            found = self._json = super().to_dict()  # type: ignore[misc]
        return dict(found)


class SentInlineKeyboard(_Sent, InlineKeyboardMarkup):
    __slots__ = ("_json",)


class SentReplyKeyboard(_Sent, ReplyKeyboardMarkup):
    __slots__ = ("_json",)


# Keyboards are few (a screen's choices in a language), and built again for each reply
# they would cost more than the rest of rendering.
@functools.lru_cache(maxsize=1024)
def inline_keyboard(
    choices: tuple[Choice, ...], listen: Choice | None = None
) -> InlineKeyboardMarkup:
    buttons = [(c.label, InlineKeyboardButton(c.label, callback_data=c.id)) for c in choices]
    rows = _rows(buttons)
    if listen is not None:  # "🔊 Dengarkan" on a row of its own, under the choices
        rows.append([InlineKeyboardButton(listen.label, callback_data=listen.id)])
    return SentInlineKeyboard(rows)


@functools.lru_cache(maxsize=256)
def reply_keyboard(labels: tuple[str, ...], *, contact: str | None = None,
                   persistent: bool = False) -> ReplyKeyboardMarkup:  # fmt: skip
    rows: list[list[KeyboardButton]] = []
    if contact:
        rows.append([KeyboardButton(contact, request_contact=True)])
    rows += _rows([(label, KeyboardButton(label)) for label in labels])
    return SentReplyKeyboard(
        rows,
        resize_keyboard=True,
        one_time_keyboard=not persistent,
        is_persistent=persistent,
    )


@dataclass(frozen=True)
class Outgoing:
    """One Bot API send: text (or a caption) and an optional keyboard."""

    text: str
    markup: Markup | None = None
    photo: Path | None = None
    document: Path | None = None
    document_name: str | None = None
    # A voice note (OGG/Opus), sent with sendVoice.
    voice: Path | None = None
    # Text sent without a link preview (Reply.no_preview).
    no_preview: bool = False


def render(reply: Reply) -> list[Outgoing]:
    """The messages a reply becomes; the keyboard goes on the last piece. A photo,
    document or voice note carries the first part of the text as its caption (at most
    1024). "🔊 Dengarkan" is a button of its own row, or on a keyboard its last key (a tap
    sends the label, which works as the word)."""
    markup: Markup | None = None
    labels = tuple(c.label for c in reply.choices)
    keys = (*labels, reply.listen.label) if reply.listen is not None else labels
    if reply.request_contact:
        markup = reply_keyboard(keys, contact=reply.request_contact)
    elif reply.menu:
        # The main menu also stays at hand as a persistent keyboard under the text box.
        markup = reply_keyboard(keys, persistent=True)
    elif reply.choices or reply.listen is not None:
        markup = inline_keyboard(reply.choices, reply.listen)
    out: list[Outgoing] = []
    text = reply.text
    if reply.voice is not None:
        caption = split_text(text, MAX_CAPTION)[0] if text else ""
        text = text[len(caption) :].lstrip("\n")
        out.append(Outgoing(caption, voice=reply.voice))
    elif reply.photo is not None or reply.document is not None:
        caption = split_text(text, MAX_CAPTION)[0] if text else ""
        text = text[len(caption) :].lstrip("\n")
        out.append(Outgoing(caption, None, reply.photo, reply.document, reply.document_name))
    if text:
        out += [Outgoing(p, no_preview=reply.no_preview) for p in split_text(text)]
    out[-1] = replace(out[-1], markup=markup)
    return out


# Control characters kept in what people type: line breaks and tabs. Every other one (NUL,
# ESC, DEL, the C1 range…) goes, and so do lone surrogates (from a JSON "\ud800"):
# PostgreSQL's text and JSONB refuse NUL, a database driver cannot encode a surrogate, and
# none of them belongs in a name or a message shown to others.
_KEPT_CONTROLS = frozenset("\n\t")


def clean_text(text: str) -> str:
    """Typed text without control characters (except newline and tab) or lone surrogates;
    CR LF and lone CR become LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text
    return "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def storable(value: Any) -> Any:
    """An update's JSON as the database can store it: NUL (PostgreSQL's JSONB refuses it)
    and lone surrogates (no driver can encode them) taken out of every string; the rest
    is cleaned when the update is read (`to_incoming`)."""
    if isinstance(value, str):
        if "\x00" not in value and value.isprintable():
            return value
        return "".join(ch for ch in value if ch != "\x00" and unicodedata.category(ch) != "Cs")
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def _clean(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def to_incoming(update: Update) -> Incoming | None:
    """The channel-neutral form of a private-chat update, or None if it is not for us."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or chat.type != "private":
        return None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "identity": str(chat.id),
        "message_id": str(update.update_id),
        "sender_id": str(user.id) if user else None,
    }
    query = update.callback_query
    if query is not None:
        return Incoming(kind=Kind.CHOICE, choice=clean_text(query.data or ""), **base)
    msg = update.message
    if msg is None:
        return None
    if msg.text is not None:
        return Incoming(kind=Kind.TEXT, text=clean_text(msg.text), **base)
    if msg.contact is not None:
        contact = Contact(
            phone=clean_text(msg.contact.phone_number),
            user_id=str(msg.contact.user_id) if msg.contact.user_id else None,
        )
        return Incoming(kind=Kind.CONTACT, contact=contact, **base)
    if msg.photo:
        media = Media(file_ref=msg.photo[-1].file_id, size=msg.photo[-1].file_size)
        return Incoming(kind=Kind.PHOTO, media=media, text=clean_text(msg.caption or ""), **base)
    if msg.document is not None:
        doc = msg.document
        media = Media(doc.file_id, _clean(doc.file_name), _clean(doc.mime_type), doc.file_size)
        return Incoming(kind=Kind.DOCUMENT, media=media, text=clean_text(msg.caption or ""), **base)
    if msg.location is not None:
        where = (msg.location.latitude, msg.location.longitude)
        return Incoming(kind=Kind.LOCATION, location=where, **base)
    if msg.voice is not None or msg.audio is not None:
        return Incoming(kind=Kind.VOICE, **base)
    if msg.sticker is not None:
        return Incoming(kind=Kind.STICKER, **base)
    return Incoming(kind=Kind.OTHER, **base)
