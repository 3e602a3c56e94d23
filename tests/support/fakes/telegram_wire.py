"""Decoding of Bot API request parameters the way Telegram accepts them.

Telegram takes parameters as a query string, a JSON body, a url-encoded form or a multipart
form. python-telegram-bot uses the two form encodings and JSON-encodes every non-string value
(``reply_markup``, ``commands``, ``scope``, numbers), so form values are JSON-decoded here unless
the parameter is a free-text one. A tiny multipart parser keeps python-multipart out of the
dependencies.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from tests.support.fakes.telegram_types import ApiError, JSONDict, UploadedFile

# Values of these are text as typed by a user, never JSON: "123" or "true" must stay strings.
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "url",
        "secret_token",
        "callback_query_id",
        "file_id",
        "language_code",
        "action",
        "parse_mode",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "ip_address",
        "name",
        "description",
        "short_description",
        "title",
        "emoji",
        "phone_number",
        "first_name",
        "last_name",
        "photo",
        "document",
        "voice",
        "audio",
        "video",
        "animation",
        "sticker",
        "thumbnail",
    }
)
_DISPOSITION_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def decode_params(query: list[tuple[str, str]], content_type: str, body: bytes) -> JSONDict:
    """All parameters of one request; uploaded files become :class:`UploadedFile` values."""
    params: JSONDict = {name: _form_value(name, value) for name, value in query}
    if not body:
        return params
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        params.update(data)
    elif mime == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        params.update((name, _form_value(name, value)) for name, value in pairs)
    elif mime == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    else:
        raise ApiError(400, f"Bad Request: unsupported content type {mime!r}")
    return params


def _form_value(name: str, value: str) -> Any:
    if name in _TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # plain strings such as "@channelname"


def _decode_multipart(content_type: str, body: bytes) -> JSONDict:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise ApiError(400, "Bad Request: multipart body without boundary")
    # Prefixing CRLF lets every delimiter, including the first, be "\r\n--boundary".
    chunks = (b"\r\n" + body).split(b"\r\n--" + match.group(1).encode("latin-1"))
    fields: JSONDict = {}
    files: dict[str, UploadedFile] = {}
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = _part_headers(head)
        disposition = dict(_DISPOSITION_PARAM.findall(headers.get("content-disposition", "")))
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            files[name] = UploadedFile(
                filename=disposition["filename"].replace("%22", '"'),
                content=content,
                content_type=headers.get("content-type", "application/octet-stream"),
            )
        else:
            fields[name] = _form_value(name, content.decode("utf-8"))
    # InputMedia objects reference their uploads as "attach://<part name>".
    for name, value in list(fields.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            fields[name] = files.pop(value.removeprefix("attach://"), value)
    return {**files, **fields}


def _part_headers(head: bytes) -> dict[str, str]:
    headers = {}
    for line in head.decode("utf-8", errors="replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    return headers
