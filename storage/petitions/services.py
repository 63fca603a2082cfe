"""Every state change of a petition, one async function each: actor and grants in, the permission
checked once (``permissions``), one transaction (flush, never commit: the caller owns it), the event
and audit written in the same call through ``events.change``, a named ``DomainError`` out.

Changes are announced through ``signals`` (``case_created``, ``case_changed``, ``case_overdue``);
``handlers/petitions/notify.py`` turns them into pushes in the same transaction.

- residents: ``submit``, ``add_info``, ``withdraw``, ``rate``, ``reopen``, ``follow``, ``unfollow``,
  ``deidentify_author`` (``_submit``, ``_resident``);
- handlers: ``acknowledge``, ``start``, ``request_info``, ``resume``, ``reply``, ``resolve``, ``transfer``,
  ``reject``, ``assign``, ``extend``, ``add_note``, ``reveal_identity`` (``_staff``);
- the system: ``auto_close`` and ``escalate_overdue`` (the scheduler's jobs), below.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.petitions._resident import add_info, deidentify_author, follow, rate, reopen, unfollow, withdraw
from storage.petitions._staff import (
    IdentityView,
    acknowledge,
    add_note,
    assign,
    extend,
    reject,
    reply,
    request_info,
    resolve,
    resume,
    reveal_identity,
    start,
    transfer,
)
from storage.petitions._submit import IdentityInput, NewCase, SubmitResult, check_description, submit
from storage.petitions.config import CasesConfig
from storage.petitions.events import change, record
from storage.petitions.models import Case
from storage.petitions.rules import CaseAction
from storage.petitions.signals import CaseUpdate, case_overdue

__all__ = [
    "IdentityInput",
    "IdentityView",
    "NewCase",
    "SubmitResult",
    "acknowledge",
    "add_info",
    "add_note",
    "assign",
    "auto_close",
    "check_description",
    "deidentify_author",
    "escalate_overdue",
    "extend",
    "follow",
    "rate",
    "reject",
    "reopen",
    "reply",
    "request_info",
    "resolve",
    "resume",
    "reveal_identity",
    "start",
    "submit",
    "transfer",
    "unfollow",
    "withdraw",
]

SYSTEM = "system"


async def auto_close(session: AsyncSession, cfg: CasesConfig, now: datetime, *, limit: int = 500) -> int:
    """Close answered cases the resident did not reopen within the configured days; returns how many."""
    w = cfg.windows
    q = (
        select(Case)
        .where(Case.status == "answered", col(Case.answered_at) < now - timedelta(days=w.auto_close_after_days))
        .order_by(col(Case.answered_at))
        .limit(limit)
    )
    n = 0
    for case in list(await session.exec(q)):
        assert case.answered_at is not None
        if now <= cfg.calendar.add_days(case.answered_at, w.auto_close_after_days, w.unit):
            continue

        def apply(case: Case) -> None:
            case.closed_at = now

        await change(session, cfg, case, CaseAction.CLOSE, now=now, actor_id=None, actor_role=SYSTEM, apply=apply)
        n += 1
    return n


async def escalate_overdue(session: AsyncSession, cfg: CasesConfig, now: datetime, *, limit: int = 500) -> int:
    """Mark each open case past its answer date (clock not paused) overdue and escalated, once, and
    announce it (``case_overdue``: the unit heads are told); returns how many."""
    q = (
        select(Case)
        .where(
            col(Case.is_open).is_(True),
            col(Case.answer_due) < now,
            col(Case.paused_at).is_(None),
            col(Case.overdue_notified_at).is_(None),
        )
        .order_by(col(Case.answer_due))
        .limit(limit)
    )
    n = 0
    for case in list(await session.exec(q)):
        case.overdue_notified_at = now
        case.escalated = True
        await record(
            session,
            case,
            CaseAction.OVERDUE,
            now=now,
            actor_id=None,
            actor_role=SYSTEM,
            from_status=case.status,
            to_status=case.status,
            public=False,
        )
        await case_overdue.send(session, CaseUpdate(cfg=cfg, case=case, action=CaseAction.OVERDUE, now=now))
        n += 1
    return n
