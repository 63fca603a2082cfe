"""Reads of the people feature: a person's audit record, and the onboarding figures of a scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit.models import AuditEvent
from storage.people.models import ChannelIdentity, Person, RoleGrant


async def audit_record(session: AsyncSession, person_id: int, *, limit: int = 20) -> list[AuditEvent]:
    """The latest ``limit`` audit events about the person (their profile, consent, roles), oldest first."""
    rows = await session.exec(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "person", AuditEvent.subject_id == str(person_id))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))


def _residents(unit_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    """Residents (no active role) who consented, living in ``unit_ids`` (None: anywhere)."""
    has_role = exists().where(col(RoleGrant.person_id) == col(Person.id), col(RoleGrant.revoked_at).is_(None))
    out: list[ColumnElement[bool]] = [col(Person.consent_given).is_(True), ~has_role]
    if unit_ids is not None:
        out.append(or_(col(Person.ward_id).in_(unit_ids), col(Person.village_id).in_(unit_ids)))
    return out


async def onboarded_count(session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime) -> int:
    """Residents of the scope who finished onboarding in ``[start, end)`` and still consent."""
    q = (
        select(func.count())
        .select_from(Person)
        .where(*_residents(unit_ids), col(Person.onboarded_at) >= start, col(Person.onboarded_at) < end)
    )
    return int((await session.exec(q)).one())


async def consent_count(session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime) -> int:
    """Residents of the scope who gave their consent in ``[start, end)`` and still consent."""
    q = (
        select(func.count())
        .select_from(Person)
        .where(*_residents(unit_ids), col(Person.consent_at) >= start, col(Person.consent_at) < end)
    )
    return int((await session.exec(q)).one())


async def onboarded_by_channel(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> dict[str, int]:
    """``onboarded_count`` split by the channel of their accounts (somebody on two channels counts on both)."""
    q = (
        select(ChannelIdentity.channel, func.count(func.distinct(Person.id)))
        .join(Person, col(Person.id) == col(ChannelIdentity.person_id))
        .where(*_residents(unit_ids), col(Person.onboarded_at) >= start, col(Person.onboarded_at) < end)
        .group_by(col(ChannelIdentity.channel))
    )
    return {channel: int(n) for channel, n in (await session.exec(q)).all()}
