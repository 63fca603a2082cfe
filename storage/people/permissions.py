"""Role × unit checks. Every official action calls ``require`` on the server side before acting.

Scopes: district_admin covers everything; official, unit_head and inspector cover their commune or
ward and the villages in it; village_head covers one village. Old (merged) units are covered by the
unit they were merged into.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import PermissionDenied
from storage.people.models import RoleGrant
from storage.units.models import Unit, UnitLineage

STAFF_ROLES = ("official", "unit_head", "district_admin")
OVERSIGHT_ROLES = ("inspector",)
ROLE_RANK = {"resident": 0, "village_head": 1, "inspector": 1, "official": 2, "unit_head": 3, "district_admin": 4}


async def unit_chain(session: AsyncSession, unit_id: int | None) -> list[int]:
    """The unit, its ancestors, and the units it was merged into (and their ancestors)."""
    seen: list[int] = []
    todo = [unit_id] if unit_id is not None else []
    while todo:
        uid = todo.pop()
        if uid is None or uid in seen:
            continue
        seen.append(uid)
        unit = await session.get(Unit, uid)
        if unit is None:
            continue
        if unit.parent_id is not None:
            todo.append(unit.parent_id)
        succ = await session.exec(select(UnitLineage.successor_id).where(UnitLineage.predecessor_id == uid))
        todo.extend(succ)
    return seen


def grant_covers(grant: RoleGrant, chain: Iterable[int]) -> bool:
    if grant.role == "district_admin":
        return True
    return grant.unit_id is not None and grant.unit_id in set(chain)


async def covering_grants(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int | None,
                          roles: Iterable[str], category: str | None = None) -> list[RoleGrant]:
    """The grants among ``grants`` with one of ``roles`` whose scope includes ``unit_id``."""
    wanted = set(roles)
    chain = await unit_chain(session, unit_id)
    out = []
    for g in grants:
        if g.role not in wanted or g.revoked_at is not None or not grant_covers(g, chain):
            continue
        if category and g.role == "official" and g.categories and category not in g.categories:
            continue
        out.append(g)
    return out


async def require(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int | None,
                  roles: Iterable[str], category: str | None = None) -> RoleGrant:
    """The first covering grant, or ``PermissionDenied`` (the caller audits the refusal)."""
    found = await covering_grants(session, grants, unit_id, roles, category)
    if not found:
        raise PermissionDenied()
    return max(found, key=lambda g: ROLE_RANK.get(g.role, 0))
