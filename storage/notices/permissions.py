"""Who may send notices to which units, and who may see a notice's report or cancel it.

A village head: their own village only; officials and unit heads: their ward and its villages; a
district admin: any unit (the scopes of ``storage/people/permissions.py``). A notice is managed
(report, cancel) by anyone who may send to one of the units it was addressed to; to anyone else it
does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import NOTICE_SENDERS
from storage.notices.models import Notice, NoticeTarget
from storage.people.models import RoleGrant
from storage.people.permissions import covering_grants


async def can_send_notice_to(session: AsyncSession, grants: Iterable[RoleGrant], unit_id: int) -> bool:
    """The actor may address the residents of ``unit_id`` (and of the units below it)."""
    return bool(await covering_grants(session, grants, unit_id, NOTICE_SENDERS))


async def require_notice_sender(session: AsyncSession, grants: Sequence[RoleGrant], unit_ids: Sequence[int]) -> str:
    """``PermissionDenied`` unless the actor may address every unit (and at least one); returns the
    role the notice is sent under (the highest of the actor's notice-sending roles)."""
    if not unit_ids:
        raise PermissionDenied()
    for uid in unit_ids:
        if not await can_send_notice_to(session, grants, uid):
            raise PermissionDenied()
    return max((g.role for g in grants if g.role in NOTICE_SENDERS), key=NOTICE_SENDERS.index)


async def require_notice_manager(session: AsyncSession, grants: Sequence[RoleGrant], notice_id: int) -> Notice:
    """The notice, when the actor may send to one of its units; ``NotFound`` otherwise (unknown and
    not visible get the same answer)."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound()
    for uid in await session.exec(select(NoticeTarget.unit_id).where(NoticeTarget.notice_id == notice_id)):
        if await can_send_notice_to(session, grants, uid):
            return notice
    raise NotFound()
