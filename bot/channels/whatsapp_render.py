"""Turning channel-neutral replies into WhatsApp Cloud API messages, and webhook bodies back.

Pure functions, no network. pywa sends whatever it is given, so WhatsApp's limits are
kept here: up to 3 choices whose titles fit 20 characters become reply buttons, up to 10
whose titles fit 24 a list (the full label as the row's description when a short title
stands in), anything else a numbered text menu; an interactive body holds at most 1024
characters and a text 4096 (the rest goes first, as text). A label too long for a button
or a row uses its short form from the catalogs (key + ".short", written to still make
sense), never a label cut in the middle.

Incoming: the webhook body is read here, not by pywa (pywa 4.5 drops a message whose
contact has no ``user_id`` and builds a status only when it carries ``contacts``). Each
message is stored as it came (its contact, its metadata) and becomes an `Incoming` keyed
by the business-scoped user id, else the wa_id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from bot.channels.telegram_render import clean_text, split_text, storable
from handlers.core.i18n import LANGUAGES, catalog, t
from handlers.core.types import ACTION_PREFIX, STEP_PREFIX, Contact, Incoming, Kind, Media, Reply

CHANNEL = "whatsapp"
MAX_TEXT = 4096
MAX_BODY = 1024
MAX_CAPTION = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
SHORT = ".short"
# The id of the button that shares her own WhatsApp number (a phone question): the adapter
# answers it itself, with the number WhatsApp gave as her wa_id.
SHARE_PHONE = "wa:share_phone"

Layout = Literal["buttons", "list", "text"]


def wa_len(text: str) -> int:
    """Length as WhatsApp counts it (UTF-16 code units: an emoji may count twice)."""
    return len(text.encode("utf-16-le")) // 2


@cache
def short_forms() -> dict[str, str]:
    """Every label that has a short form (key + ".short", any language) -> that form."""
    forms: dict[str, str] = {}
    for lang in LANGUAGES:
        messages = catalog(lang)
        for key, value in messages.items():
            short = messages.get(key + SHORT)
            if short and not key.endswith(SHORT):
                forms.setdefault(value, short)
    return forms


def fitting(label: str, limit: int) -> str | None:
    """The label, or its short form, within `limit` characters; None when neither fits."""
    if wa_len(label) <= limit:
        return label
    short = short_forms().get(label)
    return short if short is not None and wa_len(short) <= limit else None


def layout(labels: list[str]) -> tuple[Layout, list[str]]:
    """How choices with these labels are shown, and the titles they get."""
    if len(labels) <= MAX_BUTTONS:
        titles = [fitting(label, BUTTON_TITLE) for label in labels]
        if all(titles):
            return "buttons", [t or "" for t in titles]
    if len(labels) <= MAX_ROWS:
        titles = [fitting(label, ROW_TITLE) for label in labels]
        if all(titles):
            return "list", [t or "" for t in titles]
    return "text", labels


@dataclass(frozen=True)
class Outgoing:
    """One Cloud API message: its type and the object under that type. A photo or a
    document carries its file; the sender uploads it and adds the media id."""

    type: Literal["text", "interactive", "image", "document", "audio"]
    content: dict[str, Any]
    media: Path | None = None
    filename: str | None = None


def _text(body: str) -> Outgoing:
    return Outgoing("text", {"body": body, "preview_url": False})


def _interactive(
    body: str, choices: list[tuple[str, str, str]], kind: Layout, lang: str
) -> Outgoing:
    """`choices`: (id, title, full label)."""
    if kind == "buttons":
        buttons = [{"type": "reply", "reply": {"id": i, "title": title}} for i, title, _ in choices]
        return Outgoing(
            "interactive",
            {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
        )
    rows = []
    for choice_id, title, label in choices:
        row = {"id": choice_id, "title": title}
        if title != label and wa_len(label) <= ROW_DESCRIPTION:
            row["description"] = label
        rows.append(row)
    action = {"button": t(lang, "wa.list_button"), "sections": [{"rows": rows}]}
    return Outgoing("interactive", {"type": "list", "body": {"text": body}, "action": action})


def _pieces(text: str, last_limit: int) -> list[str]:
    """The text in pieces of at most 4096 characters, the last at most `last_limit`."""
    pieces = split_text(text, MAX_TEXT) if text else [""]
    tail = split_text(pieces.pop(), last_limit)
    return [p for p in pieces + tail if p] or [""]


def render(reply: Reply, lang: str) -> list[Outgoing]:
    """The messages a reply becomes: the file first (with the text's start as caption),
    then the text; the choices go with its last piece."""
    out: list[Outgoing] = []
    text = reply.text
    if reply.voice is not None:
        # A voice note (OGG/Opus plays as one); audio takes no caption: its text follows.
        # The file is gone only when resent a day after a crash: then the text alone.
        notes = [Outgoing("audio", {}, reply.voice)] if reply.voice.exists() else []
        return notes + [_text(p) for p in _pieces(text, MAX_TEXT) if p]
    if reply.photo is not None or reply.document is not None:
        caption = split_text(text, MAX_CAPTION)[0] if text else ""
        text = text[len(caption) :].lstrip("\n")
        kind: Literal["image", "document"] = "image" if reply.photo is not None else "document"
        content: dict[str, Any] = {"caption": caption} if caption else {}
        if kind == "document" and reply.document_name:
            content["filename"] = reply.document_name
        out.append(Outgoing(kind, content, reply.photo or reply.document, reply.document_name))
    choices = [(c.id, c.label) for c in reply.choices]
    share = fitting(reply.request_contact, BUTTON_TITLE) if reply.request_contact else None
    if share is not None:
        # Last, so typed numbers still mean the screen's own choices.
        choices.append((SHARE_PHONE, reply.request_contact or share))
    kind_of, titles = layout([label for _, label in choices]) if choices else ("text", [])
    if kind_of == "text" and share is not None:
        choices.pop()  # a numbered text cannot offer it: she types her number
        kind_of, titles = layout([label for _, label in choices]) if choices else ("text", [])
    if kind_of == "text":
        if choices:
            menu = "\n".join(f"{n}. {label}" for n, (_, label) in enumerate(choices, start=1))
            text = f"{text}\n\n{menu}" if text else menu
        if text or not out:
            out += [_text(p) for p in _pieces(text, MAX_TEXT) if p] or [_text("…")]
        return out
    pieces = _pieces(text, MAX_BODY)
    out += [_text(p) for p in pieces[:-1]]
    body = pieces[-1] or "👇"
    full = [(i, title, label) for (i, label), title in zip(choices, titles, strict=True)]
    out.append(_interactive(body, full, kind_of, lang))
    return out


# --- incoming -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaMessage:
    """One message from a webhook body: who sent it (either id may be missing), when, and
    what to store (enough to read it again after a restart)."""

    key: str
    user_id: str | None
    wa_id: str | None
    at: datetime
    phone_number_id: str | None
    stored: dict[str, Any]

    @property
    def chat(self) -> str | None:
        return self.user_id or self.wa_id


@dataclass(frozen=True)
class WaStatus:
    """A delivery status of a message we sent, read from the raw body."""

    message_id: str
    status: str
    user_id: str | None
    wa_id: str | None
    error_code: int | None
    phone_number_id: str | None


def _str(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _when(value: object) -> datetime:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _values(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if data.get("object") != "whatsapp_business_account":
        raise ValueError("not a WhatsApp webhook")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise ValueError("no entries")
    for entry in entries:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict) and change.get("field", "messages") == "messages":
                yield value


def _sender(
    msg: dict[str, Any], contacts: list[Any]
) -> tuple[str | None, str | None, dict[str, Any]]:
    """(user id, wa_id, contact) of a message's sender: the contact naming the same ids,
    else the only one; ids missing from the contact come from the message itself."""
    wa_id, user_id = _str(msg.get("from")), _str(msg.get("from_user_id"))
    found: dict[str, Any] = {}
    for contact in contacts:
        if not isinstance(contact, dict):
            continue
        same = (wa_id and contact.get("wa_id") == wa_id) or (
            user_id and contact.get("user_id") == user_id
        )
        if same or len(contacts) == 1:
            found = contact
            break
    user_id = _str(found.get("user_id")) or user_id
    wa_id = _str(found.get("wa_id")) or wa_id
    if wa_id is not None and not wa_id.isdigit():
        wa_id = None  # "from" holds a user id when the phone number is withheld
    return user_id, wa_id, found


def parse_webhook(data: dict[str, Any]) -> tuple[list[WaMessage], list[WaStatus]]:
    """The messages and statuses of a webhook body; ValueError when it is no WhatsApp
    webhook at all. Group messages and messages naming nobody are left out."""
    messages: list[WaMessage] = []
    statuses: list[WaStatus] = []
    for value in _values(data):
        phone_id = _str(_dict(value.get("metadata")).get("phone_number_id"))
        contacts = _list(value.get("contacts"))
        for msg in _list(value.get("messages")):
            if not isinstance(msg, dict) or not _str(msg.get("id")) or "group_id" in msg:
                continue
            user_id, wa_id, contact = _sender(msg, contacts)
            stored = storable({"message": msg, "contact": contact, "phone_number_id": phone_id})
            at = _when(msg.get("timestamp"))
            messages.append(WaMessage(str(msg["id"]), user_id, wa_id, at, phone_id, stored))
        for status in _list(value.get("statuses")):
            if not isinstance(status, dict) or not _str(status.get("id")):
                continue
            errors = status.get("errors") or value.get("errors") or []
            code = None
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                raw = errors[0].get("code")
                code = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
            statuses.append(
                WaStatus(
                    str(status["id"]), str(status.get("status", "")).lower(),
                    _str(status.get("recipient_user_id")), _str(status.get("recipient_id")),
                    code, phone_id,
                )
            )  # fmt: skip
    return messages, statuses


def _choice_or_text(payload: str, title: str) -> tuple[Kind, str]:
    if payload.startswith((STEP_PREFIX, ACTION_PREFIX)):
        return Kind.CHOICE, payload
    return Kind.TEXT, payload or title


def to_incoming(stored: dict[str, Any], identity: str) -> Incoming | None:
    """A stored message as an `Incoming` for the chat `identity`; None for what needs no
    answer (a reaction, a notice from WhatsApp itself)."""
    msg = _dict(stored.get("message"))
    contact = _dict(stored.get("contact"))
    wa_id = _str(contact.get("wa_id")) or _str(msg.get("from"))
    wa_id = wa_id if wa_id and wa_id.isdigit() else None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "identity": identity,
        "message_id": str(msg.get("id", "")),
        # Her own number as WhatsApp knows it: a contact she shares with this number is hers.
        "sender_id": wa_id,
        "received_at": _when(msg.get("timestamp")),
    }
    kind = msg.get("type")
    body = _dict(msg.get(kind)) if isinstance(kind, str) else {}
    if kind == "text":
        return Incoming(kind=Kind.TEXT, text=clean_text(str(body.get("body", ""))), **base)
    if kind == "interactive":
        reply = _dict(body.get("button_reply") or body.get("list_reply"))
        if not reply:
            return Incoming(kind=Kind.OTHER, **base)
        choice_id, title = str(reply.get("id", "")), str(reply.get("title", ""))
        if choice_id == SHARE_PHONE:
            if wa_id is None:
                return Incoming(kind=Kind.OTHER, **base)
            shared = Contact(phone="+" + wa_id, user_id=wa_id)
            return Incoming(kind=Kind.CONTACT, contact=shared, **base)
        found, value = _choice_or_text(clean_text(choice_id), clean_text(title))
        if found is Kind.CHOICE:
            return Incoming(kind=Kind.CHOICE, choice=value, **base)
        return Incoming(kind=Kind.TEXT, text=value, **base)
    if kind == "button":  # a template's quick-reply button
        payload, title = (
            clean_text(str(body.get("payload", ""))),
            clean_text(str(body.get("text", ""))),
        )
        found, value = _choice_or_text(payload, title)
        if found is Kind.CHOICE:
            return Incoming(kind=Kind.CHOICE, choice=value, **base)
        return Incoming(kind=Kind.TEXT, text=value, **base)
    if kind == "contacts":
        cards = _list(msg.get("contacts"))
        card = _dict(cards[0]) if cards else {}
        phones = _list(card.get("phones"))
        phone = next((p for p in phones if isinstance(p, dict) and p.get("phone")), None)
        if phone is None:
            return Incoming(kind=Kind.OTHER, **base)
        owner = _str(phone.get("wa_id"))
        shared = Contact(phone=clean_text(str(phone["phone"])), user_id=owner)
        return Incoming(kind=Kind.CONTACT, contact=shared, **base)
    if kind in ("image", "document") and _str(body.get("id")):
        media = Media(
            file_ref=str(body["id"]),
            filename=clean_text(str(body["filename"])) if body.get("filename") else None,
            mime_type=clean_text(str(body["mime_type"])) if body.get("mime_type") else None,
            size=body.get("file_size") if isinstance(body.get("file_size"), int) else None,
        )
        caption = clean_text(str(body.get("caption", "")))
        found_kind = Kind.PHOTO if kind == "image" else Kind.DOCUMENT
        return Incoming(kind=found_kind, media=media, text=caption, **base)
    if kind == "location":
        try:
            where = (float(body["latitude"]), float(body["longitude"]))
        except (KeyError, TypeError, ValueError):
            return Incoming(kind=Kind.OTHER, **base)
        return Incoming(kind=Kind.LOCATION, location=where, **base)
    if kind in ("audio", "voice"):
        return Incoming(kind=Kind.VOICE, **base)
    if kind == "sticker":
        return Incoming(kind=Kind.STICKER, **base)
    if kind in ("reaction", "system", "request_welcome"):
        return None
    return Incoming(kind=Kind.OTHER, **base)
