"""What an admin has given so far while writing an announcement: the compose wizard's
typed form, shared by its step groups (compose, audience, when)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class ComposeForm(BaseModel):
    # This chat's channel can store a photo (decided when the flow starts).
    can_photo: bool = False
    text: str = ""
    media_path: str | None = None
    # The photo question was answered (or a photo came with the text): not asked again.
    photo_seen: bool = False
    audience_kind: str | None = None
    kampung_ids: list[int] = []
    kampung_done: bool = False
    days: int | None = None
    kegiatan_id: int | None = None
    kegiatan_offset: int = 0
    include_waiting: bool | None = None
    # "Kirim nanti" was chosen: the when/time steps apply.
    later: bool = False
    # A day typed without a time: the time step asks for the hour.
    day: date | None = None
    scheduled_at: datetime | None = None

    def audience(self) -> dict[str, Any]:
        """The audience as `models.outbox.broadcasts` stores it."""
        kind = self.audience_kind
        if kind == "kampung":
            return {"kind": kind, "kampung_ids": sorted(self.kampung_ids)}
        if kind == "inactive":
            return {"kind": kind, "days": self.days}
        if kind == "kegiatan":
            return {
                "kind": kind,
                "kegiatan_id": self.kegiatan_id or 0,
                "include_waiting": bool(self.include_waiting),
            }
        return {"kind": kind}


def keep(ctx: Any, form: ComposeForm) -> None:
    """Store the form now: for a step that changes it and then asks again (a photo kept
    while the text is still wanted)."""
    ctx.update_data(form=form.model_dump(mode="json"))
