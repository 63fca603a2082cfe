"""What the consultation services announce inside the caller's transaction; ``handlers/consultations/
notify.py`` queues the pushes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.signals import Signal

__all__ = ["ConsultationEvent", "consultation_changed"]


@dataclass(frozen=True)
class ConsultationEvent:
    """``kind``: published, replied (``comment_id``), closed, summarised."""

    kind: str
    consultation_id: int
    comment_id: int | None = None


consultation_changed: Signal[ConsultationEvent] = Signal(
    "consultations.changed", "A draft was published, a comment answered, the period closed, the summary published."
)
