"""Who may open a decision for a unit and manage it (tally, minutes, report, cancel): a village head
for their village, an official, unit head or district admin for their ward and its villages (the
notice senders' scopes). The People's Inspection Board reads results and turnout, never choices of
a secret ballot (nobody can). To anyone else a decision they cannot manage does not exist."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import NOTICE_SENDERS, OVERSIGHT
from storage.decisions.models import Decision
from storage.people.models import RoleGrant
from storage.people.permissions import covering_grants

DECISION_OPENERS = NOTICE_SENDERS


async def can_open_for(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int) -> bool:
    return bool(await covering_grants(session, grants, unit_id, DECISION_OPENERS))


async def require_opener(session: AsyncSession, grants: Sequence[RoleGrant], unit_id: int) -> str:
    """The role the decision is opened under (``PermissionDenied`` when none covers the unit)."""
    found = await covering_grants(session, grants, unit_id, DECISION_OPENERS)
    if not found:
        raise PermissionDenied()
    return max((g.role for g in found), key=DECISION_OPENERS.index)


async def require_manager(session: AsyncSession, grants: Sequence[RoleGrant], decision_id: int) -> Decision:
    d = await session.get(Decision, decision_id)
    if d is None or not await can_open_for(session, grants, d.unit_id):
        raise NotFound()
    return d


async def can_read(session: AsyncSession, grants: Sequence[RoleGrant], decision: Decision) -> bool:
    """Managers and the Inspection Board of the unit may read its turnout and results."""
    return bool(await covering_grants(session, grants, decision.unit_id, (*DECISION_OPENERS, *OVERSIGHT)))
