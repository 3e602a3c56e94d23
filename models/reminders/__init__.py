"""Reminders the sweeps write (kegiatan reminders), their log, and "tetap ikut"
confirmations.

Import from here outside models/; inside models/, import the submodule.
"""

from models.reminders.chats import MemberChat, member_chats
from models.reminders.confirmations import confirm_attendance, confirmed_names
from models.reminders.kegiatan import (
    DAY_BEFORE,
    HOURS_BEFORE,
    KIND_REMINDER,
    KIND_REMINDER_WAITING,
    KegiatanSweep,
    ReminderPlan,
    keep_action,
    sweep_kegiatan_reminders,
)
from models.reminders.tables import KegiatanConfirmation, ReminderLog

__all__ = [
    "DAY_BEFORE",
    "HOURS_BEFORE",
    "KIND_REMINDER",
    "KIND_REMINDER_WAITING",
    "KegiatanConfirmation",
    "KegiatanSweep",
    "MemberChat",
    "ReminderLog",
    "ReminderPlan",
    "confirm_attendance",
    "confirmed_names",
    "keep_action",
    "member_chats",
    "sweep_kegiatan_reminders",
]
