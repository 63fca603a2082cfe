"""Reading the audit trail for the dashboard's audit page: the events of some units, newest first,
filtered, in keyset pages (``before_id``) so a long trail stays fast.

An event belongs to a unit when it names the unit (``unit_id``: petition changes, the dashboard's
refusals on a petition), or when it has no unit and its actor holds a role in one of the units
(sign-ins, chat refusals audited by the dispatcher, which cannot know a unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import STAFF
from storage.audit.models import AuditEvent
from storage.people.models import Person, RoleGrant

__all__ = ["AuditRow", "audit_events"]


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    """The actor's name when they hold or held a staff role; None for a resident (a denouncer's
    name must not appear beside their petition's submission)."""
    actor_label: str | None
    action: str
    subject_type: str
    subject_id: str | None
    unit_id: int | None
    data: dict[str, Any]


async def audit_events(
    session: AsyncSession,
    unit_ids: list[int] | None,
    *,
    action: str | None = None,
    refusals_only: bool = False,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditRow]:
    """Events of ``unit_ids`` (None: every unit), newest first, at most ``limit``. ``action`` is an
    exact action or a prefix ending in "." (``case.``); ``refusals_only`` keeps refused actions."""
    is_staff = (
        sa_select(col(RoleGrant.id))
        .where(col(RoleGrant.person_id) == col(AuditEvent.actor_id), col(RoleGrant.role).in_(STAFF))
        .exists()
    )
    q = sa_select(
        col(AuditEvent.id),
        col(AuditEvent.at),
        col(AuditEvent.actor_id),
        case((is_staff, col(Person.display_name)), else_=None),
        col(AuditEvent.actor_label),
        col(AuditEvent.action),
        col(AuditEvent.subject_type),
        col(AuditEvent.subject_id),
        col(AuditEvent.unit_id),
        col(AuditEvent.data),
    ).outerjoin(Person, col(Person.id) == col(AuditEvent.actor_id))
    if unit_ids is not None:
        staff = sa_select(col(RoleGrant.person_id)).where(col(RoleGrant.unit_id).in_(unit_ids))
        q = q.where(
            or_(
                col(AuditEvent.unit_id).in_(unit_ids),
                and_(col(AuditEvent.unit_id).is_(None), col(AuditEvent.actor_id).in_(staff)),
            )
        )
    if action:
        q = q.where(
            col(AuditEvent.action).startswith(action) if action.endswith(".") else col(AuditEvent.action) == action
        )
    if refusals_only:
        q = q.where(or_(col(AuditEvent.action) == "permission.denied", col(AuditEvent.action).endswith("_refused")))
    if actor_id is not None:
        q = q.where(col(AuditEvent.actor_id) == actor_id)
    if since is not None:
        q = q.where(col(AuditEvent.at) >= since)
    if until is not None:
        q = q.where(col(AuditEvent.at) < until)
    if before_id is not None:
        q = q.where(col(AuditEvent.id) < before_id)
    q = q.order_by(col(AuditEvent.id).desc()).limit(limit)
    conn = await session.connection()
    return [AuditRow(*row) for row in await conn.execute(q)]
