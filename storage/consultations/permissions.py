"""Who may publish a draft for comment and manage it (read the comments, reply, publish the summary):
ward officials, unit heads and district admins for units in their scope (``HANDLERS``); the People's
Inspection Board reads. Who may comment: a consenting resident living in one of its units."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import HANDLERS, OVERSIGHT
from storage.consultations.models import Consultation, ConsultationTarget
from storage.people.models import Person, RoleGrant
from storage.people.permissions import covering_grants, has_consented, unit_chain


async def require_publisher(session: AsyncSession, grants: Sequence[RoleGrant], unit_ids: Sequence[int]) -> str:
    if not unit_ids:
        raise PermissionDenied()
    roles: list[str] = []
    for uid in unit_ids:
        found = await covering_grants(session, grants, uid, HANDLERS)
        if not found:
            raise PermissionDenied()
        roles += [g.role for g in found]
    return max(roles, key=HANDLERS.index)


async def targets(session: AsyncSession, consultation_id: int) -> list[int]:
    rows = await session.exec(
        select(ConsultationTarget.unit_id).where(ConsultationTarget.consultation_id == consultation_id)
    )
    return list(rows)


async def require_manager(
    session: AsyncSession, grants: Sequence[RoleGrant], consultation_id: int, *, read_only: bool = False
) -> Consultation:
    c = await session.get(Consultation, consultation_id)
    if c is None:
        raise NotFound()
    roles = (*HANDLERS, *OVERSIGHT) if read_only else HANDLERS
    for uid in await targets(session, consultation_id):
        if await covering_grants(session, grants, uid, roles):
            return c
    raise NotFound()


async def concerns(session: AsyncSession, person: Person, consultation_id: int) -> bool:
    """The person lives in one of the consultation's units (or below it) and consented."""
    if not has_consented(person) or person.erased_at is not None:
        return False
    wanted = set(await targets(session, consultation_id))
    for uid in (person.village_id, person.ward_id):
        if uid is not None and wanted & set(await unit_chain(session, uid)):
            return True
    return False
