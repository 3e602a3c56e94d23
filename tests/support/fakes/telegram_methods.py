"""Implementations of the Bot API methods the fake supports.

Each handler takes the fake's state and the decoded parameters and returns the ``result`` of a
successful call, or raises :class:`ApiError` with the description real Telegram would give.
``METHODS`` maps lower-cased names to ``(canonical name, handler)``: Telegram method names are
case-insensitive.
"""

from __future__ import annotations

import copy
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.support.fakes.telegram_types import (
    ApiError,
    JSONDict,
    StoredFile,
    UploadedFile,
    scope_key,
)
from tests.support.fakes.telegram_updates import UpdateInjector

Handler = Callable[[UpdateInjector, JSONDict], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}

NOT_FOUND_TO_EDIT = "Bad Request: message to edit not found"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


# -- parameter helpers ------------------------------------------------------------------------


def chat_id_of(params: JSONDict) -> int:
    value = params.get("chat_id")
    if value in (None, ""):
        raise ApiError(400, "Bad Request: chat_id is empty")
    try:
        return int(str(value))
    except ValueError:
        raise ApiError(400, "Bad Request: chat not found") from None


def _int(params: JSONDict, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    try:
        return int(str(value))
    except ValueError:
        raise ApiError(400, f'Bad Request: field "{name}" must be a number') from None


def _markup(params: JSONDict) -> JSONDict | None:
    markup = params.get("reply_markup")
    if markup is not None and not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    return markup


def _inline_markup(markup: JSONDict | None) -> JSONDict:
    # Only inline keyboards are part of a Message; reply keyboards live on the client.
    return {"reply_markup": markup} if markup and "inline_keyboard" in markup else {}


def _text_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _stored_message(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    key = (chat_id_of(params), _int(params, "message_id", 0))
    message = fake.messages.get(key)
    if message is None:
        raise ApiError(400, NOT_FOUND_TO_EDIT)
    if message["from"]["id"] != fake.bot_id:
        raise ApiError(400, "Bad Request: message can't be edited")
    return message


def _resolve_file(
    fake: UpdateInjector, value: object, field: str, kind: str, default_mime: str
) -> StoredFile:
    if isinstance(value, UploadedFile):
        mime = value.content_type
        if mime == "application/octet-stream":
            mime = mimetypes.guess_type(value.filename)[0] or default_mime
        return fake.store_file(value.content, kind, value.filename, mime)
    if isinstance(value, str) and value in fake.files:
        return fake.files[value]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        # The fake cannot fetch URLs (no network); remember an empty file under that name.
        name = value.rstrip("/").rsplit("/", 1)[-1] or field
        return fake.store_file(b"", kind, name, mimetypes.guess_type(name)[0] or default_mime)
    if value in (None, ""):
        raise ApiError(400, f"Bad Request: there is no {field} in the request")
    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")


def _send(fake: UpdateInjector, params: JSONDict, content: JSONDict) -> JSONDict:
    chat_id = chat_id_of(params)
    caption = params.get("caption")
    if caption:
        content["caption"] = caption
    return fake.store_message(
        chat_id, fake.bot_user(), {**content, **_inline_markup(_markup(params))}
    )


# -- bot identity and updates -------------------------------------------------------------------


@method("getMe")
async def get_me(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    return {
        **fake.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(fake: UpdateInjector, params: JSONDict) -> list[JSONDict]:
    if fake.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.get("offset")
    allowed = params.get("allowed_updates")
    return await fake.get_updates(
        offset=None if offset is None else int(offset),
        limit=_int(params, "limit", 100),
        timeout=float(params.get("timeout") or 0),
        allowed=allowed if isinstance(allowed, list) else None,
    )


@method("setWebhook")
async def set_webhook(fake: UpdateInjector, params: JSONDict) -> bool:
    url = str(params.get("url") or "")
    if url and not url.startswith("https://"):
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    fake.webhook_url = url
    fake.webhook_secret_token = params.get("secret_token")
    if isinstance(params.get("allowed_updates"), list):
        fake.allowed_updates = list(params["allowed_updates"])
    if params.get("drop_pending_updates"):
        fake.drop_pending_updates()
    return True


@method("deleteWebhook")
async def delete_webhook(fake: UpdateInjector, params: JSONDict) -> bool:
    fake.webhook_url = ""
    fake.webhook_secret_token = None
    if params.get("drop_pending_updates"):
        fake.drop_pending_updates()
    return True


@method("getWebhookInfo")
async def get_webhook_info(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    info: JSONDict = {
        "url": fake.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": fake.pending_update_count(),
    }
    if fake.webhook_url:
        info["max_connections"] = 40
        if fake.allowed_updates:
            info["allowed_updates"] = list(fake.allowed_updates)
    return info


# -- messages -------------------------------------------------------------------------------


@method("sendMessage")
async def send_message(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    text = params.get("text")
    if not text or not str(text).strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if _text_length(str(text)) > 4096:
        raise ApiError(400, "Bad Request: message is too long")
    return _send(fake, params, {"text": str(text)})


@method("sendPhoto")
async def send_photo(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    stored = _resolve_file(fake, params.get("photo"), "photo", "photos", "image/jpeg")
    return _send(fake, params, {"photo": fake.photo_sizes(stored)})


@method("sendDocument")
async def send_document(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    stored = _resolve_file(
        fake, params.get("document"), "document", "documents", "application/octet-stream"
    )
    return _send(fake, params, {"document": fake.document(stored)})


@method("sendVoice")
async def send_voice(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    stored = _resolve_file(fake, params.get("voice"), "voice", "voice", "audio/ogg")
    voice = fake.document(stored)
    voice.pop("file_name", None)  # Telegram gives a voice note no file name
    # The fake does not decode audio: the duration is whatever the bot said, else 0.
    return _send(fake, params, {"voice": {**voice, "duration": _int(params, "duration", 0)}})


@method("editMessageText")
async def edit_message_text(fake: UpdateInjector, params: JSONDict) -> JSONDict | bool:
    text = str(params.get("text") or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if params.get("inline_message_id"):
        return True
    message = _stored_message(fake, params)
    if "text" not in message:
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    # Like Telegram, omitting reply_markup removes an inline keyboard.
    return _apply_edit(message, {"text": text, **_inline_markup(_markup(params))})


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(fake: UpdateInjector, params: JSONDict) -> JSONDict | bool:
    if params.get("inline_message_id"):
        return True
    message = _stored_message(fake, params)
    return _apply_edit(message, {"text": message.get("text"), **_inline_markup(_markup(params))})


def _apply_edit(message: JSONDict, new: JSONDict) -> JSONDict:
    old_markup = message.get("reply_markup")
    if message.get("text") == new.get("text") and old_markup == new.get("reply_markup"):
        raise ApiError(400, NOT_MODIFIED)
    if new.get("text") is not None:
        message["text"] = new["text"]
    message.pop("reply_markup", None)
    message.update({k: v for k, v in new.items() if k == "reply_markup"})
    message["edit_date"] = int(time.time())
    return copy.deepcopy(message)


@method("deleteMessage")
async def delete_message(fake: UpdateInjector, params: JSONDict) -> bool:
    key = (chat_id_of(params), _int(params, "message_id", 0))
    if fake.messages.pop(key, None) is None:
        raise ApiError(400, "Bad Request: message to delete not found")
    return True


@method("answerCallbackQuery")
async def answer_callback_query(fake: UpdateInjector, params: JSONDict) -> bool:
    query_id = str(params.get("callback_query_id") or "")
    if query_id not in fake.open_callback_ids:
        raise ApiError(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        )
    fake.open_callback_ids.discard(query_id)
    return True


@method("sendChatAction")
async def send_chat_action(fake: UpdateInjector, params: JSONDict) -> bool:
    chat_id_of(params)
    if params.get("action") not in _CHAT_ACTIONS:
        raise ApiError(400, "Bad Request: wrong parameter action in request")
    return True


@method("getChat")
async def get_chat(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    return {
        **fake.chat(chat_id_of(params)),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


# -- files ----------------------------------------------------------------------------------


@method("getFile")
async def get_file(fake: UpdateInjector, params: JSONDict) -> JSONDict:
    stored = fake.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return stored.as_file()


# -- commands -------------------------------------------------------------------------------


def _commands_key(params: JSONDict) -> tuple[str, str]:
    scope = params.get("scope")
    return scope_key(scope if isinstance(scope, dict) else None), str(
        params.get("language_code") or ""
    )


@method("setMyCommands")
async def set_my_commands(fake: UpdateInjector, params: JSONDict) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: can't parse commands JSON object")
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        description = str(command.get("description", "")) if isinstance(command, dict) else ""
        if not _COMMAND.fullmatch(name) or not 1 <= len(description) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
    key = _commands_key(params)
    if commands:
        fake.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        fake.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(fake: UpdateInjector, params: JSONDict) -> list[JSONDict]:
    return copy.deepcopy(fake.commands.get(_commands_key(params), []))


@method("deleteMyCommands")
async def delete_my_commands(fake: UpdateInjector, params: JSONDict) -> bool:
    fake.commands.pop(_commands_key(params), None)
    return True
