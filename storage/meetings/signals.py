"""What the meeting services announce inside the caller's transaction; ``handlers/meetings/notify.py``
queues the pushes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.signals import Signal

__all__ = ["MeetingEvent", "meeting_changed"]


@dataclass(frozen=True)
class MeetingEvent:
    """``kind``: announced, cancelled, minutes."""

    kind: str
    meeting_id: int


meeting_changed: Signal[MeetingEvent] = Signal(
    "meetings.changed", "A village meeting was announced or cancelled, or its minutes published."
)
