"""What the decision services announce inside the caller's transaction (``bot.core.signals``);
``handlers/decisions/notify.py`` queues the ballots, results and reports."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.signals import Signal

__all__ = ["DecisionEvent", "decision_closed", "decision_opened", "minutes_attached"]


@dataclass(frozen=True)
class DecisionEvent:
    decision_id: int


decision_opened: Signal[DecisionEvent] = Signal(
    "decisions.opened", "A vote opened: receivers queue a ballot to every representative of its electorate."
)
decision_closed: Signal[DecisionEvent] = Signal(
    "decisions.closed", "A vote closed (or a meeting's tally was entered): receivers push the result."
)
minutes_attached: Signal[DecisionEvent] = Signal(
    "decisions.minutes_attached", "The minutes were attached: receivers send the report to the commune."
)
