"""Sessions of the web console: a signed cookie (itsdangerous) holding the member id and
the session's CSRF token; 8 hours; HttpOnly, SameSite=Strict, Secure when served over
https (uvicorn trusts X-Forwarded-Proto only from FORWARDED_ALLOW_IPS). The key is made
at start-up, so a restart signs everybody out: nothing to configure, nothing to leak.

The role is read again on every request: a member who lost the role (or was erased) is
signed out at her next click."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE: Final = "p2wkss_console"
# The "Masuk" form's CSRF token, set when her link's page is opened: a page on another
# site cannot press "Masuk" for her with its own link (signing her in as someone else).
LOGIN_COOKIE: Final = "p2wkss_masuk"
LOGIN_PATH: Final = "/admin/masuk"
MAX_AGE: Final = 8 * 3600


@dataclass(frozen=True)
class WebSession:
    member_id: int
    csrf: str


class Sessions:
    """Signs and reads the session cookie."""

    def __init__(self, key: bytes | None = None) -> None:
        self._signer = URLSafeTimedSerializer(key or secrets.token_bytes(32), salt="console")

    def read(self, request: Request) -> WebSession | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=MAX_AGE)
        except BadSignature:  # forged, altered, or older than 8 hours
            return None
        if not isinstance(data, dict):
            return None
        member_id, csrf = data.get("m"), data.get("c")
        if not isinstance(member_id, int) or not isinstance(csrf, str):
            return None
        return WebSession(member_id, csrf)

    def start(self, response: Response, request: Request, member_id: int) -> None:
        value = self._signer.dumps({"m": member_id, "c": secrets.token_urlsafe(24)})
        response.set_cookie(
            COOKIE, value, max_age=MAX_AGE, path="/admin", httponly=True, samesite="strict",
            secure=request.url.scheme == "https",
        )  # fmt: skip

    @staticmethod
    def end(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/admin", httponly=True, samesite="strict")


def csrf_ok(session: WebSession, form: Mapping[str, str] | None) -> bool:
    given = (form or {}).get("csrf", "")
    return hmac.compare_digest(given.encode(), session.csrf.encode())


def start_login(response: Response, request: Request, token: str) -> None:
    """Her "Masuk" form's token, also set as a cookie that only this site sends back."""
    response.set_cookie(
        LOGIN_COOKIE, token, path=LOGIN_PATH, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def login_form_ok(request: Request, form: Mapping[str, str] | None) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    given = (form or {}).get("masuk", "")
    return bool(cookie) and hmac.compare_digest(given.encode(), cookie.encode())


def end_login(response: Response) -> None:
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH, httponly=True, samesite="strict")
