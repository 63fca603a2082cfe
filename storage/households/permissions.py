"""Who may confirm households and handovers: the village head of the household's village, and the
ward's officials, unit heads or a district admin above it (the notice senders' scopes, see
``storage/people/permissions.py``). To anyone else a pending household does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound
from bot.core.roles import NOTICE_SENDERS
from storage.households.models import Household
from storage.people.models import RoleGrant
from storage.people.permissions import covering_grants

HOUSEHOLD_KEEPERS = NOTICE_SENDERS
"""Village head for their village; officials, unit heads, district admins above it."""


async def can_keep_households_of(session: AsyncSession, grants: Iterable[RoleGrant], village_id: int) -> bool:
    """The actor may confirm households of ``village_id`` and import its list."""
    return bool(await covering_grants(session, grants, village_id, HOUSEHOLD_KEEPERS))


async def require_keeper(session: AsyncSession, grants: Iterable[RoleGrant], household_id: int) -> Household:
    """The household, when the actor keeps its village's list; ``NotFound`` otherwise."""
    hh = await session.get(Household, household_id)
    if hh is None or not await can_keep_households_of(session, grants, hh.village_id):
        raise NotFound()
    return hh
