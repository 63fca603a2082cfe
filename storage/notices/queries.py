"""Reads for notices: the units an actor may address, what is due, the delivery report, an
author's list, the catch-up list for residents and the figures for the statistics.
(Who receives a notice is a people query: ``storage.people.queries.recipients_by_locale``.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import NOTICE_SENDERS, Role
from storage import outbox, units
from storage.db import utcnow
from storage.notices.models import Notice, NoticeSeen, NoticeTarget
from storage.notices.permissions import require_notice_manager
from storage.outbox.models import OutboxMessage
from storage.people.models import Person, RoleGrant
from storage.people.permissions import unit_chain
from storage.units.models import Unit


@dataclass(frozen=True)
class Report:
    """Where a notice's deliveries stand (outbox rows by status) and how many residents pressed "seen"."""

    notice_id: int
    status: str
    recipients: int
    queued: int
    sent: int
    failed: int
    unreachable: int
    waiting: int
    cancelled: int
    seen: int


@dataclass(frozen=True)
class PeriodCounts:
    """Notices sent in a period and what came of them (see ``period_counts``)."""

    sent: int
    delivered: int
    seen: int


async def audience_options(session: AsyncSession, grants: Sequence[RoleGrant], deployment: str) -> list[Unit]:
    """Units offered as buttons: own village; own ward and its villages; for a district admin, the
    communes (other units can be typed by code)."""
    out: list[Unit] = []
    for g in grants:
        if g.role not in NOTICE_SENDERS or g.revoked_at is not None:
            continue
        if g.role == Role.DISTRICT_ADMIN:
            out.extend(await units.current_communes(session, deployment))
            continue
        if g.unit_id is None:
            continue
        unit = await session.get(Unit, g.unit_id)
        if unit is None or unit.id is None:
            continue
        out.append(unit)
        if g.role != Role.VILLAGE_HEAD:
            out.extend(await units.villages_of(session, unit.id))
    seen: set[int] = set()
    unique: list[Unit] = []
    for u in out:
        if u.id is not None and u.id not in seen:
            seen.add(u.id)
            unique.append(u)
    return unique


async def targets(session: AsyncSession, notice_id: int) -> list[int]:
    """The units a notice is addressed to."""
    rows = await session.exec(select(NoticeTarget.unit_id).where(NoticeTarget.notice_id == notice_id))
    return list(rows)


async def due(session: AsyncSession, now: datetime) -> list[int]:
    """Scheduled notices whose time has come, oldest first."""
    rows = await session.exec(
        select(Notice.id).where(Notice.status == "scheduled", col(Notice.send_at) <= now).order_by(col(Notice.send_at))
    )
    return [i for i in rows if i is not None]


async def report(session: AsyncSession, notice_id: int, grants: Sequence[RoleGrant]) -> Report:
    """The delivery report of a notice the actor manages (``NotFound`` otherwise)."""
    notice = await require_notice_manager(session, grants, notice_id)
    counts: Counter[str] = await outbox.status_counts(session, "notice", notice_id)
    seen = (
        await session.exec(select(func.count()).select_from(NoticeSeen).where(NoticeSeen.notice_id == notice_id))
    ).one()
    return Report(
        notice_id,
        notice.status,
        notice.recipients,
        counts["queued"],
        counts["sent"],
        counts["failed"],
        counts["unreachable"],
        counts["waiting"],
        counts["cancelled"],
        int(seen),
    )


async def by_author(session: AsyncSession, author_id: int, limit: int = 10) -> list[Notice]:
    """The author's latest notices, newest first."""
    rows = await session.exec(
        select(Notice).where(Notice.author_id == author_id).order_by(col(Notice.created_at).desc()).limit(limit)
    )
    return list(rows)


async def recent_for(
    session: AsyncSession, person: Person, *, now: datetime | None = None, days: int = 90, limit: int = 10
) -> list[Notice]:
    """Notices already sent to the person's village or ward (or above), newest first: lets
    someone who joined later catch up."""
    chain: set[int] = set()
    for uid in (person.village_id, person.ward_id):
        if uid is not None:
            chain.update(await unit_chain(session, uid))
    if not chain:
        return []
    since = (now or utcnow()) - timedelta(days=days)
    addressed = select(NoticeTarget.notice_id).where(col(NoticeTarget.unit_id).in_(chain))
    rows = await session.exec(
        select(Notice)
        .where(col(Notice.id).in_(addressed), Notice.status == "sent", col(Notice.sent_at) >= since)
        .order_by(col(Notice.sent_at).desc())
        .limit(limit)
    )
    return list(rows)


async def seen_count(session: AsyncSession, person_id: int) -> int:
    """How many notices the person pressed "seen" on (their part of /mydata)."""
    n = (
        await session.exec(select(func.count()).select_from(NoticeSeen).where(NoticeSeen.person_id == person_id))
    ).one()
    return int(n)


async def period_counts(
    session: AsyncSession, unit_ids: Sequence[int] | None, start: datetime, end: datetime
) -> PeriodCounts:
    """Notices sent in ``[start, end)`` to one of ``unit_ids`` (None: any unit), their messages
    delivered and their "seen" marks: three COUNT queries, however many residents a notice reached."""
    sent_ids = select(Notice.id).where(Notice.status == "sent", col(Notice.sent_at) >= start, col(Notice.sent_at) < end)
    if unit_ids is not None:
        sent_ids = sent_ids.where(
            col(Notice.id).in_(select(NoticeTarget.notice_id).where(col(NoticeTarget.unit_id).in_(list(unit_ids))))
        )
    sent = (await session.exec(select(func.count()).select_from(sent_ids.subquery()))).one()
    delivered = (
        await session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.ref_type == "notice",
                OutboxMessage.status == "sent",
                col(OutboxMessage.ref_id).in_(sent_ids),
            )
        )
    ).one()
    seen = (
        await session.exec(select(func.count()).select_from(NoticeSeen).where(col(NoticeSeen.notice_id).in_(sent_ids)))
    ).one()
    return PeriodCounts(int(sent), int(delivered), int(seen))
