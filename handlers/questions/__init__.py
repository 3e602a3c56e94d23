"""Tanya: mothers ask the kader of their kampung; kader (and admins) answer.

A mother writes her question ("Tanya kader"), it goes through the outbox to the kader of
her kampung with a "Jawab" button naming the question; kader and admins also find the
open questions under "Pertanyaan ibu". The first answer goes back to her and closes the
question; "Pertanyaan saya" shows her questions and their answers. Questions nobody
answered within a day are handed to the admins by the sweep (`scheduler/kader.py`).
"""

from handlers.core.feature import MEMBERS, STAFF, Action, Feature, MenuEntry
from handlers.questions import answer, ask

QUESTIONS_FEATURE = Feature(
    name="questions",
    prefix="tn",
    actions=(
        Action("tn.ask", ask.start, ask.IBU),
        Action("tn.mine", ask.mine, MEMBERS),
        Action("tn.list", answer.list_open, STAFF),
        Action("tn.answer", answer.start, STAFF),
    ),
    flows=(ask.ASK, answer.ANSWER),
    menu=(
        MenuEntry("tn.ask", "menu.tanya", ask.IBU, 30, personal=True),
        MenuEntry("tn.mine", "menu.tanya_mine", ask.IBU, 45, personal=True, group="more"),
        MenuEntry("tn.list", "menu.tanya_list", STAFF, 35),
    ),
)

__all__ = ["QUESTIONS_FEATURE"]
