"""Deadlines (tenggat) and their reminders. Import from here outside models/."""

from models.deadlines.ops import (
    DeadlineDraft,
    audience_members,
    audience_names,
    create_deadline,
    delete_deadline,
    list_deadlines,
    resolve_audience,
    update_deadline,
)
from models.deadlines.rules import (
    DEFAULT_REMIND,
    DeadlineInvalid,
    due_dates,
    next_due,
    parse_remind,
    remind_text,
)
from models.deadlines.sweep import DeadlinePlan, DeadlineSweep, sweep_deadline_reminders
from models.deadlines.tables import Deadline

__all__ = [
    "DEFAULT_REMIND",
    "Deadline",
    "DeadlineDraft",
    "DeadlineInvalid",
    "DeadlinePlan",
    "DeadlineSweep",
    "audience_members",
    "audience_names",
    "create_deadline",
    "delete_deadline",
    "due_dates",
    "list_deadlines",
    "next_due",
    "parse_remind",
    "remind_text",
    "resolve_audience",
    "sweep_deadline_reminders",
    "update_deadline",
]
