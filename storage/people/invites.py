"""Roles: single-use expiring invite codes, granting and revoking roles (all audited), and which
kind of unit each role is held in."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.errors import DomainError
from bot.core.i18n import N_
from bot.core.roles import ROLES, Role
from storage import audit
from storage.db import utcnow
from storage.people.models import Invite, Person, RoleGrant
from storage.people.signals import RoleChange, role_changed
from storage.units.models import COMMUNE_LEVEL, COMMUNITY_LEVEL, Unit

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I confusion
UNIT_KINDS_FOR_ROLE: dict[str, tuple[str, ...]] = {
    Role.VILLAGE_HEAD: COMMUNITY_LEVEL,
    Role.OFFICIAL: COMMUNE_LEVEL,
    Role.UNIT_HEAD: COMMUNE_LEVEL,
    Role.INSPECTOR: COMMUNE_LEVEL,
    Role.DISTRICT_ADMIN: ("province", "district", "town"),
}


class InviteInvalid(DomainError):
    msgid = N_(
        "This code is not valid. Please check it, or ask whoever gave it to you (the ward's administrator) "
        "for a new one."
    )


class InviteExpired(DomainError):
    msgid = N_("This code has expired. Please ask whoever gave it to you (the ward's administrator) for a new one.")


class InviteUsed(DomainError):
    msgid = N_(
        "This code has already been used. Please ask whoever gave it to you (the ward's administrator) for a new one."
    )


def normalise_code(code: str) -> str:
    """What a code means, however it was typed ("abcd efgh-jklm" = "ABCDEFGHJKLM")."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def check_role_unit(role: str, unit: Unit | None) -> None:
    """ValueError unless ``role`` can be held in ``unit`` (the operator's mistake, said in one line)."""
    if role not in ROLES or role == Role.RESIDENT:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(r for r in ROLES if r != Role.RESIDENT)}")
    if role == Role.DISTRICT_ADMIN and unit is None:
        return
    if unit is None:
        raise ValueError(f"role {role} needs a unit code")
    if unit.kind not in UNIT_KINDS_FOR_ROLE[role]:
        raise ValueError(f"role {role} needs a unit of kind {'/'.join(UNIT_KINDS_FOR_ROLE[role])}, not {unit.kind}")


async def create_invite(
    session: AsyncSession,
    role: str,
    unit: Unit | None,
    *,
    created_by: str,
    valid_for: timedelta = timedelta(days=7),
    categories: list[str] | None = None,
) -> str:
    """A new invite; returns the code (shown once, only its hash is kept)."""
    check_role_unit(role, unit)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    inv = Invite(
        code_hash=_hash(code),
        role=role,
        unit_id=unit.id if unit else None,
        categories=categories,
        created_by=created_by,
        expires_at=utcnow() + valid_for,
    )
    session.add(inv)
    await session.flush()
    await audit.log(session, "invite.created", "invite", inv.id, actor_label=created_by, unit_id=inv.unit_id, role=role)
    return code


async def find(session: AsyncSession, code: str) -> Invite:
    """The usable invite behind ``code``, nothing changed; raises InviteInvalid/Expired/Used."""
    if not code or len(normalise_code(code)) != 12:
        raise InviteInvalid()
    inv = (await session.exec(select(Invite).where(Invite.code_hash == _hash(code)))).first()
    if inv is None:
        raise InviteInvalid()
    _check_usable(inv)
    return inv


def _check_usable(inv: Invite) -> None:
    if inv.used_at is not None:
        raise InviteUsed()
    if inv.expires_at < utcnow():
        raise InviteExpired()


async def redeem(session: AsyncSession, person: Person, code: str) -> RoleGrant:
    """Grant the invite's role to ``person`` (audited); raises InviteInvalid/Expired/Used."""
    return await _take(session, person, await find(session, code))


async def redeem_kept(session: AsyncSession, person: Person, invite_id: int) -> RoleGrant:
    """Redeem an invite found earlier with ``find`` (kept by id while the person onboarded: the code
    itself is never stored). Checked again: it may have expired or been used meanwhile."""
    inv = await session.get(Invite, invite_id)
    if inv is None:
        raise InviteInvalid()
    _check_usable(inv)
    return await _take(session, person, inv)


async def _take(session: AsyncSession, person: Person, inv: Invite) -> RoleGrant:
    inv.used_at = utcnow()
    inv.used_by = person.id
    assert person.id is not None
    grant = await grant_role(
        session, person.id, inv.role, inv.unit_id, by=f"invite:{inv.id}", categories=inv.categories
    )
    await audit.log(
        session, "invite.redeemed", "person", person.id, actor_id=person.id, role=grant.role, unit_id=grant.unit_id
    )
    return grant


async def grant_role(
    session: AsyncSession,
    person_id: int,
    role: str,
    unit_id: int | None,
    *,
    by: str,
    categories: list[str] | None = None,
    tell_person: bool = False,
) -> RoleGrant:
    """Grant a role (idempotent: an identical active grant is returned as is). ``tell_person`` sends
    ``role_changed`` so the person is told (an operator's grant; an invite is answered in the chat)."""
    existing = (
        await session.exec(
            select(RoleGrant).where(
                RoleGrant.person_id == person_id,
                RoleGrant.role == role,
                RoleGrant.unit_id == unit_id,
                col(RoleGrant.revoked_at).is_(None),
            )
        )
    ).first()
    if existing is not None:
        return existing
    grant = RoleGrant(person_id=person_id, role=role, unit_id=unit_id, categories=categories, granted_by=by)
    session.add(grant)
    await session.flush()
    await audit.log(
        session, "role.granted", "person", person_id, actor_label=by, unit_id=unit_id, role=role, categories=categories
    )
    if tell_person:
        await role_changed.send(session, RoleChange(person_id, role, unit_id, by, granted=True))
    return grant


async def revoke_role(
    session: AsyncSession, person_id: int, role: str, unit_id: int | None, *, by: str, tell_person: bool = False
) -> int:
    """Revoke matching active grants; returns how many were revoked (``tell_person``: see ``grant_role``)."""
    q = select(RoleGrant).where(
        RoleGrant.person_id == person_id, RoleGrant.role == role, col(RoleGrant.revoked_at).is_(None)
    )
    if unit_id is not None:
        q = q.where(RoleGrant.unit_id == unit_id)
    n = 0
    for g in await session.exec(q):
        g.revoked_at = utcnow()
        g.revoked_by = by
        n += 1
        await audit.log(session, "role.revoked", "person", person_id, actor_label=by, unit_id=g.unit_id, role=role)
        if tell_person:
            await role_changed.send(session, RoleChange(person_id, role, g.unit_id, by, granted=False))
    return n
