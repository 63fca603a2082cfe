"""Who may do what with the disclosure register, on the scope primitives of ``storage.people.permissions``.

- post, edit, take down, tick ways: an official or the unit head of the ward (or of a ward above
  the village the disclosure is for), and a district admin anywhere (``DISCLOSERS``);
- mark a relay: the village head of that village (``RELAYERS``);
- read the compliance table and every disclosure (also taken down): the disclosers and the People's
  Inspection Board of the ward (``COMPLIANCE_READERS``);
- residents and the public read what is public (``queries.is_public``); to anyone else a
  disclosure they may not manage does not exist (``NotFound``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import OVERSIGHT, Role
from storage.disclosures.models import Disclosure
from storage.people.models import RoleGrant
from storage.people.permissions import covering_grants, require

__all__ = [
    "COMPLIANCE_READERS",
    "DISCLOSERS",
    "RELAYERS",
    "can_disclose_to",
    "can_read_compliance",
    "require_discloser",
    "require_manager",
    "require_relayer",
]

DISCLOSERS: tuple[str, ...] = (Role.OFFICIAL, Role.UNIT_HEAD, Role.DISTRICT_ADMIN)
RELAYERS: tuple[str, ...] = (Role.VILLAGE_HEAD,)
COMPLIANCE_READERS: tuple[str, ...] = (*DISCLOSERS, *OVERSIGHT)


async def can_disclose_to(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int) -> bool:
    """The actor may post disclosures for ``unit_id`` (a ward, or a village of their ward)."""
    return bool(await covering_grants(session, grants, unit_id, DISCLOSERS))


async def require_discloser(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int) -> RoleGrant:
    """The grant the actor posts under, or ``PermissionDenied``."""
    return await require(session, grants, unit_id, DISCLOSERS)


async def require_manager(session: AsyncSession, grants: Iterable[RoleGrant], disclosure_id: int) -> Disclosure:
    """The disclosure, when the actor may manage it; ``NotFound`` otherwise (unknown and not
    theirs get the same answer)."""
    d = await session.get(Disclosure, disclosure_id)
    if d is None or not await can_disclose_to(session, grants, d.unit_id):
        raise NotFound()
    return d


async def require_relayer(session: AsyncSession, grants: Iterable[RoleGrant], village_id: int) -> RoleGrant:
    """The village head of exactly ``village_id``, or ``PermissionDenied``."""
    found = [g for g in await covering_grants(session, grants, village_id, RELAYERS) if g.unit_id == village_id]
    if not found:
        raise PermissionDenied()
    return found[0]


async def can_read_compliance(session: AsyncSession, grants: Iterable[RoleGrant], ward_id: int) -> bool:
    return bool(await covering_grants(session, grants, ward_id, COMPLIANCE_READERS))
