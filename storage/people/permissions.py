"""Who may do what where: the scope primitives every feature's ``permissions.py`` builds on, and the
named predicates of the people feature.

Scopes: district_admin covers everything; official, unit_head and inspector cover their commune or
ward and the villages in it; village_head covers one village. Old (merged) units are covered by the
unit they were merged into. Role names and groups come from ``bot.core.roles``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import PermissionDenied
from bot.core.roles import RANK, Role
from storage import units
from storage.people.models import Person, RoleGrant
from storage.units.models import Unit, UnitLineage


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
    """Whether ``grant``'s scope includes a unit whose ``unit_chain`` is ``chain``."""
    if grant.role == Role.DISTRICT_ADMIN:
        return True
    return grant.unit_id is not None and grant.unit_id in set(chain)


async def covering_grants(
    session: AsyncSession,
    grants: Iterable[RoleGrant],
    unit_id: int | None,
    roles: Iterable[str],
    category: str | None = None,
) -> list[RoleGrant]:
    """The grants among ``grants`` with one of ``roles`` whose scope includes ``unit_id`` (an official
    limited to some categories covers only those)."""
    wanted = set(roles)
    chain = await unit_chain(session, unit_id)
    out = []
    for g in grants:
        if g.role not in wanted or g.revoked_at is not None or not grant_covers(g, chain):
            continue
        if category and g.role == Role.OFFICIAL and g.categories and category not in g.categories:
            continue
        out.append(g)
    return out


async def require(
    session: AsyncSession,
    grants: Iterable[RoleGrant],
    unit_id: int | None,
    roles: Iterable[str],
    category: str | None = None,
) -> RoleGrant:
    """The highest-ranked covering grant, or ``PermissionDenied`` (the caller audits the refusal)."""
    found = await covering_grants(session, grants, unit_id, roles, category)
    if not found:
        raise PermissionDenied()
    return max(found, key=lambda g: RANK.get(g.role, 0))


# ---------------------------------------------------------------- the people feature's predicates


def has_consented(person: Person) -> bool:
    """Whether ``person`` agreed to the privacy notice: every command that keeps personal data
    (a profile, a petition, a role) needs it."""
    return person.consent_given is True


def can_redeem_invite(person: Person) -> bool:
    """Taking up a role with an invite code (``/join``) needs a consenting, not erased person."""
    return has_consented(person) and person.erased_at is None


async def granted_units(session: AsyncSession, grants: Iterable[RoleGrant], roles: Iterable[str]) -> list[Unit]:
    """The units the active grants of ``roles`` act for, each once, in grant order: the granted unit,
    then the villages below it (a village head's grant is their one village). What the staff flows
    offer as "choose a village or ward"."""
    wanted = set(roles)
    out: dict[int, Unit] = {}
    for g in grants:
        if g.role not in wanted or g.revoked_at is not None or g.unit_id is None:
            continue
        unit = await units.get(session, g.unit_id)
        if unit is None or unit.id is None:
            continue
        out.setdefault(unit.id, unit)
        if g.role != Role.VILLAGE_HEAD:
            for village in await units.villages_of(session, unit.id):
                if village.id is not None:
                    out.setdefault(village.id, village)
    return list(out.values())
