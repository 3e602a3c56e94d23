"""The settings the conversations need, as one frozen object handed to `Engine` and `Ctx`
(built from `bot.settings.Settings` by the wiring; tests build it directly)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from models.codes import AttemptLimit
from models.outbox.tables import QuietHours


@dataclass(frozen=True)
class Config:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    default_language: str = "id"
    media_dir: Path = Path("./media")
    # When announcements wait (None: never); admins are told when theirs will go.
    quiet_hours: QuietHours | None = None
    # A half-finished flow is dropped after this long, with a short note at her next message.
    flow_idle: timedelta = timedelta(hours=24)
    # A confirmation of something that cannot be undone is taken only this fresh.
    confirm_window: timedelta = timedelta(minutes=10)
    # Replies a crash left unsent are sent after the restart only if younger than this.
    reply_resend: timedelta = timedelta(minutes=5)
    # A spreadsheet to import (the KK binaan list) may be at most this large (IMPORT_MAX_MB).
    import_max_bytes: int = 20 * 1024 * 1024
    # Kader invitations are valid this many days.
    kader_invite_days: int = 7
    # Wrong one-time codes one chat may try within a window.
    code_limit: AttemptLimit = field(default_factory=AttemptLimit)
    # For https://t.me/<username>?start=<code> links shown in chat (None: the code only).
    bot_username: str | None = None
    # Check-in ("hadir <code>") opens this long before a kegiatan starts, until its end.
    checkin_before: timedelta = timedelta(minutes=60)
    # Files sent in chat (export photo ZIPs) are split to at most this size: Telegram takes
    # uploads from a bot up to 50 MB. Not a setting; tests lower it.
    export_part_max_bytes: int = 45 * 1024 * 1024
    # Voice notes ("Dengarkan"): at most one per chat this often, and this many a day.
    voice_min_interval: timedelta = timedelta(seconds=5)
    voice_daily_cap: int = 50
    # The web console's address (WEB_BASE_URL): "Masuk web" gives a link under it.
    web_base_url: str | None = None

    @classmethod
    def build(
        cls,
        tz: ZoneInfo,
        default_language: str = "id",
        media_dir: Path = Path("./media"),
        quiet_hours: tuple[time, time] | None = None,
        flow_idle: timedelta = timedelta(hours=24),
        confirm_window: timedelta = timedelta(minutes=10),
        reply_resend: timedelta = timedelta(minutes=5),
        import_max_bytes: int = 20 * 1024 * 1024,
        kader_invite_days: int = 7,
        code_limit: AttemptLimit | None = None,
        bot_username: str | None = None,
        checkin_before: timedelta = timedelta(minutes=60),
        voice_min_interval: timedelta = timedelta(seconds=5),
        voice_daily_cap: int = 50,
        web_base_url: str | None = None,
    ) -> Config:
        return cls(
            tz=tz,
            default_language=default_language,
            media_dir=media_dir,
            quiet_hours=QuietHours(*quiet_hours, tz) if quiet_hours else None,
            flow_idle=flow_idle,
            confirm_window=confirm_window,
            reply_resend=reply_resend,
            import_max_bytes=import_max_bytes,
            kader_invite_days=kader_invite_days,
            code_limit=code_limit or AttemptLimit(),
            bot_username=bot_username,
            checkin_before=checkin_before,
            voice_min_interval=voice_min_interval,
            voice_daily_cap=voice_daily_cap,
            web_base_url=web_base_url,
        )
