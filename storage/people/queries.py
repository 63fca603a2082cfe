"""Reads of the people feature: a person's audit record, the residents of some units (the audience of
a notice or a campaign, grouped by the language to write to each in), and the onboarding figures
of a scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.i18n import person_locale
from storage import units
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


@dataclass
class _Locales:
    locale: str | None
    detected_locale: str | None
    platform_locale: str | None


async def _area(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    all_ids: set[int] = set()
    for uid in unit_ids:
        all_ids.update(await units.descendant_ids(session, uid))
    return list(all_ids)


def _residents_of(ids: Sequence[int]) -> tuple[Any, ...]:
    return (
        or_(col(Person.village_id).in_(ids), col(Person.ward_id).in_(ids)),
        col(Person.onboarded_at).is_not(None),
        col(Person.erased_at).is_(None),
        Person.consent_given == True,
    )


async def recipient_ids(session: AsyncSession, unit_ids: Sequence[int]) -> list[int]:
    """Onboarded, consenting residents living in the units or below them."""
    ids = await _area(session, unit_ids)
    if not ids:
        return []
    rows = await session.exec(select(Person.id).where(*_residents_of(ids)))
    return [i for i in rows if i is not None]


async def recipients_by_locale(
    session: AsyncSession, unit_ids: Sequence[int], default_locale: str
) -> dict[str, list[int]]:
    """The recipients (as ``recipient_ids``) grouped by the language to write to each in
    (``person_locale``, the one rule for every push)."""
    ids = await _area(session, unit_ids)
    if not ids:
        return {}
    rows = await session.exec(
        select(Person.id, Person.locale, Person.detected_locale, Person.platform_locale).where(*_residents_of(ids))
    )
    chosen: dict[tuple[str | None, str | None, str | None], str] = {}
    out: dict[str, list[int]] = {}
    for pid, loc, detected, plat in rows:
        if pid is None:
            continue
        key = (loc, detected, plat)
        lang = chosen.get(key)
        if lang is None:
            lang = chosen[key] = person_locale(_Locales(loc, detected, plat), default_locale)
        out.setdefault(lang, []).append(pid)
    return out
