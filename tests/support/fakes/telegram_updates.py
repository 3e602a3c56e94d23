"""Builders that inject realistic user-side updates into the fake Telegram Bot API.

Each ``inject_*`` helper creates the update Telegram would produce for a user action, queues
it for getUpdates and returns the dict, so a webhook test can POST the same payload. Media are
stored as real files, so the bot under test can getFile and download them.
"""

from __future__ import annotations

import copy
import mimetypes
import time
from collections.abc import Mapping
from typing import Any, Literal

from tests.support.fakes.telegram_state import TelegramState
from tests.support.fakes.telegram_types import JSONDict, StoredFile

DEFAULT_FIRST_NAME = "Siti"
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-photo\xff\xd9"
FAKE_PDF = b"%PDF-1.4\n% fake document\n%%EOF\n"
FAKE_OGG = b"OggS\x00\x02fake-voice"
FAKE_WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 fake-sticker"


class UpdateInjector(TelegramState):
    """Adds the ``inject_*`` helpers on top of the fake's state."""

    def inject_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue any update dict; one that carries an update_id is re-delivered as-is."""
        return self.queue_update(dict(update))

    def inject_message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
        *,
        language_code: str | None = None,
    ) -> JSONDict:
        content: JSONDict = {"text": text}
        if text.startswith("/"):
            # CommandHandler only matches messages carrying a bot_command entity.
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return self._inject_user_message(chat_id, user_id, first_name, language_code, content)

    def inject_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        """A button press on the stored message ``message_id`` (normally one the bot sent)."""
        try:
            message = copy.deepcopy(self.messages[(chat_id, message_id)])
        except KeyError:
            raise KeyError(
                f"no message {message_id} in chat {chat_id} to press a button on"
            ) from None
        user = self.remember_user(_user_id(chat_id, user_id), first_name)
        self.callback_counter += 1
        query_id = str(4_000_000_000_000_000 + self.callback_counter)
        self.open_callback_ids.add(query_id)
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(-(abs(chat_id) * 7919 + self.bot_id)),
            "data": data,
        }
        return self.queue_update({"callback_query": query})

    def inject_contact(
        self,
        chat_id: int,
        phone_number: str,
        contact_user_id: int | None,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        """A shared contact; pass contact_user_id == the sender for a "share my number" reply."""
        contact: JSONDict = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        content = {"contact": contact}
        return self._inject_user_message(chat_id, user_id, first_name, None, content)

    def inject_photo(
        self,
        chat_id: int,
        content: bytes = FAKE_JPEG,
        caption: str | None = None,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        stored = self.store_file(content, "photos", "photo.jpg", "image/jpeg")
        body: JSONDict = {"photo": self.photo_sizes(stored)}
        if caption is not None:
            body["caption"] = caption
        return self._inject_user_message(chat_id, user_id, first_name, None, body)

    def inject_document(
        self,
        chat_id: int,
        content: bytes = FAKE_PDF,
        file_name: str = "document.pdf",
        mime_type: str | None = None,
        caption: str | None = None,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.store_file(content, "documents", file_name, mime)
        body: JSONDict = {"document": self.document(stored)}
        if caption is not None:
            body["caption"] = caption
        return self._inject_user_message(chat_id, user_id, first_name, None, body)

    def inject_voice(
        self,
        chat_id: int,
        content: bytes = FAKE_OGG,
        duration: int = 3,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        stored = self.store_file(content, "voice", "voice.oga", "audio/ogg")
        voice = {**_file_fields(stored), "duration": duration, "mime_type": "audio/ogg"}
        return self._inject_user_message(chat_id, user_id, first_name, None, {"voice": voice})

    def inject_sticker(
        self,
        chat_id: int,
        emoji: str = "👍",
        content: bytes = FAKE_WEBP,
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        stored = self.store_file(content, "stickers", "sticker.webp", "image/webp")
        sticker = {
            **_file_fields(stored),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._inject_user_message(chat_id, user_id, first_name, None, {"sticker": sticker})

    def inject_my_chat_member(
        self,
        chat_id: int,
        new_status: Literal["kicked", "member", "left"] = "kicked",
        user_id: int | None = None,
        first_name: str = DEFAULT_FIRST_NAME,
    ) -> JSONDict:
        """The user blocked ("kicked") or re-started ("member") the bot.

        Also blocks/unblocks the chat, because that is what the real API does next.
        """
        user = self.remember_user(_user_id(chat_id, user_id), first_name)
        old_status = "kicked" if new_status == "member" else "member"
        if new_status == "member":
            self.unblock_chat(chat_id)
        else:
            self.block_chat(chat_id)
        update = {
            "my_chat_member": {
                "chat": self.chat(chat_id),
                "from": user,
                "date": int(time.time()),
                "old_chat_member": self._bot_member(old_status),
                "new_chat_member": self._bot_member(new_status),
            }
        }
        return self.queue_update(update)

    # -- shared building blocks (also used by the send* method implementations) -------------

    def photo_sizes(self, stored: StoredFile) -> list[JSONDict]:
        # The fake never decodes images; a thumbnail entry sharing the bytes is enough for bots
        # that pick photo[-1] (the largest) as Telegram clients do.
        thumb = self.store_file(stored.content, "photos", "thumb.jpg", "image/jpeg")
        return [
            {**_file_fields(thumb), "width": 90, "height": 90},
            {**_file_fields(stored), "width": 1280, "height": 960},
        ]

    def document(self, stored: StoredFile) -> JSONDict:
        document = _file_fields(stored)
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _bot_member(self, status: str) -> JSONDict:
        member: JSONDict = {"status": status, "user": self.bot_user()}
        if status == "kicked":
            member["until_date"] = 0
        return member

    def _inject_user_message(
        self,
        chat_id: int,
        user_id: int | None,
        first_name: str,
        language_code: str | None,
        content: JSONDict,
    ) -> JSONDict:
        user = self.remember_user(_user_id(chat_id, user_id), first_name, language_code)
        message = self.store_message(chat_id, user, content)
        return self.queue_update({"message": message})


def _file_fields(stored: StoredFile) -> JSONDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }


def _user_id(chat_id: int, user_id: int | None) -> int:
    if user_id is not None:
        return user_id
    if chat_id > 0:
        return chat_id  # in a private chat the chat id is the user's id
    raise ValueError(f"user_id is required for group chat {chat_id}")


def _utf16_len(text: str) -> int:
    # Telegram measures entity offsets and lengths in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2
