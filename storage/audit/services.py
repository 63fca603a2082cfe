"""Writing the append-only audit trail, in the same transaction as the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit.models import AuditEvent
from storage.db import utcnow

# One Core statement, built once: an ORM AuditEvent cost a model validation and a unit-of-work
# flush for a row nobody reads back in the same transaction.
_INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]


async def log(
    session: AsyncSession,
    action: str,
    subject_type: str,
    subject_id: object = None,
    *,
    actor_id: int | None = None,
    actor_label: str | None = None,
    unit_id: int | None = None,
    at: datetime | None = None,
    **data: Any,
) -> None:
    """Record ``action`` (dotted, e.g. ``"role.granted"``) by an actor on a subject, ``at`` the
    given time (now by default)."""
    conn = await session.connection()
    await conn.execute(
        _INSERT,
        {
            "at": at or utcnow(),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "subject_type": subject_type,
            "subject_id": None if subject_id is None else str(subject_id),
            "unit_id": unit_id,
            "data": data,
        },
    )
