"""Outbox rows about a kader's report: returned for a fix (with the admin's note and a
button to fix it) or approved. Written in the caller's transaction, next to the decision.

Rows carry the kind and its parameters, never rendered text (catalog keys
"outbox.report_returned", "outbox.report_approved"). The day is shown the Indonesian way
by the chat layer, which this layer may not import, so the caller hands in `day_text`;
the parameters also keep `held_on` in ISO form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from models.outbox.broadcasts import member_chat
from models.outbox.tables import PRIORITY_NOTICE, enqueue
from models.reports.tables import Report

DayText = Callable[[date, str], str]

KIND_RETURNED: Final = "report_returned"
KIND_APPROVED: Final = "report_approved"
# Catalog key of the button label on a returned report (the chat layer's catalogs hold it).
BUTTON_FIX: Final = "lapor.btn_fix"
BUTTON_SHOW: Final = "lapor.btn_show"


def fix_action(report_id: int) -> str:
    """The self-contained choice id that reopens her report for a fix ("a:lp.fix:12")."""
    return f"a:lp.fix:{report_id}"


def show_action(report_id: int) -> str:
    return f"a:lp.show:{report_id}"


def _params(report: Report, lang: str, day_text: DayText | None) -> dict[str, Any]:
    held = report.held_on
    return {
        "report_id": report.id,
        "title": report.title or "-",
        "day": (day_text(held, lang) if day_text else held.isoformat()) if held else "-",
        "held_on": held.isoformat() if held else None,
        "lang": lang,
    }


async def _notify(
    session: AsyncSession,
    report: Report,
    kind: str,
    params_extra: dict[str, Any],
    button: tuple[str, str],
    now: datetime,
    day_text: DayText | None,
) -> int | None:
    if report.kader_member_id is None:
        return None  # the kader erased her data: the decision stands, nobody to tell
    chat = await member_chat(session, report.kader_member_id)
    if chat is None:
        return None
    params = {**_params(report, chat.language, day_text), **params_extra}
    params["choices"] = [{"id": button[0], "key": button[1]}]
    # One notice per decision: the key names the moment it was taken.
    decided = (report.reviewed_at or now).astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    return await enqueue(
        session,
        identity_id=chat.identity_id,
        channel=chat.channel,
        member_id=report.kader_member_id,
        kind=kind,
        params=params,
        idempotency_key=f"report:{report.id}:{kind}:{decided}",
        priority=PRIORITY_NOTICE,
        now=now,
    )


async def notify_returned(
    session: AsyncSession, report: Report, now: datetime, day_text: DayText | None = None
) -> int | None:
    """Tell the kader her report needs a fix, with the note and a "Perbaiki" button."""
    return await _notify(
        session,
        report,
        KIND_RETURNED,
        {"note": report.review_note or "-"},
        (fix_action(report.id), BUTTON_FIX),
        now,
        day_text,
    )


async def notify_approved(
    session: AsyncSession, report: Report, now: datetime, day_text: DayText | None = None
) -> int | None:
    """Tell the kader her report was approved."""
    return await _notify(
        session, report, KIND_APPROVED, {}, (show_action(report.id), BUTTON_SHOW), now, day_text
    )
