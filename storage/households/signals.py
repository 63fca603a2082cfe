"""What the household services announce inside the caller's transaction (``bot.core.signals``);
``handlers/households/notify.py`` builds the pushes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.signals import Signal

__all__ = ["HouseholdEvent", "household_changed"]


@dataclass(frozen=True)
class HouseholdEvent:
    """``kind``: declared, confirmed, rejected, joined, handover_requested, handover_confirmed,
    handover_refused, representative_left. ``person_id`` is whom it is about (the new member, the
    new representative, the one who left)."""

    kind: str
    household_id: int
    person_id: int | None = None
    handover_id: int | None = None


household_changed: Signal[HouseholdEvent] = Signal(
    "households.changed",
    "A household was declared, confirmed, joined, handed over…; receivers queue the pushes.",
)
