"""The channel-neutral vocabulary: what arrives (`Incoming`) and what goes out (`Reply`).

Adapters translate a platform update into an `Incoming` and render each `Reply` as well
as their platform can. Choice ids are ASCII, at most 64 bytes (Telegram's callback_data
limit), and come in two kinds:

- step answers, ``s:<value>``: valid only while the step that offered them is current;
- actions, ``a:<name>[:<arg>...]``: self-contained, naming their object, valid whenever
  the action still makes sense (buttons on reminders keep working days later).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from models.base import utcnow

MAX_CHOICE_ID_BYTES = 64
STEP_PREFIX = "s:"
ACTION_PREFIX = "a:"


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    CONTACT = "contact"
    PHOTO = "photo"
    DOCUMENT = "document"
    LOCATION = "location"
    VOICE = "voice"
    STICKER = "sticker"
    OTHER = "other"


@dataclass(frozen=True)
class Contact:
    phone: str
    # The platform account the shared contact belongs to, when the platform says so.
    user_id: str | None = None


@dataclass(frozen=True)
class Media:
    file_ref: str
    filename: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    channel: str
    identity: str
    message_id: str
    kind: Kind
    text: str = ""
    choice: str | None = None
    contact: Contact | None = None
    media: Media | None = None
    location: tuple[float, float] | None = None
    sender_id: str | None = None
    received_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    # Other words that pick this choice when typed on its screen ("gak jadi ikut").
    words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_choice_id(self.id)

    @property
    def is_step_answer(self) -> bool:
        return self.id.startswith(STEP_PREFIX)


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    # Label of a "share my phone number" button, where the channel has one.
    request_contact: str | None = None
    photo: Path | None = None
    document: Path | None = None
    document_name: str | None = None
    # The main menu: a channel may also keep it at hand (Telegram: a persistent keyboard).
    menu: bool = False
    # A voice note (OGG/Opus) to send, with the text (if any) as its caption.
    voice: Path | None = None
    # "🔊 Dengarkan": shown apart from the numbered choices (Telegram: a button of its own
    # row); the word "dengar" does the same on every channel.
    listen: Choice | None = None
    # Sent without a link preview (a one-time login link: a preview would fetch it).
    no_preview: bool = False


def check_choice_id(choice_id: str) -> str:
    if not choice_id.isascii() or len(choice_id.encode()) > MAX_CHOICE_ID_BYTES:
        raise ValueError("choice ids must be ASCII and at most 64 bytes")
    if not choice_id.startswith((STEP_PREFIX, ACTION_PREFIX)):
        raise ValueError("choice ids start with 's:' (step answer) or 'a:' (action)")
    return choice_id


def step_answer(value: str) -> str:
    return check_choice_id(STEP_PREFIX + value)


def action(name: str, *args: object) -> str:
    return check_choice_id(":".join([ACTION_PREFIX + name, *(str(a) for a in args)]))


def parse_action(choice_id: str) -> tuple[str, list[str]]:
    name, *args = choice_id.removeprefix(ACTION_PREFIX).split(":")
    return name, args


def reply_to_json(reply: Reply) -> dict[str, object]:
    """A reply as JSON, to keep it with the state change until it is sent."""
    out: dict[str, object] = {"text": reply.text}
    if reply.choices:
        out["choices"] = [[c.id, c.label, list(c.words)] for c in reply.choices]
    if reply.request_contact:
        out["request_contact"] = reply.request_contact
    if reply.photo is not None:
        out["photo"] = str(reply.photo)
    if reply.document is not None:
        out["document"] = str(reply.document)
    if reply.document_name:
        out["document_name"] = reply.document_name
    if reply.menu:
        out["menu"] = True
    if reply.voice is not None:
        out["voice"] = str(reply.voice)
    if reply.listen is not None:
        out["listen"] = [reply.listen.id, reply.listen.label]
    return out


def reply_from_json(data: dict[str, Any]) -> Reply:
    photo, document, voice = data.get("photo"), data.get("document"), data.get("voice")
    listen = data.get("listen")
    return Reply(
        text=str(data.get("text", "")),
        choices=tuple(Choice(c[0], c[1], tuple(c[2])) for c in data.get("choices", [])),
        request_contact=data.get("request_contact"),
        photo=Path(photo) if photo else None,
        document=Path(document) if document else None,
        document_name=data.get("document_name"),
        menu=bool(data.get("menu", False)),
        voice=Path(voice) if voice else None,
        listen=Choice(listen[0], listen[1]) if listen else None,
    )
