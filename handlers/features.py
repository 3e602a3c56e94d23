"""The features the bot offers, listed once. The engine gets this list (or, in tests,
only the features a story needs); a name used twice stops the start."""

from __future__ import annotations

from handlers.attendance import ATTENDANCE_FEATURE
from handlers.binaan import BINAAN_FEATURE
from handlers.broadcast import BROADCAST_FEATURE
from handlers.channels_pref import CHANNELS_FEATURE
from handlers.core.common import CORE
from handlers.core.feature import Feature, Registry
from handlers.deadlines import DEADLINES_FEATURE
from handlers.exports import EXPORTS_FEATURE
from handlers.kader import KADER_FEATURE
from handlers.kegiatan import KEGIATAN, KEGIATAN_ADMIN
from handlers.members import MEMBERS_FEATURE
from handlers.questions import QUESTIONS_FEATURE
from handlers.reminders import REMINDERS_FEATURE
from handlers.reports import REPORTS_FEATURE
from handlers.voice import VOICE_FEATURE
from handlers.weblogin import WEBLOGIN_FEATURE


def all_features() -> tuple[Feature, ...]:
    return (
        CORE,
        MEMBERS_FEATURE,
        KEGIATAN,
        KEGIATAN_ADMIN,
        BROADCAST_FEATURE,
        REMINDERS_FEATURE,
        DEADLINES_FEATURE,
        BINAAN_FEATURE,
        KADER_FEATURE,
        QUESTIONS_FEATURE,
        REPORTS_FEATURE,
        ATTENDANCE_FEATURE,
        EXPORTS_FEATURE,
        CHANNELS_FEATURE,
        VOICE_FEATURE,
        WEBLOGIN_FEATURE,
    )


def default_registry() -> Registry:
    return Registry(all_features())
