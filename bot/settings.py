"""Deployment settings, read from the environment and `.env` (pydantic-settings).

Every variable is documented with its default in `.env.example`. A bad value must stop
start-up with one line naming the variable; `load_settings` turns pydantic's errors into
that line and never echoes a value (a secret may be in it).
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.channels.whatsapp_templates import Template, build_registry, parse_overrides
from models.deadlines.sweep import DeadlinePlan
from models.reminders.kegiatan import ReminderPlan
from scheduler.attendance import AttendancePlan
from scheduler.digest import DigestPlan
from scheduler.kader import NudgePlan, QuestionPlan

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./p2wkss.db"


class ConfigError(Exception):
    """A setting is missing or wrong; the message is safe to print (no values)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Jakarta"
    default_language: Literal["id", "en"] = "id"
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str | None = None
    telegram_bot_username: str | None = None
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    media_dir: Path = Path("./media")
    # A spreadsheet to import (the KK binaan list, in chat or on the CLI): at most this many
    # MB (Telegram hands a bot files of at most 20 MB, whatever this says).
    import_max_mb: float = Field(default=20.0, gt=0, le=1024)
    telegram_send_rate: float = Field(default=25.0, gt=0, le=30)
    # All messages a second to Telegram from `run`, replies and outbox together (replies
    # first); 0: no overall limit.
    telegram_total_rate: float = Field(default=29.0, ge=0, le=30)
    quiet_hours_start: str = "21:00"
    quiet_hours_end: str = "06:00"
    # A half-finished conversation is dropped after this many idle hours.
    flow_idle_hours: float = Field(default=24.0, gt=0)
    # A confirmation of something that cannot be undone is taken only this fresh.
    confirm_window_minutes: float = Field(default=10.0, gt=0)
    # Replies a crash left unsent are sent after the restart only if this fresh.
    reply_resend_minutes: float = Field(default=5.0, gt=0)
    # Several workers: a worker holds the updates it stored this long without renewing
    # (it renews every third of it); a killed worker's are then taken over by another.
    inbox_lease_seconds: float = Field(default=30.0, ge=1)
    # Flood control per chat: messages a second and a burst (0 turns it off).
    flood_rate: float = Field(default=2.0, ge=0)
    flood_burst: int = Field(default=10, ge=1)
    webhook_listen: str = "127.0.0.1:8080"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # The web console (/admin) is served when this is set: the address people open, links
    # are built from it (e.g. https://p2wkss.example.id); uvicorn then listens on
    # WEBHOOK_LISTEN in long polling too. Forwarded headers are trusted only from these.
    web_base_url: str | None = None
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Tanya: a question no kader answered within this many hours goes to the admins.
    question_escalate_hours: float = Field(default=24.0, gt=0)
    # The weekly nudge to kader with no report in 7 days: Mondays at this local time;
    # KADER_NUDGE_ENABLED=false turns it off.
    kader_nudge_enabled: bool = True
    kader_nudge_at: str = "08:00"
    # Reminders: how often the sweep looks for due ones, the local time of the day-before
    # reminder (empty = none) and how many hours before the start the last one goes (0 = none).
    reminder_sweep_seconds: float = Field(default=15.0, gt=0)
    reminder_day_before_at: str = "07:00"
    reminder_hours_before: float = Field(default=2.0, ge=0, le=23)
    # Deadline reminders go at this local time on their days.
    deadline_remind_at: str = "08:00"
    # The daily admin digest at this local time; DIGEST_ENABLED=false turns it off.
    digest_enabled: bool = True
    digest_at: str = "07:00"
    # Kader invitations are valid this many days.
    kader_invite_days: int = Field(default=7, ge=1, le=365)
    # One-time codes (invitations, deep links): wrong ones one chat may try in a window.
    code_attempts: int = Field(default=5, ge=1)
    code_attempt_window_minutes: float = Field(default=60.0, gt=0)
    # Attendance: "hadir <code>" works from this many minutes before a kegiatan starts
    # until its end; after the end its admins and kader get a summary (unless switched off).
    checkin_before_minutes: int = Field(default=60, ge=0, le=24 * 60)
    attendance_summary_enabled: bool = True
    # Voice notes ("Dengarkan", "Selalu kirim suara"): at most one per chat this many
    # seconds apart, and this many per chat a day (0: none).
    voice_min_interval_seconds: float = Field(default=5.0, ge=0, le=3600)
    voice_daily_cap: int = Field(default=50, ge=0, le=10_000)
    # UU PDP: outbox messages and broadcasts lose their texts this many days after they
    # went out (the rows stay, for the counts); the housekeeping sweep drops them.
    outbox_retention_days: int = Field(default=90, ge=1, le=3650)
    # WhatsApp Cloud API: on when the phone number id and access token are set (then the
    # app secret and verify token must be too); the webhook is WEBHOOK_LISTEN's /whatsapp.
    whatsapp_phone_number_id: str | None = None
    whatsapp_access_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_version: str = "23.0"
    whatsapp_api_base_url: str = "https://graph.facebook.com"
    # Messages a second to WhatsApp (replies and outbox together, replies first); Meta
    # allows 80 per phone number.
    whatsapp_send_rate: float = Field(default=70.0, gt=0, le=80)
    # Templates for messages outside the 24-hour window: JSON overriding the built-in
    # registry (bot/channels/whatsapp_templates.py), kind -> null or {name, language, params}.
    whatsapp_templates: str = ""

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, v: str) -> str:
        if not v.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (use an IANA name such as Asia/Jakarta)") from None
        return v

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _comma_list(cls, v: object) -> object:
        if isinstance(v, str):
            parts = [p.strip() for p in v.split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be Telegram user ids (numbers) separated by commas")
            return [int(p) for p in parts]
        return v

    @field_validator("telegram_api_base_url", "telegram_api_file_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return v

    @field_validator("reminder_day_before_at")
    @classmethod
    def _clock_time_or_empty(cls, v: str) -> str:
        return cls._clock_time(v) if v.strip() else ""

    @property
    def reminder_plan(self) -> ReminderPlan:
        at = self.reminder_day_before_at
        return ReminderPlan(
            tz=self.tz,
            day_before_at=time.fromisoformat(at) if at else None,
            hours_before=self.reminder_hours_before,
        )

    @property
    def deadline_plan(self) -> DeadlinePlan:
        return DeadlinePlan(tz=self.tz, at=time.fromisoformat(self.deadline_remind_at))

    @property
    def digest_plan(self) -> DigestPlan | None:
        if not self.digest_enabled:
            return None
        return DigestPlan(tz=self.tz, at=time.fromisoformat(self.digest_at))

    @property
    def question_plan(self) -> QuestionPlan:
        return QuestionPlan(
            tz=self.tz, escalate_after=timedelta(hours=self.question_escalate_hours)
        )

    @property
    def nudge_plan(self) -> NudgePlan | None:
        if not self.kader_nudge_enabled:
            return None
        return NudgePlan(tz=self.tz, at=time.fromisoformat(self.kader_nudge_at))

    @property
    def attendance_plan(self) -> AttendancePlan | None:
        return AttendancePlan(tz=self.tz) if self.attendance_summary_enabled else None

    @field_validator("kader_nudge_at")
    @classmethod
    def _nudge_time(cls, v: str) -> str:
        return cls._clock_time(v)

    @field_validator("quiet_hours_start", "quiet_hours_end", "deadline_remind_at", "digest_at")
    @classmethod
    def _clock_time(cls, v: str) -> str:
        try:
            time.fromisoformat(v)
        except ValueError:
            raise ValueError("must be a time of day as HH:MM, e.g. 21:00") from None
        return v

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """Announcements wait between these local times; equal times switch it off."""
        start, end = (
            time.fromisoformat(self.quiet_hours_start),
            time.fromisoformat(self.quiet_hours_end),
        )
        return None if start == end else (start, end)

    @field_validator("webhook_listen")
    @classmethod
    def _host_port(cls, v: str) -> str:
        host, sep, port = v.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 127.0.0.1:8080")
        return v

    @field_validator("web_base_url")
    @classmethod
    def _web_url(cls, v: str | None) -> str | None:
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL, e.g. https://p2wkss.example.id")
        return v.rstrip("/") if v else None

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, v: str | None) -> str | None:
        if v and not v.startswith("https://"):
            raise ValueError("must be an https:// URL (Telegram only calls https webhooks)")
        return v.rstrip("/") if v else None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value():
            raw = v.get_secret_value()
            if not (1 <= len(raw) <= 256) or not re.fullmatch(r"[A-Za-z0-9_-]+", raw):
                raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return v if v is not None and v.get_secret_value() else None

    @field_validator("whatsapp_api_base_url")
    @classmethod
    def _base_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return v.rstrip("/")

    @field_validator("whatsapp_api_version")
    @classmethod
    def _api_version(cls, v: str) -> str:
        v = v.strip().removeprefix("v")
        if not re.fullmatch(r"\d+\.\d+", v):
            raise ValueError("must be a Graph API version such as 23.0")
        return v

    @field_validator("whatsapp_phone_number_id")
    @classmethod
    def _phone_number_id(cls, v: str | None) -> str | None:
        v = (v or "").strip()
        if v and not v.isdigit():
            raise ValueError("must be the phone number id (digits) from the WhatsApp Manager")
        return v or None

    @field_validator("whatsapp_templates")
    @classmethod
    def _templates(cls, v: str) -> str:
        try:
            parse_overrides(v)
        except ValueError as exc:  # json.JSONDecodeError is one
            raise ValueError(f"not a valid template registry ({str(exc)[:120]})") from None
        return v

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_phone_number_id and self.whatsapp_access_token)

    @property
    def whatsapp_registry(self) -> dict[str, Template]:
        return build_registry(parse_overrides(self.whatsapp_templates))

    @field_validator(
        "telegram_bot_token", "whatsapp_access_token", "whatsapp_app_secret",
        "whatsapp_verify_token",
    )  # fmt: skip
    @classmethod
    def _empty_token_is_none(cls, v: SecretStr | None) -> SecretStr | None:
        return v if v is not None and v.get_secret_value().strip() else None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def telegram_file_url(self) -> str:
        """The file URL in python-telegram-bot's form, derived from the base URL if unset."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        base = self.telegram_api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, or raise ConfigError with one printable line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]).upper() or "SETTINGS"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {msg}")
        raise ConfigError("configuration error: " + "; ".join(lines)) from None
