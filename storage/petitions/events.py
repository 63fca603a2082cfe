"""The shared core of every petition service: load, optimistic version bump, append-only event with its
audit mirror, and ``change`` — the one recipe every state change follows.

Not API for flows: ``services`` use it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, NotFound
from storage import audit
from storage.petitions.config import CasesConfig
from storage.petitions.models import Case, CaseEvent
from storage.petitions.rules import OPEN_STATUSES, CaseAction, check_transition
from storage.petitions.signals import CaseChanged, case_changed

A = CaseAction
# Actions mirrored into the global audit trail (the case history keeps everything anyway).
AUDITED = frozenset(
    {
        A.SUBMIT,
        A.ACKNOWLEDGE,
        A.START,
        A.REQUEST_INFO,
        A.RESUME,
        A.RESOLVE,
        A.TRANSFER,
        A.REJECT,
        A.ASSIGN,
        A.EXTEND,
        A.WITHDRAW,
        A.REOPEN,
        A.CLOSE,
        A.DEIDENTIFY,
    }
)


async def load(session: AsyncSession, case_id: int) -> Case:
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound()
    return case


async def bump(session: AsyncSession, case: Case, expected: int | None, now: datetime) -> None:
    """Claim the case for this change: ``Conflict`` if anyone changed it since ``expected`` (or since we read it).

    The conditional UPDATE is what makes two concurrent officials safe on PostgreSQL: the loser's
    UPDATE matches no row once the winner has committed."""
    if expected is not None and expected != case.version:
        raise Conflict()
    seen = case.version
    res = await session.exec(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.version) == seen)
        .values(version=seen + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise Conflict()
    case.version = seen + 1
    case.updated_at = now
    # The row in the database already has the new version: keep the ORM from writing it again stale.
    await session.flush()


def set_status(case: Case, status: str) -> None:
    case.status = status
    case.is_open = status in OPEN_STATUSES


async def record(
    session: AsyncSession,
    case: Case,
    action: CaseAction,
    *,
    now: datetime,
    actor_id: int | None,
    actor_role: str,
    from_status: str | None,
    to_status: str | None,
    public: bool = True,
    text: str | None = None,
    audit_data: dict[str, Any] | None = None,
    **data: Any,
) -> CaseEvent:
    """Append one event; mirror the important ones into ``storage.audit``."""
    assert case.id is not None, "the case is flushed before its events"
    ev = CaseEvent(
        case_id=case.id,
        at=now,
        actor_id=actor_id,
        actor_role=actor_role,
        action=action.value,
        from_status=from_status,
        to_status=to_status,
        public=public,
        text=text,
        data=data,
    )
    session.add(ev)
    if action in AUDITED:
        await audit.log(
            session,
            f"case.{action.value}",
            "case",
            case.id,
            actor_id=actor_id,
            actor_label=None if actor_id else actor_role,
            unit_id=case.unit_id,
            code=case.code,
            before=from_status,
            after=to_status,
            **(audit_data or {}),
        )
    return ev


Check = Callable[[Case], None]
Apply = Callable[[Case], "dict[str, Any] | None"]


async def change(
    session: AsyncSession,
    cfg: CasesConfig,
    case: Case,
    action: CaseAction,
    *,
    now: datetime,
    actor_id: int | None,
    actor_role: str,
    version: int | None = None,
    check: Check | None = None,
    apply: Apply | None = None,
    public: bool = True,
    text: str | None = None,
    audit_data: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
    **data: Any,
) -> Case:
    """The recipe of every state change, once (the caller has checked the permission):

    stale ``version`` → ``Conflict``; not allowed from the status → ``InvalidTransition``;
    ``check(case)`` (the action's own refusals); claim the version; ``apply(case)`` (its field
    changes; may return more event data); the new status; the event and its audit; and
    ``case_changed`` with ``params`` (the public facts the pushes show), in the same transaction.
    """
    if version is not None and version != case.version:
        raise Conflict()  # someone acted first: say so rather than "not possible in this state"
    before = case.status
    target = check_transition(action, before)
    if check is not None:
        check(case)
    await bump(session, case, version, now)
    extra = apply(case) if apply is not None else None
    if target is not None:
        set_status(case, target)
    await record(
        session,
        case,
        action,
        now=now,
        actor_id=actor_id,
        actor_role=actor_role,
        from_status=before,
        to_status=case.status,
        public=public,
        text=text,
        audit_data=audit_data,
        **data,
        **(extra or {}),
    )
    await case_changed.send(
        session,
        CaseChanged(
            cfg=cfg,
            case=case,
            action=action,
            now=now,
            actor_id=actor_id,
            params=dict(params or {}),
            before=before,
            previous=dict(previous or {}),
        ),
    )
    return case
