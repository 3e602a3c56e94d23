"""Voice notes for mothers who read slowly: "🔊 Dengarkan" under every message to a mother
(or the word "dengar" on any channel) sends that message as a voice note, made offline
with espeak-ng; "Selalu kirim suara" (under "Lainnya", or set by her kader) sends every
message with its voice note, reminders included. Asking to listen is no answer: no flow
moves on and a pending confirmation stays fresh."""

from handlers.core.feature import MEMBERS, Action, Feature, MenuEntry
from handlers.voice import setting
from handlers.voice.listen import Listening
from handlers.voice.notes import VoiceNotes


def voice_feature(notes: VoiceNotes | None = None) -> Feature:
    """The feature; a test may give its own voice notes (a slow synthesiser)."""
    listening = Listening(notes)
    return Feature(
        name="voice",
        prefix="vc",
        actions=(
            Action("vc.show", setting.show, MEMBERS),
            # A kader sets it for a mother; the handler checks whom this chat may set it for.
            Action(setting.ALWAYS, setting.choose, MEMBERS),
        ),
        menu=(MenuEntry("vc.show", "voice.menu", MEMBERS, 97, personal=True, group="more"),),
        aside=listening.aside,
        after=listening.after,
    )


VOICE_FEATURE = voice_feature()

__all__ = ["VOICE_FEATURE", "voice_feature"]
