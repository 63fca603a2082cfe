"""What the petition services announce, inside the caller's transaction (see ``bot.core.signals``).

``handlers/petitions/notify.py`` connects the receivers that queue the pushes, so a change and the
messages about it commit together. Every event carries the deployment's ``CasesConfig`` (due dates
are shown in its calendar) and only public facts in ``params`` (texts the resident may read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.signals import Signal
from storage.petitions.config import CasesConfig
from storage.petitions.models import Case
from storage.petitions.rules import CaseAction

__all__ = ["CaseChanged", "CaseUpdate", "case_changed", "case_created", "case_overdue"]


@dataclass(frozen=True)
class CaseUpdate:
    """One thing that happened to ``case`` (its state after the change), by ``actor_id`` (None: the system)."""

    cfg: CasesConfig
    case: Case
    action: CaseAction
    now: datetime
    actor_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseChanged(CaseUpdate):
    """A state change: ``before`` → ``case.status``; ``previous`` holds what it replaced (e.g. the old unit)."""

    before: str = ""
    previous: dict[str, Any] = field(default_factory=dict)


case_created: Signal[CaseUpdate] = Signal(
    "petitions.case_created", "A petition was filed (``CaseUpdate``, action SUBMIT); sent by ``submit``."
)
case_changed: Signal[CaseChanged] = Signal(
    "petitions.case_changed", "A petition changed state (``CaseChanged``); sent by every service that changes one."
)
case_overdue: Signal[CaseUpdate] = Signal(
    "petitions.case_overdue", "A petition passed its answer date (``CaseUpdate``, action OVERDUE), sent once."
)
