"""Who may announce a village meeting and manage it (see who comes, publish the minutes, name its
decision): the village head for their own village, the ward's officials, unit heads and a district
admin for the villages below them (the notice senders' scopes). The People's Inspection Board may
read a meeting and its answers. To anyone else a meeting they cannot manage does not exist."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import NOTICE_SENDERS, OVERSIGHT
from storage import units
from storage.meetings.models import Meeting
from storage.people.models import RoleGrant
from storage.people.permissions import covering_grants
from storage.units.models import COMMUNITY_LEVEL

MEETING_CALLERS = NOTICE_SENDERS


async def require_caller(session: AsyncSession, grants: Sequence[RoleGrant], village_id: int) -> str:
    """The role the meeting is announced under; ``PermissionDenied`` unless a grant covers the village
    (a village head of another village is refused) and the unit is a village."""
    unit = await units.get(session, village_id)
    if unit is None or unit.kind not in COMMUNITY_LEVEL:
        raise PermissionDenied()
    found = await covering_grants(session, grants, village_id, MEETING_CALLERS)
    if not found:
        raise PermissionDenied()
    return max((g.role for g in found), key=MEETING_CALLERS.index)


async def require_manager(
    session: AsyncSession, grants: Sequence[RoleGrant], meeting_id: int, *, read_only: bool = False
) -> Meeting:
    m = await session.get(Meeting, meeting_id)
    roles = (*MEETING_CALLERS, *OVERSIGHT) if read_only else MEETING_CALLERS
    if m is None or not await covering_grants(session, grants, m.village_id, roles):
        raise NotFound()
    return m
