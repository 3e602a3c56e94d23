"""Tables and the domain rules on them; nothing here knows a chat platform or a handler."""

from models.attendance.tables import Attendance, CheckinCode
from models.audit import AuditEntry, audit
from models.base import Base, make_engine, make_sessionmaker, transaction, utcnow
from models.codes import OneTimeCode
from models.conversation import ConversationState
from models.deadlines.tables import Deadline
from models.inbox import InboxMessage
from models.kader.tables import KaderRequest
from models.kegiatan.tables import Kegiatan, KegiatanTarget, Signup
from models.location import Location
from models.outbox.broadcasts import Broadcast
from models.outbox.tables import OutboxMessage
from models.people.tables import ChannelIdentity, IdentityMember, Member
from models.questions.tables import Question, QuestionMessage
from models.reminders.tables import KegiatanConfirmation, ReminderLog
from models.reports.tables import Report, ReportPhoto
from models.voice.tables import VoiceUsage

__all__ = [
    "Attendance",
    "AuditEntry",
    "Base",
    "Broadcast",
    "ChannelIdentity",
    "CheckinCode",
    "ConversationState",
    "Deadline",
    "IdentityMember",
    "InboxMessage",
    "KaderRequest",
    "Kegiatan",
    "KegiatanConfirmation",
    "KegiatanTarget",
    "Location",
    "Member",
    "OneTimeCode",
    "OutboxMessage",
    "Question",
    "QuestionMessage",
    "ReminderLog",
    "Report",
    "ReportPhoto",
    "Signup",
    "VoiceUsage",
    "audit",
    "make_engine",
    "make_sessionmaker",
    "transaction",
    "utcnow",
]
