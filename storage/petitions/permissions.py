"""Who may do what with a petition, named once, on the scope primitives of ``storage.people.permissions``.

- handlers (``bot.core.roles.HANDLERS``) of the responsible unit act on its petitions; an official
  whose grant lists categories only on those;
- the oversight board (``OVERSIGHT``) reads them and changes nothing;
- a denouncer's confidential identity travels with the file only to whoever settles it (Law on
  Denunciation 2018, Art. 47): the unit head of exactly the unit now responsible may reveal it; a
  transfer moves it to the receiving unit (``holder_unit_id``), and nobody else ever sees it;
- a resident acts on their own petition only; to anyone else it does not exist (``NotFound``).

Services call the ``require_*`` functions once per action; a refusal is ``PermissionDenied``, which
the dispatcher audits. Someone outside the petition's scope gets ``OutOfScope`` (audited too, but
worded exactly like ``NotFound``), so a forged button cannot tell whether a petition exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import NotFound, PermissionDenied
from bot.core.roles import CASE_READERS, HANDLERS, OVERSIGHT, Role
from storage.people.models import Person, RoleGrant
from storage.people.permissions import covering_grants, require
from storage.petitions.errors import OutOfScope
from storage.petitions.models import Case, CaseFollower, CaseIdentity

__all__ = [
    "can_be_assigned",
    "can_handle_case",
    "can_oversee_case",
    "can_read_case",
    "can_reveal_identity",
    "require_author",
    "require_case_reader",
    "require_handler",
    "require_reveal_identity",
    "viewer_role",
]


async def can_handle_case(session: AsyncSession, grants: Iterable[RoleGrant], case: Case) -> bool:
    """Staff of the responsible unit (or above) whose categories fit: they may act on it."""
    return bool(await covering_grants(session, grants, case.unit_id, HANDLERS, case.category))


async def require_handler(session: AsyncSession, grants: Iterable[RoleGrant], case: Case) -> RoleGrant:
    """The highest grant letting the actor act on ``case``, or ``PermissionDenied``."""
    return await require(session, grants, case.unit_id, HANDLERS, case.category)


async def can_oversee_case(session: AsyncSession, grants: Iterable[RoleGrant], case: Case) -> bool:
    """An inspector whose scope includes the responsible unit: they may read it."""
    return bool(await covering_grants(session, grants, case.unit_id, OVERSIGHT))


async def can_read_case(session: AsyncSession, grants: Iterable[RoleGrant], case: Case) -> bool:
    """Staff or inspectors whose scope includes the responsible unit."""
    return bool(await covering_grants(session, grants, case.unit_id, CASE_READERS))


async def require_case_reader(session: AsyncSession, grants: Iterable[RoleGrant], case: Case) -> RoleGrant:
    """Staff or inspectors whose scope includes the responsible unit (pressing a button of it), or
    ``OutOfScope``: to anyone else it does not exist."""
    try:
        return await require(session, grants, case.unit_id, CASE_READERS)
    except PermissionDenied:
        raise OutOfScope() from None


async def can_be_assigned(session: AsyncSession, grants: Iterable[RoleGrant], case: Case) -> bool:
    """Whether a colleague holding ``grants`` can be given ``case`` (the same rule as handling it)."""
    return await can_handle_case(session, grants, case)


async def can_reveal_identity(session: AsyncSession, grants: Iterable[RoleGrant], ident: CaseIdentity) -> bool:
    """A unit head of exactly the unit that holds the confidential identity and is responsible for the
    petition now (not a head above it, not the unit that passed it on)."""
    case = await session.get(Case, ident.case_id)
    holder = ident.holder_unit_id
    if not ident.confidential or case is None or holder is None or holder != case.unit_id:
        return False
    heads = await covering_grants(session, grants, holder, (Role.UNIT_HEAD,))
    return any(g.unit_id == holder for g in heads)


async def require_reveal_identity(session: AsyncSession, grants: Iterable[RoleGrant], ident: CaseIdentity) -> None:
    if not await can_reveal_identity(session, grants, ident):
        raise PermissionDenied()


def require_author(case: Case, person: Person) -> None:
    """A resident's action on their own petition; anyone else gets the answer for a missing one."""
    if case.author_id is None or case.author_id != person.id:
        raise NotFound()


async def viewer_role(session: AsyncSession, case: Case, person: Person, grants: Iterable[RoleGrant]) -> str | None:
    """How ``person`` sees ``case``: ``handler``, ``author``, ``inspector``, ``follower``, or None (not at all)."""
    grants = list(grants)
    if await can_handle_case(session, grants, case):
        return "handler"
    if person.id is not None and case.author_id == person.id:
        return "author"
    if await can_oversee_case(session, grants, case):
        return "inspector"
    if person.id is not None and await session.get(CaseFollower, (case.id, person.id)) is not None:
        return "follower"
    return None
