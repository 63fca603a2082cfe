"""Writing the append-only audit trail, in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit.models import AuditEvent


async def log(
    session: AsyncSession,
    action: str,
    subject_type: str,
    subject_id: object = None,
    *,
    actor_id: int | None = None,
    actor_label: str | None = None,
    unit_id: int | None = None,
    **data: Any,
) -> AuditEvent:
    """Record ``action`` (dotted, e.g. ``"role.granted"``) by an actor on a subject."""
    ev = AuditEvent(
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        actor_id=actor_id,
        actor_label=actor_label,
        unit_id=unit_id,
        data=data,
    )
    session.add(ev)
    return ev
