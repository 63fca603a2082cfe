"""Who may read the quiz results, and for which villages.

The staff who address residents (village heads, officials, unit heads, area administrators) read
them: a village head for their own village, officials and unit heads for the villages of their
ward, an area administrator for every village.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import NOTICE_SENDERS, Role
from storage import units
from storage.people.models import RoleGrant
from storage.units.models import Unit

RESULT_READERS: tuple[str, ...] = NOTICE_SENDERS
"""The roles that may read quiz results (those who send notices to residents)."""


async def quiz_results_scope(session: AsyncSession, grants: Sequence[RoleGrant]) -> list[int] | None:
    """The villages the actor may read results for; None means every village."""
    ids: list[int] = []
    for g in grants:
        if g.role == Role.DISTRICT_ADMIN:
            return None
        if g.role not in RESULT_READERS or g.unit_id is None:
            continue
        unit = await session.get(Unit, g.unit_id)
        if unit is None or unit.id is None:
            continue
        if g.role == Role.VILLAGE_HEAD:
            ids.append(unit.id)
        else:
            ids.extend(u.id for u in await units.villages_of(session, unit.id) if u.id is not None)
    return ids
