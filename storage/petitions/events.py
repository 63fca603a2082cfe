"""The shared core of every case action: load, optimistic version bump, append-only event, audit mirror.

Not API for flows: services in ``submit``, ``actions`` and ``resident`` use it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import Conflict, NotFound
from storage import audit
from storage.petitions.rules import OPEN_STATUSES
from storage.petitions.models import Case, CaseEvent

# Actions mirrored into the global audit trail (the case history keeps everything anyway).
AUDITED = {"submitted", "acknowledge", "start", "request_info", "resume", "resolve", "transfer", "reject", "assign",
           "extend", "withdraw", "reopen", "close", "deidentify"}


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
    res = await session.exec(update(Case).where(col(Case.id) == case.id, col(Case.version) == seen)
                                .values(version=seen + 1, updated_at=now)
                                .execution_options(synchronize_session=False))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict()
    case.version = seen + 1
    case.updated_at = now
    # The row in the database already has the new version: keep the ORM from writing it again stale.
    await session.flush()


def set_status(case: Case, status: str) -> None:
    case.status = status
    case.is_open = status in OPEN_STATUSES


async def record(session: AsyncSession, case: Case, action: str, *, now: datetime, actor_id: int | None,
                 actor_role: str, from_status: str | None, to_status: str | None, public: bool = True,
                 text: str | None = None, audit_data: dict[str, Any] | None = None,
                 **data: Any) -> CaseEvent:
    """Append one event; mirror the important ones into ``storage.audit.services``."""
    ev = CaseEvent(case_id=case.id, at=now, actor_id=actor_id, actor_role=actor_role, action=action,  # type: ignore[arg-type]
                   from_status=from_status, to_status=to_status, public=public, text=text, data=data)
    session.add(ev)
    if action in AUDITED:
        await audit.log(session, f"case.{action}", "case", case.id, actor_id=actor_id,
                        actor_label=None if actor_id else actor_role, unit_id=case.unit_id,
                        code=case.code, before=from_status, after=to_status, **(audit_data or {}))
    return ev
