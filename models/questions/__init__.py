"""Tanya: a mother's question to the kader of her kampung, kept as a short thread; the
answer goes back to her through the outbox, and the sweep hands questions nobody answered
within a day to the admins.

Import from here outside models/; inside models/, import the submodule.
"""

from models.questions.notices import (
    KIND_ANSWERED,
    KIND_ANSWERED_STAFF,
    KIND_ESCALATED,
    KIND_NEW,
    KIND_NO_KADER,
    Asker,
    answer_action,
)
from models.questions.ops import (
    MAX_ANSWER,
    Answered,
    Asked,
    QuestionInvalid,
    Thread,
    answer_question,
    ask_question,
    escalate_questions,
    forget_questions,
    may_answer,
    my_threads,
    open_threads,
    thread,
)
from models.questions.tables import MAX_QUESTION, QUESTION_STATUSES, Question, QuestionMessage

__all__ = [
    "KIND_ANSWERED",
    "KIND_ANSWERED_STAFF",
    "KIND_ESCALATED",
    "KIND_NEW",
    "KIND_NO_KADER",
    "MAX_ANSWER",
    "MAX_QUESTION",
    "QUESTION_STATUSES",
    "Answered",
    "Asked",
    "Asker",
    "Question",
    "QuestionInvalid",
    "QuestionMessage",
    "Thread",
    "answer_action",
    "answer_question",
    "ask_question",
    "escalate_questions",
    "forget_questions",
    "may_answer",
    "my_threads",
    "open_threads",
    "thread",
]
