"""Tanya: a mother's question to the kader of her kampung, kept as a short thread."""

from models.questions.tables import QUESTION_STATUSES, Question, QuestionMessage

__all__ = ["QUESTION_STATUSES", "Question", "QuestionMessage"]
